// The primary's host for the in-process pair: a clock derived from the primary's instruction
// count (plus idle time), the timer raised when that clock reaches `mtimecmp` (with seeded
// jitter), packets that arrive at scheduled times and wait for a free NIC buffer, and a disk
// image answering released requests after a seeded latency. It is the outside world too: the
// outputs released by the Output Rule land in `world`.
import { assert } from '../base/assert.ts';
import { Prng } from '../base/prng.ts';
import {
  DISK_SECTOR_BYTES,
  type DiskRequest,
  Nondet,
  type NondetSource,
  type VirtualMachineApi,
  type VmInput,
  type VmOutputs,
} from '../vm/api.ts';
import { OutputLog } from './output-log.ts';

export interface ScheduledPacket {
  atUs: number;
  data: Uint8Array;
}

export interface PairHostOptions {
  seed: number;
  /** Guest instructions per simulated microsecond (the VM's speed). Default 100. */
  instructionsPerUs?: number;
  /** Packets arriving from clients, at simulated times. */
  packets?: readonly ScheduledPacket[];
  /** Disk completion latency, drawn uniformly per request. Default 50..500 µs. */
  diskLatencyUs?: { min: number; max: number };
  /** Timer delivery delay after `mtimecmp` is reached, drawn per deadline in 0..max. Default 0. */
  timerJitterUsMax?: number;
  /** Initial disk image (copied). Default: 2048 zero sectors. */
  diskImage?: Uint8Array;
}

interface PendingCompletion {
  dueUs: number;
  request: DiskRequest;
}

const TWO_32 = 0x1_0000_0000;

export class PairHost implements NondetSource, VmOutputs {
  readonly world = new OutputLog();
  readonly disk: Uint8Array;
  readonly instructionsPerUs: number;
  private readonly packets: ScheduledPacket[];
  private nextPacket = 0;
  private readonly completions: PendingCompletion[] = [];
  private readonly latency: { min: number; max: number };
  private readonly jitterMax: number;
  private readonly entropy: Prng;
  private readonly timing: Prng;
  private baseUs = 0;
  private baseInstret = 0;
  private idleCycles = 0;
  private lastInstret = 0;
  private jitterForCompare = -1;
  private jitterUs = 0;
  private raisedCompare = -1;

  constructor(options: PairHostOptions) {
    this.instructionsPerUs = options.instructionsPerUs ?? 100;
    assert(this.instructionsPerUs > 0, 'instructionsPerUs must be positive');
    this.packets = [...(options.packets ?? [])].sort((a, b) => a.atUs - b.atUs);
    this.latency = options.diskLatencyUs ?? { min: 50, max: 500 };
    assert(this.latency.min >= 0 && this.latency.max >= this.latency.min, 'disk latency range is invalid');
    this.jitterMax = options.timerJitterUsMax ?? 0;
    this.disk = options.diskImage ? options.diskImage.slice() : new Uint8Array(2048 * DISK_SECTOR_BYTES);
    const prng = new Prng(options.seed);
    this.entropy = prng.fork('entropy');
    this.timing = prng.fork('timing');
  }

  /** Simulated time at the primary's boundary `instret`, in microseconds. */
  timeAt(instret: number): number {
    return this.baseUs + Math.floor((instret - this.baseInstret) / this.instructionsPerUs);
  }

  get nowUs(): number {
    return this.timeAt(this.lastInstret);
  }

  /** Tells the host how far the primary has executed. */
  syncTo(instret: number): void {
    assert(instret >= this.lastInstret, 'the primary never runs backwards');
    this.lastInstret = instret;
  }

  /** The primary idles (wfi) at `instret` until `us`. */
  idleUntil(us: number, instret: number): void {
    const now = this.timeAt(instret);
    if (us <= now) return;
    this.idleCycles += (us - now) * this.instructionsPerUs;
    this.baseUs = us;
    this.baseInstret = instret;
    this.lastInstret = instret;
  }

