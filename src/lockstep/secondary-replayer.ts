// The secondary side of lockstep: executes to the exact instruction count of the next log entry,
// injects it (or answers the read with it), and continues — never past the log it has. Its
// outputs are suppressed: recorded for the checker, never delivered. A replay that cannot follow
// the log (a read the log does not have, an entry for a boundary already passed) is a fault.
import { assert } from '../base/assert.ts';
import type { DiskRequest, Nondet, NondetSource, VirtualMachineApi, VmInput, VmOutputs } from '../vm/api.ts';
import type { LogReceiver } from './log-channel.ts';
import { describeEntry, type LogEntry, OUTPUT_KIND_NAMES, OutputKind } from './log-entry.ts';
import { OutputLog } from './output-log.ts';
import { correctStrategy, type DataPlaneStrategy } from './strategy.ts';

export interface ReplayFault {
  instret: number;
  message: string;
}

export interface SecondaryReplayerOptions {
  vm: VirtualMachineApi;
  receiver: LogReceiver;
  strategy?: DataPlaneStrategy;
  /** The secondary host's own answers: used only for reads the strategy does not replay. */
  localSource?: NondetSource;
  /** The outside world: reached by the secondary's outputs only under a seeded bug. */
  world?: VmOutputs;
  /**
   * Disk requests the VM had started and not seen complete when the snapshot it was restored
   * from was taken: their completions may never reach this log (the primary can fail first), so
   * they are pending here too until the log completes them.
   */
  pendingDisk?: readonly DiskRequest[];
  /**
   * Entries decoded ahead of the VM at most (default LOOKAHEAD_ENTRIES_DEFAULT). Only a cost
   * knob: any value from 1 up replays the same; fuzzing draws small ones so the compaction of
   * the lookahead runs in every such schedule, not only past 4096 entries.
   */
  lookaheadEntries?: number;
}

export interface GoLiveReport {
  /** The boundary at which the secondary left replay. */
  instret: number;
  /** Disk requests started in the log but never completed: the new primary must reissue them. */
  pendingDisk: DiskRequest[];
  fault: ReplayFault | null;
}

/** Entries decoded ahead of the VM (beyond the receive buffer, so bounded too). */
export const LOOKAHEAD_ENTRIES_DEFAULT = 4096;

const NULL_SOURCE: NondetSource = { read: () => 0 };
const NULL_OUTPUTS: VmOutputs = { console() {}, nicTransmit() {}, diskRequest() {} };

export class SecondaryReplayer implements NondetSource, VmOutputs {
  readonly vm: VirtualMachineApi;
  readonly receiver: LogReceiver;
  readonly strategy: DataPlaneStrategy;
  /** What the secondary produced (suppressed). */
  readonly suppressed = new OutputLog();
  private readonly localSource: NondetSource;
  private readonly world: VmOutputs;
  /** Decoded entries not yet applied: `ahead[aheadHead..]` (at most `lookaheadEntries`). */
  private readonly ahead: LogEntry[] = [];
  private aheadHead = 0;
  private readonly lookaheadEntries: number;
  private readonly pendingDisk = new Map<number, DiskRequest>();
  private started = false;
  private live = false;
  fault: ReplayFault | null = null;
  entriesApplied = 0;
  /** Times the lookahead was compacted with entries still ahead (its edge case, for tests). */
  lookaheadCompactions = 0;

  constructor(options: SecondaryReplayerOptions) {
    this.vm = options.vm;
    this.receiver = options.receiver;
    this.strategy = options.strategy ?? correctStrategy;
    this.localSource = options.localSource ?? NULL_SOURCE;
    this.world = options.world ?? NULL_OUTPUTS;
    for (const request of options.pendingDisk ?? []) this.pendingDisk.set(request.id, request);
    this.lookaheadEntries = options.lookaheadEntries ?? LOOKAHEAD_ENTRIES_DEFAULT;
    assert(
      Number.isInteger(this.lookaheadEntries) && this.lookaheadEntries >= 1,
      'SecondaryReplayer lookaheadEntries must be a positive integer',
    );
    this.vm.nondet = this;
    this.vm.outputs = this;
  }

