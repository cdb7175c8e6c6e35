#include "rt.h"

#define NIC_RX_ADDR (NIC_BASE + 0x00u)
#define NIC_RX_CAP (NIC_BASE + 0x04u)
#define NIC_RX_LEN (NIC_BASE + 0x08u)
#define NIC_RX_CTRL (NIC_BASE + 0x0cu)
#define NIC_TX_ADDR (NIC_BASE + 0x10u)
#define NIC_TX_LEN (NIC_BASE + 0x14u)
#define NIC_TX_DOORBELL (NIC_BASE + 0x18u)
#define NIC_IRQ_STATUS (NIC_BASE + 0x1cu)
#define NIC_IRQ_ENABLE (NIC_BASE + 0x20u)
#define NIC_IRQ_RX 1u

/* Set by the interrupt, cleared when the buffer is handed back. */
static volatile uint32_t rx_full;

void nic_init(uint8_t *rx_buffer, uint32_t rx_capacity) {
  MMIO32(NIC_RX_ADDR) = (uint32_t)(uintptr_t)rx_buffer;
  MMIO32(NIC_RX_CAP) = rx_capacity;
  MMIO32(NIC_IRQ_ENABLE) = NIC_IRQ_RX;
  CSR_SET(mie, MIE_MEIE);
  irq_global_enable();
}

void nic_handle_irq(void) {
  if ((MMIO32(NIC_IRQ_STATUS) & NIC_IRQ_RX) == 0) return;
  MMIO32(NIC_IRQ_STATUS) = NIC_IRQ_RX; /* write 1 to clear */
  rx_full = 1;
}

uint32_t nic_wait_packet(void) {
  rt_wait_until_set(&rx_full);
  return MMIO32(NIC_RX_LEN);
}

void nic_rearm(void) {
  rx_full = 0; /* before re-arming: the next interrupt can only follow the write below */
  MMIO32(NIC_RX_CTRL) = 1;
}

void nic_send(const void *data, uint32_t length) {
  MMIO32(NIC_TX_ADDR) = (uint32_t)(uintptr_t)data;
  MMIO32(NIC_TX_LEN) = length;
  MMIO32(NIC_TX_DOORBELL) = 1;
}
