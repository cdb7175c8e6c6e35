/* kvstore: a key-value server on the NIC. Every PUT/DELETE is written to its disk slot and the
 * write has completed before the reply leaves; on start the whole slot area is read back, so a VM
 * started on an existing disk image serves the earlier PUTs. A GET reads its slot back from the
 * disk and answers from that copy (a copy that differs from memory is a disk error), and every PUT
 * stamps its record with a word from the entropy device: steady-state disk reads and entropy are
 * nondeterministic inputs a record/replay system must log. A timer tick prints a stats line.
 * Built with -DKVSTORE_QUIET (kvstore-quiet.elf) it runs no timer: between requests it sleeps in
 * wfi and its FT pair has nothing to log, so only keepalives keep the logging channel busy.
 * Wire format and disk layout: guests/README.md (TypeScript side: src/cluster/protocol/kvstore.ts). */
#include "lib/rt.h"
#include "lib/wire.h"

#define OP_GET 1u
#define OP_PUT 2u
#define OP_DELETE 3u
#define OP_STATS 4u
#define OP_SHUTDOWN 5u
#define STATUS_OK 0u
#define STATUS_NOT_FOUND 1u
#define STATUS_BAD_REQUEST 2u
#define STATUS_FULL 3u
#define STATUS_DISK_ERROR 4u
#define STATUS_CORRUPT 6u /* the key's slot on disk is not what this server wrote there */

#define HEADER_BYTES 8u
#define KEY_BYTES_MAX 64u
#define VALUE_BYTES_MAX 400u
#define SLOTS 256u /* one sector each, sectors 0..SLOTS-1 */
#define BUCKETS 128u
#define RECORD_MAGIC 0x3152564bu /* "KVR1" */
#define REC_MAGIC 0u
#define REC_CHECKSUM 4u
#define REC_KEY_LENGTH 8u
#define REC_VALUE_LENGTH 10u
#define REC_KEY 12u
#define REC_VALUE (REC_KEY + KEY_BYTES_MAX)
#define REC_STAMP (REC_VALUE + VALUE_BYTES_MAX) /* entropy word written with the record */
#define TICK_PERIOD 10000u /* mtime units (µs on the ftcheck VM) */
#define TICKS_PER_STATS_LINE 100u
#ifdef KVSTORE_QUIET
#define TICKING 0
#else
#define TICKING 1
#endif

/* RAM copy of the slot area (same bytes as the disk), a chained hash index over it. */
static uint8_t slots[SLOTS][DISK_SECTOR_BYTES] __attribute__((aligned(8)));
static uint16_t bucket_head[BUCKETS]; /* slot + 1, 0 = empty chain */
static uint16_t slot_next[SLOTS];
static uint8_t slot_used[SLOTS];
static uint8_t scratch[DISK_SECTOR_BYTES] __attribute__((aligned(8)));
static uint8_t rx_buffer[NIC_PACKET_BYTES_MAX] __attribute__((aligned(8)));
static uint8_t tx_buffer[NIC_PACKET_BYTES_MAX] __attribute__((aligned(8)));

static struct {
  uint32_t keys, gets, puts, deletes, requests;
} stats;

/* The last few replies by request id: a client's retransmission of a request already served is
 * answered from here, without doing its work (and its disk I/O) again. Without it, a slow disk
 * lets retransmissions queue up faster than they are served, and the server never catches up. */
#define REPLY_CACHE 4u
static struct {
  uint32_t id, length;
  uint8_t bytes[HEADER_BYTES + VALUE_BYTES_MAX];
} reply_cache[REPLY_CACHE];
static uint32_t reply_cache_next;
static volatile uint32_t ticks;

static uint32_t record_checksum(const uint8_t *record) {
  return fnv1a(FNV1A_INIT, record + REC_KEY_LENGTH, DISK_SECTOR_BYTES - REC_KEY_LENGTH);
}

static int record_valid(const uint8_t *record) {
  if (wire_u32(record + REC_MAGIC) != RECORD_MAGIC) return 0;
  if (wire_u32(record + REC_CHECKSUM) != record_checksum(record)) return 0;
  uint32_t key_length = record[REC_KEY_LENGTH];
  return key_length >= 1 && key_length <= KEY_BYTES_MAX &&
         wire_u16(record + REC_VALUE_LENGTH) <= VALUE_BYTES_MAX;
}

static uint32_t bucket_of(const uint8_t *key, uint32_t key_length) {
  return fnv1a(FNV1A_INIT, key, key_length) % BUCKETS;
}

