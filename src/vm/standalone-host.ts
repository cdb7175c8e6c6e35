// A deterministic host for running one guest alone (no fault tolerance): simulated time advances
// with retired instructions and jumps forward while the guest idles in `wfi`; time/cycle/mtime
// answer from that clock, entropy from a seeded PRNG; it raises the timer, delivers queued packets
// and completes disk requests after a fixed latency. Same inputs → same result (only `seconds`
// and `mips` are wall-clock figures).
//
// Time is kept in integer "cycles" = instret + idle cycles, one cycle per instruction, so due
// checks are exact; microseconds = cycles / instructionsPerMicrosecond.
import { assert } from '../base/assert.ts';
import { Prng } from '../base/prng.ts';
import {
  DISK_SECTOR_BYTES,
  type DiskRequest,
  Nondet,
  type NondetSource,
  type StopReason,
  type VmOutputs,
} from './api.ts';
import { VirtualMachine, type VmEngine } from './machine.ts';

export const DEFAULT_MAX_INSTRUCTIONS = 1_000_000_000;
/** The longest run between scheduling decisions (the guest may reprogram the timer meanwhile). */
const SLICE_INSTRUCTIONS_MAX = 10_000;

export interface TimedPacket {
  atMicros: number;
  data: Uint8Array;
}

export interface StandaloneOptions {
  /** Simulated speed; default 100 (a 100 MIPS machine). */
  instructionsPerMicrosecond?: number;
  /** Seed of the entropy PRNG; default 1. */
  seed?: number;
  /** Instruction budget; default 1e9. */
  maxInstructions?: number;
  /** Disk contents (length a multiple of 512); default 1 MiB of zeros. Copied, not modified. */
  diskImage?: Uint8Array;
  /** Time from a disk request to its completion; default 200. */
  diskLatencyMicros?: number;
  /** Packets the outside world sends, delivered at or after `atMicros` when the NIC is armed. */
  packets?: TimedPacket[];
  /** Guest RAM; default 1 MiB. */
  ramSize?: number;
  /** Execution engine (VmOptions.engine); default 'compiled'. */
  engine?: VmEngine;
}

export type StandaloneStop = StopReason | 'budget';

export interface StandaloneResult {
  /** 'exit', 'fatal', 'budget', or 'wfi' when the guest idles with nothing left to wake it. */
  stop: StandaloneStop;
  exitCode: number;
  instructions: number;
  console: string;
  transmitted: TimedPacket[];
  disk: Uint8Array;
  simulatedMicros: number;
  seconds: number;
  mips: number;
  /** Why the VM halted, for stop 'fatal'. */
  fatalReason?: string;
}

interface PendingDisk {
  request: DiskRequest;
  doneAtCycles: number;
}

export class StandaloneHost implements NondetSource, VmOutputs {
  readonly vm: VirtualMachine;
  readonly instructionsPerMicrosecond: number;
  readonly maxInstructions: number;
  readonly disk: Uint8Array;
  readonly transmitted: TimedPacket[] = [];
  private readonly diskLatencyCycles: number;
  private readonly prng: Prng;
  private readonly packets: { atCycles: number; data: Uint8Array }[];
  private readonly consoleBytes: number[] = [];
  private pendingDisk: PendingDisk | null = null;
  private idleCycles = 0;
  private wallSeconds = 0;

  constructor(elf: Uint8Array, options: StandaloneOptions = {}) {
    const ipm = options.instructionsPerMicrosecond ?? 100;
    const latency = options.diskLatencyMicros ?? 200;
    this.maxInstructions = options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
    assert(Number.isFinite(ipm) && ipm > 0, 'instructionsPerMicrosecond must be a positive number');
    assert(
      Number.isSafeInteger(this.maxInstructions) && this.maxInstructions > 0,
      'maxInstructions must be a positive integer',
    );
    assert(Number.isFinite(latency) && latency >= 0, 'diskLatencyMicros must be a non-negative number');
    this.instructionsPerMicrosecond = ipm;
    this.diskLatencyCycles = Math.ceil(latency * ipm);
    this.disk = options.diskImage?.slice() ?? new Uint8Array(1 << 20);
    assert(this.disk.length % DISK_SECTOR_BYTES === 0, 'diskImage length must be a multiple of 512');
    this.prng = new Prng(options.seed ?? 1);
    this.packets = (options.packets ?? []).map((p, i) => {
      assert(Number.isFinite(p.atMicros) && p.atMicros >= 0, `packets[${i}].atMicros must be >= 0`);
      return { atCycles: Math.ceil(p.atMicros * ipm), data: p.data };
    });
    this.packets.sort((a, b) => a.atCycles - b.atCycles); // stable: equal times keep input order
    this.vm = VirtualMachine.fromElf(elf, {
      ramSize: options.ramSize,
      engine: options.engine,
      nondet: this,
      outputs: this,
    });
  }

  /** Simulated time in cycles at the boundary before instruction number `instret`. */
  cycles(instret: number = this.vm.instret): number {
    return instret + this.idleCycles;
  }

  simulatedMicros(instret: number = this.vm.instret): number {
    return this.cycles(instret) / this.instructionsPerMicrosecond;
  }

  // --- NondetSource ---

