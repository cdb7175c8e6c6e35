// A physical host: in a rack, with two storage paths (HBAs, multipathed), two client NICs
// (teamed), one logging NIC, a CPU capacity in VM slots and a speed in guest instructions per
// simulated microsecond. A crash or power loss stops everything on it; a repair brings it back
// empty, as a new incarnation (messages addressed to the old one are dropped).
import { assert } from '../base/assert.ts';
import type { NetworkKind } from '../sim/fault-schedule.ts';

export const HBA_PATHS = 2;
export const CLIENT_NIC_PATHS = 2;

export interface HostSpec {
  /** "h1"… */
  name: string;
  /** "r1"… */
  rack: string;
  /** VMs (FT primaries, secondaries or plain VMs) the host can run at once. */
  cpuCapacity: number;
  /** Guest instructions the host executes per simulated microsecond at full speed. */
  instructionsPerUs: number;
}

export type PathSelector = 0 | 1 | 'all';

export class Host {
  readonly name: string;
  readonly rack: string;
  readonly cpuCapacity: number;
  readonly instructionsPerUs: number;
  /** Running (not crashed, rack powered). */
  up = true;
  /** Bumped on every repair after a crash. */
  incarnation = 0;
  readonly hbaUp: boolean[] = [true, true];
  readonly clientNicUp: boolean[] = [true, true];
  loggingNicUp = true;
  /** ≥ 1; the host runs guests `slowFactor` times slower. */
  slowFactor = 1;
  /** VM slots in use. */
  slotsUsed = 0;

  constructor(spec: HostSpec) {
    assert(/^h[1-9]\d*$/.test(spec.name), `host name must be h1…hN, got ${spec.name}`);
    assert(/^r[1-9]\d*$/.test(spec.rack), `rack name must be r1…rN, got ${spec.rack}`);
    assert(Number.isInteger(spec.cpuCapacity) && spec.cpuCapacity >= 1, 'cpuCapacity must be ≥ 1');
    assert(spec.instructionsPerUs > 0, 'instructionsPerUs must be positive');
    this.name = spec.name;
    this.rack = spec.rack;
    this.cpuCapacity = spec.cpuCapacity;
    this.instructionsPerUs = spec.instructionsPerUs;
  }

  get hasStoragePath(): boolean {
    return this.up && (this.hbaUp[0]! || this.hbaUp[1]!);
  }

  get hasClientNic(): boolean {
    return this.up && (this.clientNicUp[0]! || this.clientNicUp[1]!);
  }

  /** Whether the host can send and receive on a network right now (ignoring partitions). */
  canUse(network: NetworkKind): boolean {
    if (!this.up) return false;
    if (network === 'logging') return this.loggingNicUp;
    if (network === 'client') return this.hasClientNic;
    if (network === 'storage') return this.hasStoragePath;
    // Heartbeats go out of any working NIC.
    return this.loggingNicUp || this.hasClientNic;
  }

  /** Instructions the host runs for a guest in `micros` simulated microseconds. */
  instructionBudget(micros: number): number {
    return Math.max(1, Math.floor((micros * this.instructionsPerUs) / this.slowFactor));
  }

  get freeSlots(): number {
    return this.cpuCapacity - this.slotsUsed;
  }

  /** Its VMs die with it; they give their slots back as they are cleared. */
  crash(): void {
    this.up = false;
  }

  /** Restores every component; a crashed host reboots empty as a new incarnation. */
  repair(): void {
    if (!this.up) this.incarnation++;
    this.up = true;
    this.hbaUp.fill(true);
    this.clientNicUp.fill(true);
    this.loggingNicUp = true;
    this.slowFactor = 1;
  }

  failHba(path: PathSelector): void {
    failPaths(this.hbaUp, path);
  }

  failClientNic(path: PathSelector): void {
    failPaths(this.clientNicUp, path);
  }

  failLoggingNic(): void {
    this.loggingNicUp = false;
  }

  setSlowFactor(factor: number): void {
    assert(factor >= 1, 'slow factor must be ≥ 1');
    this.slowFactor = factor;
  }
}

function failPaths(paths: boolean[], path: PathSelector): void {
  if (path === 'all') paths.fill(false);
  else paths[path] = false;
}