static void index_insert(uint32_t slot) {
  uint32_t bucket = bucket_of(slots[slot] + REC_KEY, slots[slot][REC_KEY_LENGTH]);
  slot_next[slot] = bucket_head[bucket];
  bucket_head[bucket] = (uint16_t)(slot + 1);
  slot_used[slot] = 1;
  stats.keys++;
}

static void index_remove(uint32_t slot) {
  uint32_t bucket = bucket_of(slots[slot] + REC_KEY, slots[slot][REC_KEY_LENGTH]);
  uint16_t *link = &bucket_head[bucket];
  while (*link != slot + 1) link = &slot_next[*link - 1];
  *link = slot_next[slot];
  slot_used[slot] = 0;
  stats.keys--;
}

/* Returns the slot holding key, or -1. */
static int index_find(const uint8_t *key, uint32_t key_length) {
  for (uint32_t s = bucket_head[bucket_of(key, key_length)]; s != 0; s = slot_next[s - 1]) {
    const uint8_t *record = slots[s - 1];
    if (record[REC_KEY_LENGTH] == key_length && memcmp(record + REC_KEY, key, key_length) == 0) return (int)(s - 1);
  }
  return -1;
}

static int free_slot(void) {
  for (uint32_t s = 0; s < SLOTS; s++) {
    if (!slot_used[s]) return (int)s;
  }
  return -1;
}

/* Reads the slot area back; invalid (never written, deleted, torn) slots are free. */
static int recover(void) {
  for (uint32_t first = 0; first < SLOTS; first += DISK_SECTORS_PER_REQUEST_MAX) {
    if (disk_read(first, slots[first], DISK_SECTORS_PER_REQUEST_MAX) != 0) return -1;
  }
  for (uint32_t s = 0; s < SLOTS; s++) {
    if (record_valid(slots[s])) {
      index_insert(s);
    } else {
      memset(slots[s], 0, DISK_SECTOR_BYTES);
    }
  }
  return 0;
}

/* Writes the record in scratch to slot; on success the RAM copy and the index follow. */
static uint32_t put(const uint8_t *key, uint32_t key_length, const uint8_t *value, uint32_t value_length) {
  int slot = index_find(key, key_length);
  if (slot < 0) slot = free_slot();
  if (slot < 0) return STATUS_FULL;
  memset(scratch, 0, sizeof scratch);
  wire_put_u32(scratch + REC_MAGIC, RECORD_MAGIC);
  scratch[REC_KEY_LENGTH] = (uint8_t)key_length;
  wire_put_u16(scratch + REC_VALUE_LENGTH, value_length);
  memcpy(scratch + REC_KEY, key, key_length);
  memcpy(scratch + REC_VALUE, value, value_length);
  wire_put_u32(scratch + REC_STAMP, entropy_read());
  wire_put_u32(scratch + REC_CHECKSUM, record_checksum(scratch));
  if (disk_write((uint32_t)slot, scratch, 1) != 0) return STATUS_DISK_ERROR;
  if (slot_used[slot]) index_remove((uint32_t)slot);
  memcpy(slots[slot], scratch, DISK_SECTOR_BYTES);
  index_insert((uint32_t)slot);
  return STATUS_OK;
}

/* Reads slot back from the disk into scratch and copies its value out; the disk copy must be the
 * record memory holds (anything else is a lost or misdirected write: CORRUPT). */
static uint32_t get(int slot, uint8_t *value, uint32_t *value_length) {
  if (disk_read((uint32_t)slot, scratch, 1) != 0) return STATUS_DISK_ERROR;
  if (memcmp(scratch, slots[slot], DISK_SECTOR_BYTES) != 0) {
    rt_printf("kvstore: slot %u on disk differs from memory\n", (uint32_t)slot);
    return STATUS_CORRUPT;
  }
  *value_length = wire_u16(scratch + REC_VALUE_LENGTH);
  memcpy(value, scratch + REC_VALUE, *value_length);
  return STATUS_OK;
}

static uint32_t delete(const uint8_t *key, uint32_t key_length) {
  int slot = index_find(key, key_length);
  if (slot < 0) return STATUS_NOT_FOUND;
  memset(scratch, 0, sizeof scratch);
  if (disk_write((uint32_t)slot, scratch, 1) != 0) return STATUS_DISK_ERROR;
  index_remove((uint32_t)slot);
  memset(slots[slot], 0, DISK_SECTOR_BYTES);
  return STATUS_OK;
}

static int well_formed(uint32_t op, uint32_t key_length, uint32_t value_length) {
  switch (op) {
  case OP_GET:
  case OP_DELETE: return key_length >= 1 && key_length <= KEY_BYTES_MAX && value_length == 0;
  case OP_PUT: return key_length >= 1 && key_length <= KEY_BYTES_MAX && value_length <= VALUE_BYTES_MAX;
  case OP_STATS:
  case OP_SHUTDOWN: return key_length == 0 && value_length == 0;
  default: return 0;
  }
}

