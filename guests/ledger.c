/* ledger: money transfers between ACCOUNTS accounts, requests on the NIC. Each TRANSFER is first
 * appended to a journal on disk (redo record), then the balances sector is rewritten; the reply
 * leaves only after both writes completed. On start the balances are read back and a journal
 * record newer than them is re-applied. Invariant: the total of all balances never changes.
 * Wire format and disk layout: guests/README.md (TypeScript side: src/cluster/protocol/ledger.ts). */
#include "lib/rt.h"
#include "lib/wire.h"

#define OP_TRANSFER 1u
#define OP_BALANCE 2u
#define OP_AUDIT 3u
#define OP_SHUTDOWN 5u
#define STATUS_OK 0u
#define STATUS_INSUFFICIENT_FUNDS 1u
#define STATUS_BAD_REQUEST 2u
#define STATUS_BAD_ACCOUNT 3u
#define STATUS_DISK_ERROR 4u
#define STATUS_AUDIT_MISMATCH 5u

#define REQUEST_BYTES 20u
#define REPLY_BYTES 16u
#define ACCOUNTS 16u
#define INITIAL_BALANCE 1000u
#define STATE_SECTOR 0u
#define JOURNAL_FIRST_SECTOR 1u
#define JOURNAL_SECTORS 255u /* ring: record seq lives in sector 1 + seq % 255 */
#define STATE_MAGIC 0x3153474cu   /* "LGS1" */
#define JOURNAL_MAGIC 0x314a474cu /* "LGJ1" */
#define TICK_PERIOD 10000u
#define TICKS_PER_STATS_LINE 100u

/* State sector: magic, checksum, accounts, applied_seq, balances[ACCOUNTS]. */
#define ST_MAGIC 0u
#define ST_CHECKSUM 4u
#define ST_ACCOUNTS 8u
#define ST_APPLIED_SEQ 12u
#define ST_BALANCES 16u
/* Journal record: magic, checksum, seq, request id, from, to, amount. */
#define JR_MAGIC 0u
#define JR_CHECKSUM 4u
#define JR_SEQ 8u
#define JR_REQUEST_ID 12u
#define JR_FROM 16u
#define JR_TO 20u
#define JR_AMOUNT 24u

static uint32_t balances[ACCOUNTS];
static uint32_t applied_seq;
static uint32_t requests;
static volatile uint32_t ticks;
static uint8_t sector[DISK_SECTOR_BYTES] __attribute__((aligned(8)));
static uint8_t rx_buffer[NIC_PACKET_BYTES_MAX] __attribute__((aligned(8)));
static uint8_t tx_buffer[REPLY_BYTES] __attribute__((aligned(8)));
/* The last replies by request id: a retransmission is answered again without re-executing it, so
 * under slow storage retransmissions cannot queue up faster than requests are served (and a
 * transfer a client sent twice moves its money once). */
#define REPLY_CACHE 4u
static struct {
  uint32_t id;
  uint8_t bytes[REPLY_BYTES];
} reply_cache[REPLY_CACHE];
static uint32_t reply_cache_next;

static uint32_t sector_checksum(const uint8_t *s) {
  return fnv1a(FNV1A_INIT, s + 8, DISK_SECTOR_BYTES - 8);
}

static int sector_valid(const uint8_t *s, uint32_t magic) {
  return wire_u32(s) == magic && wire_u32(s + 4) == sector_checksum(s);
}

static int write_state(void) {
  memset(sector, 0, sizeof sector);
  wire_put_u32(sector + ST_MAGIC, STATE_MAGIC);
  wire_put_u32(sector + ST_ACCOUNTS, ACCOUNTS);
  wire_put_u32(sector + ST_APPLIED_SEQ, applied_seq);
  for (uint32_t a = 0; a < ACCOUNTS; a++) wire_put_u32(sector + ST_BALANCES + 4 * a, balances[a]);
  wire_put_u32(sector + ST_CHECKSUM, sector_checksum(sector));
  return disk_write(STATE_SECTOR, sector, 1);
}

static int write_journal(uint32_t seq, uint32_t id, uint32_t from, uint32_t to, uint32_t amount) {
  memset(sector, 0, sizeof sector);
  wire_put_u32(sector + JR_MAGIC, JOURNAL_MAGIC);
  wire_put_u32(sector + JR_SEQ, seq);
  wire_put_u32(sector + JR_REQUEST_ID, id);
  wire_put_u32(sector + JR_FROM, from);
  wire_put_u32(sector + JR_TO, to);
  wire_put_u32(sector + JR_AMOUNT, amount);
  wire_put_u32(sector + JR_CHECKSUM, sector_checksum(sector));
  return disk_write(JOURNAL_FIRST_SECTOR + seq % JOURNAL_SECTORS, sector, 1);
}

static void apply(uint32_t from, uint32_t to, uint32_t amount) {
  balances[from] -= amount;
  balances[to] += amount;
  applied_seq++;
}

/* Re-applies journal records newer than the balances sector (a crash between the two writes). */
static int redo_journal(uint32_t *redone) {
  *redone = 0;
  for (uint32_t i = 0; i < JOURNAL_SECTORS; i++) {
    uint32_t seq = applied_seq + 1;
    if (disk_read(JOURNAL_FIRST_SECTOR + seq % JOURNAL_SECTORS, sector, 1) != 0) return -1;
    if (!sector_valid(sector, JOURNAL_MAGIC) || wire_u32(sector + JR_SEQ) != seq) return 0;
    uint32_t from = wire_u32(sector + JR_FROM), to = wire_u32(sector + JR_TO);
    uint32_t amount = wire_u32(sector + JR_AMOUNT);
    if (from >= ACCOUNTS || to >= ACCOUNTS || balances[from] < amount) return -1;
    apply(from, to, amount);
    (*redone)++;
  }
  return 0;
}

