/* crc: the CPU-bound speed benchmark. Fills a buffer from a xorshift32 stream, computes a
 * bitwise CRC-32 (IEEE, reflected, as zlib) over it, once per round with a new seed, and prints
 * each result. Deterministic: no timer, no entropy, no interrupts. */
#include "lib/rt.h"

#define BUFFER_BYTES (32u * 1024u)
#define ROUNDS 24u
#define SEED_BASE 0x12345678u
#define SEED_STEP 0x9e3779b9u
#define CRC32_POLY_REFLECTED 0xedb88320u

static uint32_t buffer_words[BUFFER_BYTES / 4];

static void fill(uint32_t seed) {
  uint32_t s = seed;
  for (uint32_t i = 0; i < BUFFER_BYTES / 4; i++) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    buffer_words[i] = s; /* little-endian: byte 4i is the low byte of s */
  }
}

static uint32_t crc32(const uint8_t *data, uint32_t length) {
  uint32_t crc = 0xffffffffu;
  for (uint32_t i = 0; i < length; i++) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & (0u - (crc & 1u)));
  }
  return ~crc;
}

int main(void) {
  uint32_t combined = 0;
  rt_printf("crc: %u rounds of CRC-32 over %u bytes\n", ROUNDS, BUFFER_BYTES);
  for (uint32_t round = 0; round < ROUNDS; round++) {
    fill(SEED_BASE + round * SEED_STEP);
    uint32_t crc = crc32((const uint8_t *)buffer_words, BUFFER_BYTES);
    combined ^= crc;
    rt_printf("round %u: %08x\n", round, crc);
  }
  rt_printf("crc: combined %08x\n", combined);
  return 0;
}
