// Entropy register: every read of +0 is a nondeterministic 32-bit word (`Nondet.Entropy`).

import { BUS_FAULT } from '../../rv32/bus.ts';
import { ENTROPY_BASE, Nondet } from '../api.ts';
import { type Device, type DeviceHost, type DeviceState, isWordAccess } from './device.ts';

export class Entropy implements Device {
  readonly name = 'entropy';
  readonly base = ENTROPY_BASE;
  readonly sizeBytes = 0x1000;

  constructor(private readonly host: DeviceHost) {}

  load(offset: number, size: 1 | 2 | 4): number {
    if (!isWordAccess(offset, size)) return BUS_FAULT;
    if (offset !== 0) return 0;
    return this.host.nondet.read(Nondet.Entropy, this.host.instret) >>> 0;
  }

  store(offset: number, size: 1 | 2 | 4): boolean {
    return isWordAccess(offset, size);
  }

  getState(): DeviceState {
    return {};
  }

  setState(): void {}
}
