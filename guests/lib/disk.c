#include "rt.h"

#define DISK_SECTOR (DISK_BASE + 0x00u)
#define DISK_BUF_ADDR (DISK_BASE + 0x04u)
#define DISK_COUNT (DISK_BASE + 0x08u)
#define DISK_CMD (DISK_BASE + 0x0cu)
#define DISK_STATUS (DISK_BASE + 0x10u)
#define DISK_IRQ_ENABLE (DISK_BASE + 0x14u)
#define DISK_CMD_READ 1u
#define DISK_CMD_WRITE 2u
#define DISK_STATUS_DONE 2u
#define DISK_STATUS_ERROR 4u

static volatile uint32_t request_finished;
static volatile uint32_t request_status;

void disk_handle_irq(void) {
  uint32_t status = MMIO32(DISK_STATUS) & (DISK_STATUS_DONE | DISK_STATUS_ERROR);
  if (status == 0) return;
  MMIO32(DISK_STATUS) = status; /* write 1 to clear */
  request_status = status;
  request_finished = 1;
}

static int disk_request(uint32_t command, uint32_t sector, uint32_t buffer, uint32_t count) {
  request_finished = 0;
  request_status = 0;
  MMIO32(DISK_IRQ_ENABLE) = 1;
  CSR_SET(mie, MIE_MEIE);
  MMIO32(DISK_SECTOR) = sector;
  MMIO32(DISK_BUF_ADDR) = buffer;
  MMIO32(DISK_COUNT) = count;
  MMIO32(DISK_CMD) = command;
  uint32_t status = MMIO32(DISK_STATUS);
  if (status & DISK_STATUS_ERROR) { /* rejected at the doorbell: nothing started */
    MMIO32(DISK_STATUS) = DISK_STATUS_ERROR;
    return -1;
  }
  rt_wait_until_set(&request_finished);
  return (request_status & DISK_STATUS_ERROR) ? -1 : 0;
}

int disk_read(uint32_t sector, void *buffer, uint32_t count) {
  return disk_request(DISK_CMD_READ, sector, (uint32_t)(uintptr_t)buffer, count);
}

int disk_write(uint32_t sector, const void *buffer, uint32_t count) {
  return disk_request(DISK_CMD_WRITE, sector, (uint32_t)(uintptr_t)buffer, count);
}
