#include "rt.h"

#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u
/* Exit code for an unexpected trap: 0x80 | mcause. */
#define EXIT_UNEXPECTED_TRAP 0x80u

static void (*timer_handler)(void);
static void (*external_handler)(void);

/* Set by entropy_probe around a load that may fault on boards without the device. */
volatile uint32_t rt_probe_armed;
volatile uint32_t rt_probe_faulted;

__attribute__((noreturn)) void rt_exit(uint32_t code) {
  MMIO32(TEST_DEVICE_BASE) = code == 0 ? TEST_PASS : (code << 16) | TEST_FAIL;
  for (;;) __asm__ volatile("wfi");
}

void irq_global_enable(void) { CSR_SET(mstatus, MSTATUS_MIE); }
void irq_global_disable(void) { CSR_CLEAR(mstatus, MSTATUS_MIE); }

void rt_wait_until_set(volatile uint32_t *flag) {
  for (;;) {
    irq_global_disable();
    if (*flag) break;
    /* wfi wakes on a pending enabled interrupt even with MIE clear; it is taken after enable. */
    __asm__ volatile("wfi");
    irq_global_enable();
  }
  irq_global_enable();
}

void rt_on_timer(void (*handler)(void)) { timer_handler = handler; }
void rt_on_external(void (*handler)(void)) { external_handler = handler; }

static uint32_t handle_exception(uint32_t cause, uint32_t pc, uint32_t tval) {
  if (cause == EXC_LOAD_ACCESS_FAULT && rt_probe_armed) {
    rt_probe_faulted = 1;
    return pc + 4; /* skip the probing load (rv32im: no compressed instructions) */
  }
  rt_printf("\nunexpected trap: mcause=%x mepc=%08x mtval=%08x\n", cause, pc, tval);
  rt_exit(EXIT_UNEXPECTED_TRAP | cause);
}

/* Called by trap_entry (start.S); returns the pc to resume at. */
uint32_t trap_dispatch(uint32_t cause, uint32_t pc, uint32_t tval) {
  if ((cause & MCAUSE_INTERRUPT) == 0) return handle_exception(cause, pc, tval);
  uint32_t irq = cause & ~MCAUSE_INTERRUPT;
  if (irq == IRQ_TIMER && timer_handler) {
    timer_handler();
  } else if (irq == IRQ_EXTERNAL) {
    disk_handle_irq();
    nic_handle_irq();
    if (external_handler) external_handler();
  } else {
    rt_printf("\nunexpected interrupt %u\n", irq);
    rt_exit(EXIT_UNEXPECTED_TRAP | 0x40u | irq);
  }
  return pc;
}
