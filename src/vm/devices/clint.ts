// CLINT: msip (+0), mtimecmp (+0x4000 lo, +0x4004 hi), mtime (+0xbff8 lo, +0xbffc hi, read-only and
// nondeterministic). The timer line (mip.MTIP) is raised by the host and cleared by any write to
// mtimecmp. Word accesses only.

import { BUS_FAULT } from '../../rv32/bus.ts';
import { CLINT_BASE, Nondet } from '../api.ts';
import { bool, type Device, type DeviceHost, type DeviceState, isWordAccess, num } from './device.ts';

const MSIP = 0x0;
const MTIMECMP_LO = 0x4000;
const MTIMECMP_HI = 0x4004;
const MTIME_LO = 0xbff8;
const MTIME_HI = 0xbffc;

export class Clint implements Device {
  readonly name = 'clint';
  readonly base = CLINT_BASE;
  readonly sizeBytes = 0x10000;
  msip = 0;
  /** Reset to the maximum so no timer fires before the guest programs one. */
  mtimecmpLo = 0xffffffff;
  mtimecmpHi = 0xffffffff;
  timerLine = false;

  constructor(private readonly host: DeviceHost) {}

  load(offset: number, size: 1 | 2 | 4): number {
    if (!isWordAccess(offset, size)) return BUS_FAULT;
    switch (offset) {
      case MSIP:
        return this.msip;
      case MTIMECMP_LO:
        return this.mtimecmpLo;
      case MTIMECMP_HI:
        return this.mtimecmpHi;
      case MTIME_LO:
        return this.host.nondet.read(Nondet.MtimeLo, this.host.instret) >>> 0;
      case MTIME_HI:
        return this.host.nondet.read(Nondet.MtimeHi, this.host.instret) >>> 0;
      default:
        return 0;
    }
  }

  store(offset: number, size: 1 | 2 | 4, value: number): boolean {
    if (!isWordAccess(offset, size)) return false;
    if (offset === MSIP) {
      this.msip = value & 1;
      this.host.updateInterrupts();
    } else if (offset === MTIMECMP_LO || offset === MTIMECMP_HI) {
      if (offset === MTIMECMP_LO) this.mtimecmpLo = value >>> 0;
      else this.mtimecmpHi = value >>> 0;
      this.timerLine = false;
      this.host.updateInterrupts();
    }
    return true;
  }

  /** mtimecmp as a number (exact below 2^53; the reset value rounds to 2^64). */
  compare(): number {
    return this.mtimecmpHi * 0x1_0000_0000 + this.mtimecmpLo;
  }

  raiseTimer(): void {
    this.timerLine = true;
    this.host.updateInterrupts();
  }

  getState(): DeviceState {
    return {
      msip: this.msip,
      mtimecmpLo: this.mtimecmpLo,
      mtimecmpHi: this.mtimecmpHi,
      timerLine: this.timerLine,
    };
  }

  setState(state: DeviceState): void {
    this.msip = num(state, 'msip');
    this.mtimecmpLo = num(state, 'mtimecmpLo');
    this.mtimecmpHi = num(state, 'mtimecmpHi');
    this.timerLine = bool(state, 'timerLine');
  }
}
