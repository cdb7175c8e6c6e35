// ftcheck NIC (registers in src/vm/README.md). Receive: the host DMAs a packet into the armed
// guest buffer and raises IRQ bit 0. Transmit: a doorbell write sends TX_LEN bytes at TX_ADDR as
// output. Word accesses only.

import { assert } from '../../base/assert.ts';
import { BUS_FAULT } from '../../rv32/bus.ts';
import { NIC_BASE } from '../api.ts';
import { bool, type Device, type DeviceHost, type DeviceState, isWordAccess, num } from './device.ts';

export const NIC_PACKET_BYTES_MAX = 1500;
const IRQ_RX = 1;

const Reg = {
  rxAddr: 0x00,
  rxCap: 0x04,
  rxLen: 0x08,
  rxCtrl: 0x0c,
  txAddr: 0x10,
  txLen: 0x14,
  txDoorbell: 0x18,
  irqStatus: 0x1c,
  irqEnable: 0x20,
} as const;

export class Nic implements Device {
  readonly name = 'nic';
  readonly base = NIC_BASE;
  readonly sizeBytes = 0x1000;
  rxAddr = 0;
  rxCap = 0;
  rxLen = 0;
  rxFull = false;
  txAddr = 0;
  txLen = 0;
  irqStatus = 0;
  irqEnable = 0;

  constructor(private readonly host: DeviceHost) {}

  load(offset: number, size: 1 | 2 | 4): number {
    if (!isWordAccess(offset, size)) return BUS_FAULT;
    switch (offset) {
      case Reg.rxAddr:
        return this.rxAddr;
      case Reg.rxCap:
        return this.rxCap;
      case Reg.rxLen:
        return this.rxLen;
      case Reg.rxCtrl:
        return this.rxFull ? 1 : 0;
      case Reg.txAddr:
        return this.txAddr;
      case Reg.txLen:
        return this.txLen;
      case Reg.irqStatus:
        return this.irqStatus;
      case Reg.irqEnable:
        return this.irqEnable;
      default:
        return 0;
    }
  }

  store(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWordAccess(offset, size)) return false;
    switch (offset) {
      case Reg.rxAddr:
        this.rxAddr = value >>> 0;
        break;
      case Reg.rxCap:
        this.rxCap = value >>> 0;
        break;
      case Reg.rxCtrl:
        if (value & 1) this.rxFull = false;
        break;
      case Reg.txAddr:
        this.txAddr = value >>> 0;
        break;
      case Reg.txLen:
        this.txLen = Math.min(value >>> 0, NIC_PACKET_BYTES_MAX);
        break;
      case Reg.txDoorbell:
        this.transmit();
        break;
      case Reg.irqStatus:
        this.irqStatus &= ~value;
        this.host.updateInterrupts();
        break;
      case Reg.irqEnable:
        this.irqEnable = value & IRQ_RX;
        this.host.updateInterrupts();
        break;
    }
    return true;
  }

  /** A buffer outside RAM cannot be sent: the doorbell is ignored (documented in the README). */
  private transmit(): void {
    if (!this.host.inRam(this.txAddr, this.txLen)) return;
    this.host.outputs.nicTransmit(this.host.readRam(this.txAddr, this.txLen), this.host.instret);
  }

  /** Armed: a capacity is set, the buffer lies in RAM and holds no packet. */
  ready(): boolean {
    return !this.rxFull && this.rxCap > 0 && this.host.inRam(this.rxAddr, this.rxCap);
  }

  receive(data: Uint8Array): void {
    assert(this.ready(), 'nic-rx injected while the NIC is not ready (check nicReady())');
    const length = Math.min(data.length, this.rxCap);
    this.host.writeRam(this.rxAddr, data.subarray(0, length));
    this.rxLen = length;
    this.rxFull = true;
    this.irqStatus |= IRQ_RX;
    this.host.updateInterrupts();
  }

  interruptPending(): boolean {
    return (this.irqStatus & this.irqEnable) !== 0;
  }

  getState(): DeviceState {
    return {
      rxAddr: this.rxAddr,
      rxCap: this.rxCap,
      rxLen: this.rxLen,
      rxFull: this.rxFull,
      txAddr: this.txAddr,
      txLen: this.txLen,
      irqStatus: this.irqStatus,
      irqEnable: this.irqEnable,
    };
  }

  setState(state: DeviceState): void {
    this.rxAddr = num(state, 'rxAddr');
    this.rxCap = num(state, 'rxCap');
    this.rxLen = num(state, 'rxLen');
    this.rxFull = bool(state, 'rxFull');
    this.txAddr = num(state, 'txAddr');
    this.txLen = num(state, 'txLen');
    this.irqStatus = num(state, 'irqStatus');
    this.irqEnable = num(state, 'irqEnable');
  }
}