  read(kind: Nondet, instret: number): number {
    switch (kind) {
      case Nondet.TimeLo:
      case Nondet.MtimeLo:
        return Math.floor(this.simulatedMicros(instret)) >>> 0;
      case Nondet.TimeHi:
      case Nondet.MtimeHi:
        return Math.floor(this.simulatedMicros(instret) / 0x1_0000_0000) >>> 0;
      case Nondet.CycleLo:
        return this.cycles(instret) >>> 0;
      case Nondet.CycleHi:
        return Math.floor(this.cycles(instret) / 0x1_0000_0000) >>> 0;
      case Nondet.Entropy:
        return this.prng.nextU32();
    }
    assert(false, `unknown nondeterministic read kind ${kind}`);
  }

  // --- VmOutputs ---

  console(byte: number): void {
    this.consoleBytes.push(byte);
  }

  nicTransmit(data: Uint8Array, instret: number): void {
    this.transmitted.push({ atMicros: this.simulatedMicros(instret), data });
  }

  diskRequest(request: DiskRequest, instret: number): void {
    assert(this.pendingDisk === null, 'the VM started a disk request while one was running');
    this.pendingDisk = { request, doneAtCycles: this.cycles(instret) + this.diskLatencyCycles };
  }

  // --- Scheduling ---

  /**
   * One scheduling step: deliver the inputs that are due, then run to the next event, the slice
   * bound or the budget. Returns the final stop, or null while the guest can go on.
   */
  step(): StandaloneStop | null {
    const vm = this.vm;
    if (vm.exited) return 'exit';
    if (vm.hart.fatal) return 'fatal';
    if (vm.instret >= this.maxInstructions) return 'budget';
    this.deliverDue();
    const horizon = Math.min(
      this.maxInstructions,
      vm.instret + SLICE_INSTRUCTIONS_MAX,
      Math.max(vm.instret, this.nextEventCycles() - this.idleCycles),
    );
    const started = performance.now();
    const stop = vm.run(horizon);
    this.wallSeconds += (performance.now() - started) / 1000;
    if (stop === 'exit' || stop === 'fatal') return stop;
    if (stop === 'wfi') return this.idle();
    return null;
  }

  /** Runs until the guest exits, halts, idles for good or exhausts the budget. */
  run(): StandaloneResult {
    let stop: StandaloneStop | null = null;
    while (stop === null) stop = this.step();
    return this.result(stop);
  }

  result(stop: StandaloneStop): StandaloneResult {
    const instructions = this.vm.instret;
    return {
      stop,
      exitCode: this.vm.exitCode,
      instructions,
      console: new TextDecoder().decode(new Uint8Array(this.consoleBytes)),
      transmitted: this.transmitted,
      disk: this.disk,
      simulatedMicros: this.simulatedMicros(),
      seconds: this.wallSeconds,
      mips: this.wallSeconds > 0 ? instructions / this.wallSeconds / 1e6 : 0,
      ...(stop === 'fatal' ? { fatalReason: this.vm.fatalReason } : {}),
    };
  }

  /** The guest waits in wfi: deliver what is due, else jump time to the next event. */
  private idle(): StandaloneStop | null {
    this.deliverDue();
    if (this.interruptPending()) return null;
    const next = this.nextEventCycles();
    if (next === Number.POSITIVE_INFINITY) return 'wfi';
    this.idleCycles += Math.max(0, next - this.cycles());
    this.deliverDue();
    return null;
  }

  private interruptPending(): boolean {
    return (this.vm.hart.mip & this.vm.hart.mie) !== 0;
  }

  private deliverDue(): void {
    const vm = this.vm;
    const now = this.cycles();
    if (!vm.clint.timerLine && now >= this.timerDueCycles()) vm.inject({ kind: 'timer' });
    const disk = this.pendingDisk;
    if (disk !== null && now >= disk.doneAtCycles) {
      this.pendingDisk = null;
      this.completeDisk(disk.request);
    }
    while (this.packets.length > 0 && this.packets[0]!.atCycles <= now && vm.nicReady()) {
      vm.inject({ kind: 'nic-rx', data: this.packets.shift()!.data });
    }
  }

  /** The earliest cycle at which something will become deliverable (Infinity if nothing can). */
  private nextEventCycles(): number {
    let next = Number.POSITIVE_INFINITY;
    if (!this.vm.clint.timerLine) next = this.timerDueCycles();
    if (this.pendingDisk !== null) next = Math.min(next, this.pendingDisk.doneAtCycles);
    if (this.packets.length > 0 && this.vm.nicReady()) next = Math.min(next, this.packets[0]!.atCycles);
    return next;
  }

  /** mtime (= floor(micros)) >= mtimecmp  ⟺  cycles >= mtimecmp × ipm. */
  private timerDueCycles(): number {
    const due = Math.ceil(this.vm.timerCompare() * this.instructionsPerMicrosecond);
    return Number.isSafeInteger(due) ? due : Number.POSITIVE_INFINITY;
  }

  private completeDisk(request: DiskRequest): void {
    const start = request.sector * DISK_SECTOR_BYTES;
    const bytes = request.count * DISK_SECTOR_BYTES;
    if (start + bytes > this.disk.length) {
      this.vm.inject({ kind: 'disk-done', id: request.id, error: true });
    } else if (request.op === 'write') {
      this.disk.set(request.data!, start);
      this.vm.inject({ kind: 'disk-done', id: request.id });
    } else {
      this.vm.inject({ kind: 'disk-done', id: request.id, data: this.disk.slice(start, start + bytes) });
    }
  }
}

/** Runs a guest ELF standalone to its end (or the budget). Throws ElfError for a bad ELF. */
export function runStandalone(elf: Uint8Array, options: StandaloneOptions = {}): StandaloneResult {
  return new StandaloneHost(elf, options).run();
}
