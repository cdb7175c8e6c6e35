/* Shared guest runtime: devices of the ftcheck VM / QEMU virt board (see src/vm/README.md). */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* Memory map (src/vm/api.ts). */
#define TEST_DEVICE_BASE 0x00100000u
#define CLINT_BASE 0x02000000u
#define UART_BASE 0x10000000u
#define NIC_BASE 0x11000000u
#define DISK_BASE 0x11001000u
#define ENTROPY_BASE 0x11002000u
#define DISK_SECTOR_BYTES 512u
#define DISK_SECTORS_PER_REQUEST_MAX 64u
#define NIC_PACKET_BYTES_MAX 1500u

/* CSR access. */
#define CSR_READ(name)                                  \
  ({                                                    \
    uint32_t v_;                                        \
    __asm__ volatile("csrr %0, " #name : "=r"(v_));     \
    v_;                                                 \
  })
#define CSR_SET(name, bits) __asm__ volatile("csrs " #name ", %0" ::"r"(bits))
#define CSR_CLEAR(name, bits) __asm__ volatile("csrc " #name ", %0" ::"r"(bits))

#define MSTATUS_MIE (1u << 3)
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)
#define MCAUSE_INTERRUPT 0x80000000u
#define IRQ_TIMER 7u
#define IRQ_EXTERNAL 11u
#define EXC_LOAD_ACCESS_FAULT 5u

/* mem.c: the compiler may call these even in freestanding code. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* uart.c: console output. */
void uart_putc(char c);
void uart_puts(const char *s);
/* Formats %s %c %d %u %x %llx, with optional zero padding and width (e.g. %08x). */
void rt_printf(const char *format, ...);

/* trap.c: trap dispatch, interrupts, exit. */
__attribute__((noreturn)) void rt_exit(uint32_t code); /* 0 = pass (0x5555) */
void irq_global_enable(void);
void irq_global_disable(void);
/* Sleep (wfi) until *flag is non-zero; interrupts are enabled on return. Race-free. */
void rt_wait_until_set(volatile uint32_t *flag);
/* Handlers called from the trap dispatcher (interrupt context). */
void rt_on_timer(void (*handler)(void));
void rt_on_external(void (*handler)(void));

/* timer.c: CLINT mtime / mtimecmp, periodic tick. */
uint64_t clint_mtime(void);
void clint_set_mtimecmp(uint64_t value);
/* Calls on_tick (interrupt context) period_ticks of mtime after the previous on_tick returned. */
void timer_start_periodic(uint32_t period_ticks, void (*on_tick)(void));
void timer_stop(void);

/* nic.c: one receive buffer, interrupt-driven. */
void nic_init(uint8_t *rx_buffer, uint32_t rx_capacity);
/* Sleeps until a packet is in the receive buffer; returns its length. */
uint32_t nic_wait_packet(void);
/* Hands the receive buffer back to the device for the next packet. */
void nic_rearm(void);
void nic_send(const void *data, uint32_t length);

/* disk.c: synchronous block I/O (sleeps until the completion interrupt). 0 = ok, -1 = error. */
int disk_read(uint32_t sector, void *buffer, uint32_t count);
int disk_write(uint32_t sector, const void *buffer, uint32_t count);
/* Called by the external-interrupt dispatcher. */
void disk_handle_irq(void);
void nic_handle_irq(void);

/* entropy.c */
uint32_t entropy_read(void);
/* Like entropy_read, but returns 0 instead of trapping when the device is absent (QEMU). */
int entropy_probe(uint32_t *out);

#endif