  /** True when every received entry has been applied (the secondary waits for more log). */
  get caughtUp(): boolean {
    return this.aheadHead === this.ahead.length && this.receiver.bufferedBytes === 0;
  }

  /** Disk requests the secondary started whose completion the log has not delivered yet. */
  pendingDiskRequests(): DiskRequest[] {
    return [...this.pendingDisk.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Executes at most `budget` instructions and never beyond `stopAt` or the log. Returns the
   * instructions executed. Inputs logged at the boundary where it stops are applied next time,
   * so a state digest taken there is the state before them, as on the primary.
   */
  advance(budget: number, stopAt = Number.POSITIVE_INFINITY): number {
    assert(!this.live, 'the secondary has gone live: it no longer replays');
    const begin = this.vm.instret;
    const target = Math.min(begin + budget, stopAt);
    while (this.fault === null) {
      const entry = this.peek(0);
      if (entry === null) break;
      if (this.vm.exited) {
        if (entry.kind !== 'progress' || entry.instret > this.vm.instret) {
          this.fail(this.vm.instret, `the guest exited but the log continues with ${describeEntry(entry)}`);
        }
        this.consume();
        continue;
      }
      if (!this.applyOrRun(entry, target)) break;
    }
    return this.vm.instret - begin;
  }

  /** One step towards `entry`; false when the secondary must stop here (target, idle or fault). */
  private applyOrRun(entry: LogEntry, target: number): boolean {
    const at = this.vm.instret;
    if (entry.kind === 'start') {
      if (this.started || entry.instret !== at) {
        return this.fail(at, `log stream starts at ${entry.instret} but the secondary is at ${at}`);
      }
      this.started = true;
      return this.consume();
    }
    if (!this.started) return this.fail(at, `log does not begin with a start entry: ${describeEntry(entry)}`);
    if (entry.kind === 'input') {
      const injectAt = entry.instret + this.strategy.injectionDelay(entry.input);
      if (at > injectAt)
        return this.fail(at, `log entry ${describeEntry(entry)} is for a boundary already passed`);
      if (at < injectAt) return this.runTo(Math.min(injectAt, target));
      if (at >= target) return false;
      this.applyInput(entry.input);
      return this.consume();
    }
    if (entry.kind === 'progress') {
      return at >= entry.instret ? this.consume() : this.runTo(Math.min(this.runLimit(target), target));
    }
    if (at > entry.instret) {
      return this.fail(at, `the secondary passed ${describeEntry(entry)} without reproducing it`);
    }
    return this.runTo(Math.min(this.runLimit(target), target));
  }

  /**
   * How far the log lets the VM run in one go: across every read and output entry ahead (the
   * callbacks consume them as the VM reaches them) up to the next input, or the end of the log.
   * The scan stops once it reaches `target`, so small steps cost small scans.
   */
  private runLimit(target: number): number {
    let limit = this.vm.instret;
    for (let i = 0; limit < target; i++) {
      const entry = this.peek(i);
      if (entry === null || entry.kind === 'input' || entry.kind === 'start') break;
      const entryLimit = entry.kind === 'progress' ? entry.instret : entry.instret + 1;
      if (entryLimit > limit) limit = entryLimit;
    }
    return limit;
  }

  /** The i-th entry not yet applied, decoding from the receive buffer as needed. */
  private peek(i: number): LogEntry | null {
    const index = this.aheadHead + i;
    while (this.ahead.length <= index) {
      if (this.ahead.length - this.aheadHead >= this.lookaheadEntries) return null;
      const entry = this.receiver.reader.next();
      if (entry === null) return null;
      this.ahead.push(entry);
    }
    return this.ahead[index]!;
  }

  /** The entry a read or output at `instret` should match (progress markers behind it skipped). */
  private entryFor(instret: number): LogEntry | null {
    let entry = this.peek(0);
    while (entry !== null && entry.kind === 'progress' && entry.instret <= instret) {
      this.consume();
      entry = this.peek(0);
    }
    return entry;
  }

  private runTo(until: number): boolean {
    const before = this.vm.instret;
    if (until <= before) return false;
    // A 'wfi' stop retires the wfi; the next entry (an input at this boundary) wakes the guest.
    const reason = this.vm.run(until);
    // A fatal trap short of where the log leads is a divergence; at the primary's own fatal
    // boundary it is the same stop the primary made.
    if (reason === 'fatal' && this.vm.instret < until) {
      return this.fail(this.vm.instret, `the secondary stopped on a fatal trap before ${until}`);
    }
    return this.vm.instret > before;
  }

  private applyInput(input: VmInput): void {
    if (input.kind === 'disk-done') this.pendingDisk.delete(input.id);
    this.vm.inject(input);
    this.entriesApplied++;
  }

  private consume(): true {
    this.aheadHead++;
    if (this.aheadHead === this.ahead.length) {
      this.ahead.length = 0;
      this.aheadHead = 0;
    } else if (this.aheadHead >= this.lookaheadEntries) {
      this.ahead.splice(0, this.aheadHead);
      this.lookaheadCompactions++;
      this.aheadHead = 0;
    }
    return true;
  }

  private fail(instret: number, message: string): false {
    if (this.fault === null) this.fault = { instret, message };
    return false;
  }

  read(kind: Nondet, instret: number): number {
    if (!this.strategy.replaysNondet(kind)) return this.localSource.read(kind, instret) >>> 0;
    const entry = this.entryFor(instret);
    if (entry !== null && entry.kind === 'nondet' && entry.source === kind && entry.instret === instret) {
      this.consume();
      this.entriesApplied++;
      return entry.value;
    }
    this.fail(
      instret,
      `nondet read (kind ${kind}) at ${instret} but the log has ${entry ? describeEntry(entry) : 'nothing'}`,
    );
    return 0;
  }

  console(byte: number, instret: number): void {
    this.checkOutput(OutputKind.Console, instret);
    this.suppressed.console(byte);
    if (!this.strategy.suppressesOutput) this.world.console(byte, instret);
  }

  nicTransmit(data: Uint8Array, instret: number): void {
    this.checkOutput(OutputKind.Nic, instret);
    this.suppressed.nicTransmit(data);
    if (!this.strategy.suppressesOutput) this.world.nicTransmit(data, instret);
  }

  diskRequest(request: DiskRequest, instret: number): void {
    this.checkOutput(OutputKind.Disk, instret);
    this.suppressed.diskRequest(request);
    this.pendingDisk.set(request.id, request);
    if (!this.strategy.suppressesOutput) this.world.diskRequest(request, instret);
  }

  private checkOutput(kind: OutputKind, instret: number): void {
    if (this.live) return;
    const entry = this.entryFor(instret);
    if (entry !== null && entry.kind === 'output' && entry.output === kind && entry.instret === instret) {
      this.consume();
      return;
    }
    const found = entry ? describeEntry(entry) : 'nothing';
    this.fail(instret, `${OUTPUT_KIND_NAMES[kind]} output at ${instret} but the log has ${found}`);
  }

  /**
   * Go-live: applies every entry received, leaves replay and reports pending disk I/O. The
   * caller then installs the new primary's doors (e.g. a `PrimaryRecorder` on `vm`).
   */
  goLive(): GoLiveReport {
    this.advance(Number.POSITIVE_INFINITY);
    this.live = true;
    this.vm.nondet = NULL_SOURCE;
    this.vm.outputs = NULL_OUTPUTS;
    return { instret: this.vm.instret, pendingDisk: this.pendingDiskRequests(), fault: this.fault };
  }
}