  read(kind: Nondet, instret: number): number {
    switch (kind) {
      case Nondet.TimeLo:
      case Nondet.MtimeLo:
        return this.timeAt(instret) % TWO_32;
      case Nondet.TimeHi:
      case Nondet.MtimeHi:
        return Math.floor(this.timeAt(instret) / TWO_32) % TWO_32;
      case Nondet.CycleLo:
        return (instret + this.idleCycles) % TWO_32;
      case Nondet.CycleHi:
        return Math.floor((instret + this.idleCycles) / TWO_32) % TWO_32;
      default:
        return this.entropy.nextU32();
    }
  }

  /** The next input due at the primary's current boundary, or null. */
  dueInput(vm: VirtualMachineApi): VmInput | null {
    const now = this.timeAt(vm.instret);
    if (this.timerDueUs(vm) <= now) {
      this.raisedCompare = vm.timerCompare();
      return { kind: 'timer' };
    }
    const completion = this.completions[0];
    if (completion !== undefined && completion.dueUs <= now) {
      this.completions.shift();
      return this.complete(completion.request);
    }
    const packet = this.packets[this.nextPacket];
    if (packet !== undefined && packet.atUs <= now && vm.nicReady()) {
      this.nextPacket++;
      return { kind: 'nic-rx', data: packet.data };
    }
    return null;
  }

  /** When the next input could become due (Infinity: nothing will ever happen). */
  nextEventUs(vm: VirtualMachineApi): number {
    let next = this.timerDueUs(vm);
    if (this.completions.length > 0) next = Math.min(next, this.completions[0]!.dueUs);
    const packet = this.packets[this.nextPacket];
    if (packet !== undefined && vm.nicReady()) next = Math.min(next, packet.atUs);
    return next;
  }

  get packetsPending(): number {
    return this.packets.length - this.nextPacket;
  }

  /** Packets not yet delivered to the primary (clients would resend them to a new primary). */
  undeliveredPackets(): ScheduledPacket[] {
    return this.packets.slice(this.nextPacket);
  }

  private timerDueUs(vm: VirtualMachineApi): number {
    const compare = vm.timerCompare();
    if (compare === this.raisedCompare || !Number.isFinite(compare) || compare >= 2 ** 53) {
      return Number.POSITIVE_INFINITY;
    }
    if (compare !== this.jitterForCompare) {
      this.jitterForCompare = compare;
      this.jitterUs = this.jitterMax > 0 ? this.timing.nextInt(this.jitterMax + 1) : 0;
    }
    return compare + this.jitterUs;
  }

  private complete(request: DiskRequest): VmInput {
    const start = request.sector * DISK_SECTOR_BYTES;
    const end = start + request.count * DISK_SECTOR_BYTES;
    if (end > this.disk.length) return { kind: 'disk-done', id: request.id, error: true };
    if (request.op === 'write') {
      assert(request.data !== undefined, 'a disk write request carries its data');
      this.disk.set(request.data.subarray(0, end - start), start);
      return { kind: 'disk-done', id: request.id };
    }
    return { kind: 'disk-done', id: request.id, data: this.disk.slice(start, end) };
  }

  console(byte: number): void {
    this.world.console(byte);
  }

  nicTransmit(data: Uint8Array): void {
    this.world.nicTransmit(data);
  }

  /** A released disk request: completes after a seeded latency (in request order). */
  diskRequest(request: DiskRequest): void {
    this.world.diskRequest(request);
    const span = this.latency.max - this.latency.min;
    const latency = this.latency.min + (span > 0 ? this.timing.nextInt(span + 1) : 0);
    const last = this.completions[this.completions.length - 1];
    const dueUs = Math.max(this.nowUs + latency, last?.dueUs ?? 0);
    this.completions.push({ dueUs, request });
  }
}

/** A secondary host's own clock (used only when a seeded bug lets the secondary read time itself). */
export function localClock(instructionsPerUs: number, skewUs: number): NondetSource {
  return {
    read(kind: Nondet, instret: number): number {
      const us = Math.floor(instret / instructionsPerUs) + skewUs;
      if (kind === Nondet.TimeHi || kind === Nondet.MtimeHi) return Math.floor(us / TWO_32) % TWO_32;
      if (kind === Nondet.TimeLo || kind === Nondet.MtimeLo) return us % TWO_32;
      return instret % TWO_32;
    },
  };
}
