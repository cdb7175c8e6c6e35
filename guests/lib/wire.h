/* Little-endian field access for the request/reply formats (packets have no alignment). */
#ifndef WIRE_H
#define WIRE_H

#include <stdint.h>

static inline uint32_t wire_u16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }

static inline uint32_t wire_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void wire_put_u16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static inline void wire_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* FNV-1a, used for record checksums and the key hash. */
static inline uint32_t fnv1a(uint32_t hash, const uint8_t *data, uint32_t length) {
  for (uint32_t i = 0; i < length; i++) hash = (hash ^ data[i]) * 0x01000193u;
  return hash;
}
#define FNV1A_INIT 0x811c9dc5u

#endif
