/* clock: the nondeterminism-heavy guest. Takes a timer interrupt every TICK_PERIOD mtime units and
 * on each tick prints the time/cycle CSRs, CLINT mtime and an entropy word. The first half of the
 * ticks interrupt a busy loop (interrupts land at arbitrary instructions), the second half wake
 * the CPU from wfi. Exits with success after TICKS ticks. */
#include "lib/rt.h"

#define TICKS 40u
#define TICK_PERIOD 1000u /* mtime units: µs on the ftcheck VM, 100 ns on QEMU virt */
#define WORK_MIX 0x01000193u

static volatile uint32_t ticks;
static volatile uint32_t work;

static uint64_t read_csr_pair_time(void) {
  uint32_t hi, lo;
  do {
    hi = CSR_READ(timeh);
    lo = CSR_READ(time);
  } while (hi != CSR_READ(timeh));
  return ((uint64_t)hi << 32) | lo;
}

static uint64_t read_csr_pair_cycle(void) {
  uint32_t hi, lo;
  do {
    hi = CSR_READ(cycleh);
    lo = CSR_READ(cycle);
  } while (hi != CSR_READ(cycleh));
  return ((uint64_t)hi << 32) | lo;
}

static void on_tick(void) {
  uint32_t n = ticks + 1;
  ticks = n;
  uint64_t time = read_csr_pair_time();
  uint64_t cycle = read_csr_pair_cycle();
  uint64_t mtime = clint_mtime();
  uint32_t entropy;
  rt_printf("tick %u time=%llx cycle=%llx mtime=%llx", n, time, cycle, mtime);
  if (entropy_probe(&entropy)) {
    rt_printf(" entropy=%08x", entropy);
  } else {
    rt_printf(" entropy=absent");
  }
  rt_printf(" work=%08x\n", work);
}

int main(void) {
  uint32_t seed;
  rt_printf("clock: %u ticks every %u mtime units\n", TICKS, TICK_PERIOD);
  if (!entropy_probe(&seed)) seed = 1;
  work = seed;
  timer_start_periodic(TICK_PERIOD, on_tick);
  while (ticks < TICKS / 2) work = (work ^ CSR_READ(cycle)) * WORK_MIX; /* busy half */
  while (ticks < TICKS) {                                                /* idle half */
    irq_global_disable();
    if (ticks < TICKS) __asm__ volatile("wfi");
    irq_global_enable();
  }
  timer_stop();
  rt_printf("clock: done after %u ticks\n", ticks);
  return 0;
}
