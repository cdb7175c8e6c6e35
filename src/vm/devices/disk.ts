// ftcheck block disk (registers in src/vm/README.md). One request at a time; CMD starts it as
// output (`VmOutputs.diskRequest`, a write carries a copy of the buffer); the host completes it
// with `disk-done`, which DMAs read data into the buffer and sets `done`. Word accesses only.

import { assert } from '../../base/assert.ts';
import { BUS_FAULT } from '../../rv32/bus.ts';
import { DISK_BASE, DISK_SECTOR_BYTES, DISK_SECTORS_PER_REQUEST_MAX } from '../api.ts';
import { type Device, type DeviceHost, type DeviceState, isWordAccess, num } from './device.ts';

export const DiskStatus = { busy: 1, done: 2, error: 4 } as const;
const CMD_READ = 1;
const CMD_WRITE = 2;
const IRQ_DONE = 1;

const Reg = {
  sector: 0x00,
  bufAddr: 0x04,
  count: 0x08,
  cmd: 0x0c,
  status: 0x10,
  irqEnable: 0x14,
  reqId: 0x18,
} as const;

export class Disk implements Device {
  readonly name = 'disk';
  readonly base = DISK_BASE;
  readonly sizeBytes = 0x1000;
  sector = 0;
  bufAddr = 0;
  count = 0;
  status = 0;
  irqEnable = 0;
  /** Id of the last request started (0 before the first). */
  requestId = 0;
  /** The running request's op (CMD_READ/CMD_WRITE), buffer and count, latched at CMD. */
  activeOp = 0;
  activeBufAddr = 0;
  activeCount = 0;

  constructor(private readonly host: DeviceHost) {}

  load(offset: number, size: 1 | 2 | 4): number {
    if (!isWordAccess(offset, size)) return BUS_FAULT;
    switch (offset) {
      case Reg.sector:
        return this.sector;
      case Reg.bufAddr:
        return this.bufAddr;
      case Reg.count:
        return this.count;
      case Reg.status:
        return this.status;
      case Reg.irqEnable:
        return this.irqEnable;
      case Reg.reqId:
        return this.requestId;
      default:
        return 0;
    }
  }

  store(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWordAccess(offset, size)) return false;
    switch (offset) {
      case Reg.sector:
        this.sector = value >>> 0;
        break;
      case Reg.bufAddr:
        this.bufAddr = value >>> 0;
        break;
      case Reg.count:
        this.count = value >>> 0;
        break;
      case Reg.cmd:
        this.command(value >>> 0);
        break;
      case Reg.status:
        this.status &= ~(value & (DiskStatus.done | DiskStatus.error));
        this.host.updateInterrupts();
        break;
      case Reg.irqEnable:
        this.irqEnable = value & IRQ_DONE;
        this.host.updateInterrupts();
        break;
    }
    return true;
  }

  private command(op: number): void {
    const bytes = this.count * DISK_SECTOR_BYTES;
    const valid =
      (op === CMD_READ || op === CMD_WRITE) &&
      (this.status & DiskStatus.busy) === 0 &&
      this.count >= 1 &&
      this.count <= DISK_SECTORS_PER_REQUEST_MAX &&
      this.host.inRam(this.bufAddr, bytes);
    if (!valid) {
      this.status |= DiskStatus.error;
      return;
    }
    this.requestId++;
    this.activeOp = op;
    this.activeBufAddr = this.bufAddr;
    this.activeCount = this.count;
    this.status = DiskStatus.busy;
    this.host.updateInterrupts();
    const request = {
      id: this.requestId,
      op: op === CMD_READ ? ('read' as const) : ('write' as const),
      sector: this.sector,
      count: this.count,
      ...(op === CMD_WRITE ? { data: this.host.readRam(this.bufAddr, bytes) } : {}),
    };
    this.host.outputs.diskRequest(request, this.host.instret);
  }

  /** Completes the running request (host input). */
  complete(id: number, data: Uint8Array | undefined, error: boolean): void {
    assert((this.status & DiskStatus.busy) !== 0, 'disk-done injected with no request running');
    // The message is built only on failure (this runs per event).
    if (id !== this.requestId)
      assert(false, `disk-done for request ${id}, but request ${this.requestId} is running`);
    if (this.activeOp === CMD_READ && !error) {
      assert(data !== undefined, 'disk-done of a read needs data');
      assert(data.length === this.activeCount * DISK_SECTOR_BYTES, 'disk-done data length != count × 512');
      this.host.writeRam(this.activeBufAddr, data);
    }
    this.status = DiskStatus.done | (error ? DiskStatus.error : 0);
    this.activeOp = 0;
    this.host.updateInterrupts();
  }

  interruptPending(): boolean {
    return (this.irqEnable & IRQ_DONE) !== 0 && (this.status & DiskStatus.done) !== 0;
  }

  getState(): DeviceState {
    return {
      sector: this.sector,
      bufAddr: this.bufAddr,
      count: this.count,
      status: this.status,
      irqEnable: this.irqEnable,
      requestId: this.requestId,
      activeOp: this.activeOp,
      activeBufAddr: this.activeBufAddr,
      activeCount: this.activeCount,
    };
  }

  setState(state: DeviceState): void {
    this.sector = num(state, 'sector');
    this.bufAddr = num(state, 'bufAddr');
    this.count = num(state, 'count');
    this.status = num(state, 'status');
    this.irqEnable = num(state, 'irqEnable');
    this.requestId = num(state, 'requestId');
    this.activeOp = num(state, 'activeOp');
    this.activeBufAddr = num(state, 'activeBufAddr');
    this.activeCount = num(state, 'activeCount');
  }
}