static int recover(uint32_t *redone) {
  *redone = 0;
  if (disk_read(STATE_SECTOR, sector, 1) != 0) return -1;
  if (!sector_valid(sector, STATE_MAGIC) || wire_u32(sector + ST_ACCOUNTS) != ACCOUNTS) {
    for (uint32_t a = 0; a < ACCOUNTS; a++) balances[a] = INITIAL_BALANCE; /* fresh disk */
    applied_seq = 0;
    return write_state();
  }
  applied_seq = wire_u32(sector + ST_APPLIED_SEQ);
  for (uint32_t a = 0; a < ACCOUNTS; a++) balances[a] = wire_u32(sector + ST_BALANCES + 4 * a);
  if (redo_journal(redone) != 0) return -1;
  return *redone ? write_state() : 0;
}

static uint32_t transfer(uint32_t id, uint32_t from, uint32_t to, uint32_t amount, uint32_t *values) {
  if (from >= ACCOUNTS || to >= ACCOUNTS || from == to) return STATUS_BAD_ACCOUNT;
  if (balances[from] < amount) return STATUS_INSUFFICIENT_FUNDS;
  if (write_journal(applied_seq + 1, id, from, to, amount) != 0) return STATUS_DISK_ERROR;
  apply(from, to, amount);
  /* Committed once journaled: if this write fails, recovery redoes the record. */
  (void)write_state();
  values[0] = balances[from];
  values[1] = balances[to];
  return STATUS_OK;
}

static uint32_t audit(uint32_t *values) {
  uint32_t total = 0;
  for (uint32_t a = 0; a < ACCOUNTS; a++) total += balances[a];
  values[0] = total;
  values[1] = applied_seq;
  return total == ACCOUNTS * INITIAL_BALANCE ? STATUS_OK : STATUS_AUDIT_MISMATCH;
}

/* Fills tx_buffer with the reply to the packet in rx_buffer. */
static void serve(uint32_t length) {
  const uint8_t *request = rx_buffer;
  uint32_t values[2] = {0, 0};
  uint32_t status = STATUS_BAD_REQUEST;
  requests++;
  memset(tx_buffer, 0, REPLY_BYTES);
  if (length < 8) {
    tx_buffer[1] = STATUS_BAD_REQUEST;
    return;
  }
  uint32_t op = request[0], id = wire_u32(request + 4);
  for (uint32_t i = 0; i < REPLY_CACHE; i++) {
    if (reply_cache[i].bytes[0] == 0 || reply_cache[i].id != id || reply_cache[i].bytes[0] != op) continue;
    memcpy(tx_buffer, reply_cache[i].bytes, REPLY_BYTES);
    return;
  }
  tx_buffer[0] = (uint8_t)op;
  wire_put_u32(tx_buffer + 4, id);
  if (length == REQUEST_BYTES) {
    uint32_t a = wire_u32(request + 8), b = wire_u32(request + 12), amount = wire_u32(request + 16);
    if (op == OP_TRANSFER) {
      status = transfer(id, a, b, amount, values);
    } else if (op == OP_BALANCE) {
      status = a < ACCOUNTS ? STATUS_OK : STATUS_BAD_ACCOUNT;
      values[0] = a < ACCOUNTS ? balances[a] : 0;
    } else if (op == OP_AUDIT) {
      status = audit(values);
    } else if (op == OP_SHUTDOWN) {
      status = STATUS_OK;
    }
  }
  tx_buffer[1] = (uint8_t)status;
  wire_put_u32(tx_buffer + 8, values[0]);
  wire_put_u32(tx_buffer + 12, values[1]);
  if (status == STATUS_BAD_REQUEST || op == OP_SHUTDOWN || op == OP_AUDIT) return;
  reply_cache[reply_cache_next].id = id;
  memcpy(reply_cache[reply_cache_next].bytes, tx_buffer, REPLY_BYTES);
  reply_cache_next = (reply_cache_next + 1) % REPLY_CACHE;
}

static void on_tick(void) {
  uint32_t n = ticks + 1;
  ticks = n;
  if (n % TICKS_PER_STATS_LINE == 0) {
    rt_printf("ledger: tick %u transfers=%u requests=%u\n", n, applied_seq, requests);
  }
}

int main(void) {
  uint32_t redone;
  if (recover(&redone) != 0) {
    rt_printf("ledger: cannot recover (disk needs %u sectors, or it is corrupt)\n",
              JOURNAL_FIRST_SECTOR + JOURNAL_SECTORS);
    return 2;
  }
  rt_printf("ledger: %u accounts, %u transfers applied, %u redone from the journal\n", ACCOUNTS,
            applied_seq, redone);
  timer_start_periodic(TICK_PERIOD, on_tick);
  nic_init(rx_buffer, sizeof rx_buffer);
  for (;;) {
    uint32_t length = nic_wait_packet();
    serve(length);
    nic_send(tx_buffer, REPLY_BYTES);
    if (tx_buffer[0] == OP_SHUTDOWN && tx_buffer[1] == STATUS_OK) break;
    nic_rearm();
  }
  timer_stop();
  uint32_t values[2];
  uint32_t status = audit(values);
  rt_printf("ledger: shutdown after %u requests, total %u (%s)\n", requests, values[0],
            status == STATUS_OK ? "conserved" : "MISMATCH");
  return status == STATUS_OK ? 0 : 3;
}