/* Fills tx_buffer with the reply to the packet in rx_buffer; returns the reply length. */
static uint32_t serve(uint32_t length) {
  const uint8_t *request = rx_buffer;
  uint8_t *reply = tx_buffer;
  uint32_t reply_value_length = 0;
  stats.requests++;
  memset(reply, 0, HEADER_BYTES);
  if (length < HEADER_BYTES) {
    reply[1] = STATUS_BAD_REQUEST;
    return HEADER_BYTES;
  }
  uint32_t op = request[0], key_length = request[1], value_length = wire_u16(request + 2);
  const uint8_t *key = request + HEADER_BYTES, *value = key + key_length;
  reply[0] = (uint8_t)op;
  memcpy(reply + 4, request + 4, 4); /* request id */
  uint32_t status = STATUS_BAD_REQUEST;
  if (length == HEADER_BYTES + key_length + value_length && well_formed(op, key_length, value_length)) {
    if (op == OP_GET) {
      stats.gets++;
      int slot = index_find(key, key_length);
      status = slot < 0 ? STATUS_NOT_FOUND : get(slot, reply + HEADER_BYTES, &reply_value_length);
    } else if (op == OP_PUT) {
      stats.puts++;
      status = put(key, key_length, value, value_length);
    } else if (op == OP_DELETE) {
      stats.deletes++;
      status = delete(key, key_length);
    } else {
      status = STATUS_OK;
      if (op == OP_STATS) {
        const uint32_t fields[5] = {stats.keys, stats.gets, stats.puts, stats.deletes, stats.requests};
        for (uint32_t i = 0; i < 5; i++) wire_put_u32(reply + HEADER_BYTES + 4 * i, fields[i]);
        reply_value_length = sizeof fields;
      }
    }
  }
  reply[1] = (uint8_t)status;
  wire_put_u16(reply + 2, reply_value_length);
  return HEADER_BYTES + reply_value_length;
}

/* Copies the cached reply to a retransmitted request into tx_buffer; 0 when there is none. */
static uint32_t cached_reply(uint32_t length) {
  if (length < HEADER_BYTES) return 0;
  uint32_t id = wire_u32(rx_buffer + 4);
  for (uint32_t i = 0; i < REPLY_CACHE; i++) {
    if (reply_cache[i].length == 0 || reply_cache[i].id != id || reply_cache[i].bytes[0] != rx_buffer[0]) continue;
    stats.requests++;
    memcpy(tx_buffer, reply_cache[i].bytes, reply_cache[i].length);
    return reply_cache[i].length;
  }
  return 0;
}

static void remember_reply(uint32_t length) {
  if (length < HEADER_BYTES || length > sizeof reply_cache[0].bytes || tx_buffer[1] == STATUS_BAD_REQUEST) return;
  if (tx_buffer[0] == OP_STATS || tx_buffer[0] == OP_SHUTDOWN) return;
  reply_cache[reply_cache_next].id = wire_u32(tx_buffer + 4);
  reply_cache[reply_cache_next].length = length;
  memcpy(reply_cache[reply_cache_next].bytes, tx_buffer, length);
  reply_cache_next = (reply_cache_next + 1) % REPLY_CACHE;
}

static void on_tick(void) {
  uint32_t n = ticks + 1;
  ticks = n;
  if (n % TICKS_PER_STATS_LINE == 0) {
    rt_printf("kvstore: tick %u keys=%u requests=%u\n", n, stats.keys, stats.requests);
  }
}

int main(void) {
  if (recover() != 0) {
    rt_printf("kvstore: cannot read the slot area (disk needs %u sectors)\n", SLOTS);
    return 2;
  }
  rt_printf("kvstore: recovered %u keys\n", stats.keys);
  if (TICKING) timer_start_periodic(TICK_PERIOD, on_tick);
  nic_init(rx_buffer, sizeof rx_buffer);
  for (;;) {
    uint32_t length = nic_wait_packet();
    uint32_t reply_length = cached_reply(length);
    if (reply_length == 0) {
      reply_length = serve(length);
      remember_reply(reply_length);
    }
    nic_send(tx_buffer, reply_length);
    int shutdown = length >= HEADER_BYTES && rx_buffer[0] == OP_SHUTDOWN && tx_buffer[1] == STATUS_OK;
    if (shutdown) break;
    nic_rearm();
  }
  if (TICKING) timer_stop();
  rt_printf("kvstore: shutdown after %u requests, %u keys\n", stats.requests, stats.keys);
  return 0;
}
