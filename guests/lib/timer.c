#include "rt.h"

#define CLINT_MTIMECMP_LO (CLINT_BASE + 0x4000u)
#define CLINT_MTIMECMP_HI (CLINT_BASE + 0x4004u)
#define CLINT_MTIME_LO (CLINT_BASE + 0xbff8u)
#define CLINT_MTIME_HI (CLINT_BASE + 0xbffcu)

static uint32_t tick_period;
static void (*tick_handler)(void);

uint64_t clint_mtime(void) {
  uint32_t hi, lo;
  do { /* re-read if the low word wrapped between the two reads */
    hi = MMIO32(CLINT_MTIME_HI);
    lo = MMIO32(CLINT_MTIME_LO);
  } while (hi != MMIO32(CLINT_MTIME_HI));
  return ((uint64_t)hi << 32) | lo;
}

void clint_set_mtimecmp(uint64_t value) {
  /* Never let the pair hold a value below both old and new: high word to max first. */
  MMIO32(CLINT_MTIMECMP_HI) = 0xffffffffu;
  MMIO32(CLINT_MTIMECMP_LO) = (uint32_t)value;
  MMIO32(CLINT_MTIMECMP_HI) = (uint32_t)(value >> 32);
}

static void on_timer_interrupt(void) {
  clint_set_mtimecmp(~(uint64_t)0); /* clears mip.MTIP */
  tick_handler();
  /* Re-armed after the handler, relative to now: the interrupted code always gets a full period. */
  clint_set_mtimecmp(clint_mtime() + tick_period);
}

void timer_start_periodic(uint32_t period_ticks, void (*on_tick)(void)) {
  tick_period = period_ticks;
  tick_handler = on_tick;
  rt_on_timer(on_timer_interrupt);
  clint_set_mtimecmp(clint_mtime() + period_ticks);
  CSR_SET(mie, MIE_MTIE);
  irq_global_enable();
}

void timer_stop(void) {
  CSR_CLEAR(mie, MIE_MTIE);
  clint_set_mtimecmp(~(uint64_t)0);
}
