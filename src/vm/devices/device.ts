// What a device sees of the machine, and what the machine sees of a device. Devices are plain
// state machines: registers in fields, `getState()`/`setState()` for snapshots and digests.
import type { NondetSource, VmOutputs } from '../api.ts';

/** A device's snapshot: a flat record of numbers, flags and strings. */
export type DeviceState = Record<string, number | boolean | string>;

export interface DeviceHost {
  /** Retired count before the instruction now accessing the device. */
  readonly instret: number;
  readonly nondet: NondetSource;
  readonly outputs: VmOutputs;
  inRam(address: number, length: number): boolean;
  readRam(address: number, length: number): Uint8Array;
  writeRam(address: number, data: Uint8Array): void;
  /** Recompute `mip.MEIP`/`MSIP` after a device's interrupt state changed. */
  updateInterrupts(): void;
  requestExit(code: number): void;
}

export interface Device {
  readonly name: string;
  readonly base: number;
  readonly sizeBytes: number;
  /** Unsigned value, or BUS_FAULT. `offset` is relative to `base`. */
  load(offset: number, size: 1 | 2 | 4): number;
  /** False for an access fault. */
  store(offset: number, size: 1 | 2 | 4, value: number): boolean;
  getState(): DeviceState;
  setState(state: DeviceState): void;
}

/** Word-register devices accept only aligned 32-bit accesses. */
export function isWordAccess(offset: number, size: number): boolean {
  return size === 4 && (offset & 3) === 0;
}

export function num(state: DeviceState, key: string): number {
  const value = state[key];
  if (typeof value !== 'number') throw new Error(`device state: ${key} must be a number`);
  return value;
}

export function bool(state: DeviceState, key: string): boolean {
  const value = state[key];
  if (typeof value !== 'boolean') throw new Error(`device state: ${key} must be a boolean`);
  return value;
}
