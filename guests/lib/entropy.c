#include "rt.h"

extern volatile uint32_t rt_probe_armed;
extern volatile uint32_t rt_probe_faulted;

uint32_t entropy_read(void) { return MMIO32(ENTROPY_BASE); }

int entropy_probe(uint32_t *out) {
  rt_probe_faulted = 0;
  rt_probe_armed = 1;
  uint32_t value;
  /* One plain 4-byte load: the trap handler skips exactly this instruction if it faults. */
  __asm__ volatile("lw %0, 0(%1)" : "=r"(value) : "r"(ENTROPY_BASE) : "memory");
  rt_probe_armed = 0;
  if (rt_probe_faulted) return 0;
  *out = value;
  return 1;
}
