// The in-process driver: a primary and a secondary VM in one process, advanced in abstract steps.
// Each step the primary runs a slice (scaled by the lag controller, skipped while the log buffer
// is full), the log moves over the channel (optionally delayed by whole steps), the secondary
// replays what it has, and its acknowledgement releases held outputs. Time here is the primary's
// instruction count plus idle jumps (PairHost); the cluster simulation assembles the same pieces
// (PrimaryRecorder, LogSender/LogReceiver, SecondaryReplayer, LockstepChecker) on its own clock.
import { assert } from '../base/assert.ts';
import type { StateDifference, StopReason, VirtualMachineApi, VmSnapshot } from '../vm/api.ts';
import { LagController, type LagControlOptions } from './lag-controller.ts';
import { type Divergence, LockstepChecker } from './lockstep-checker.ts';
import {
  type LogAck,
  LogReceiver,
  type LogReceiverOptions,
  type LogSegment,
  LogSender,
  type LogSenderOptions,
} from './log-channel.ts';
import type { HeldOutput } from './output-gate.ts';
import { firstOutputDifference } from './output-log.ts';
import { localClock, type PairHost } from './pair-host.ts';
import { PrimaryRecorder } from './primary-recorder.ts';
import { type GoLiveReport, SecondaryReplayer } from './secondary-replayer.ts';
import { correctStrategy, type DataPlaneStrategy } from './strategy.ts';

export type DescribeDifferences = (primary: VmSnapshot, secondary: VmSnapshot) => StateDifference[];

export interface LockstepPairOptions {
  /** Both VMs must start in the same state (same image, or restored from one snapshot). */
  primary: VirtualMachineApi;
  /** null: the primary runs alone (the non-FT baseline, same host and driver). */
  secondary: VirtualMachineApi | null;
  host: PairHost;
  strategy?: DataPlaneStrategy;
  /** Primary instructions per step at full speed. Default 20 000. */
  sliceInstructions?: number;
  /** Secondary budget per step as a fraction of the slice. Default 1. */
  secondarySpeed?: number;
  /** Compare state digests at every multiple of this instret; 0 = no I1 sampling. Default 0. */
  checkEvery?: number;
  /** From this instret on, compare at every boundary (tests: a dense window after start-up). */
  checkEveryBoundaryFrom?: number;
  /** The primary waits at each sample until the secondary compared it (exact divergence reports). */
  strictCheck?: boolean;
  /** Steps a segment or an acknowledgement spends in transit. Default 0. */
  channelDelaySteps?: number;
  sender?: LogSenderOptions;
  receiver?: LogReceiverOptions;
  /** The replayer's lookahead (SecondaryReplayerOptions.lookaheadEntries). */
  lookaheadEntries?: number;
  lag?: LagControlOptions;
  /** The primary stops at this instret. Default 50M. */
  maxInstructions?: number;
  /** Bound on steps (a bug that stalls the pair forever is reported, not hung on). Default 10M. */
  stepsMax?: number;
  /** Keep the whole log (reference oracle, determinism). Default false. */
  keepTranscript?: boolean;
  /** Names what differs at a divergence (the VM's `describeDifferences`). */
  describeDifferences?: DescribeDifferences;
  /** Skew of the secondary host's own clock (only a seeded bug reads it). Default 1000 µs. */
  secondaryClockSkewUs?: number;
}

export interface LockstepFigures {
  steps: number;
  primaryInstructions: number;
  secondaryInstructions: number;
  simulatedUs: number;
  logBytes: number;
  logEntries: number;
  samplesCompared: number;
  stallSteps: number;
  slowdowns: number;
  slowedSteps: number;
  lagMaxInstructions: number;
  outputsTotal: number;
  outputsDelayed: number;
  heldOutputsPeak: number;
  senderBufferPeakBytes: number;
  receiverBufferPeakBytes: number;
}

export interface LockstepResult {
  /** ok: ran to the end with no divergence; step-limit: stepsMax reached first. */
  status: 'ok' | 'diverged' | 'step-limit';
  /** How the primary stopped: exit, idle (nothing left to happen), limit (maxInstructions), fatal. */
  primaryStop: StopReason | 'idle' | null;
  exitCode: number;
  divergence: Divergence | null;
  figures: LockstepFigures;
}

interface InTransit<T> {
  dueStep: number;
  item: T;
}

interface Engagement {
  sender: LogSender;
  receiver: LogReceiver;
  replayer: SecondaryReplayer;
  segments: InTransit<LogSegment>[];
  acks: InTransit<LogAck>[];
}

export class LockstepPair {
  readonly primary: VirtualMachineApi;
  readonly host: PairHost;
  readonly recorder: PrimaryRecorder;
  readonly lag: LagController;
  readonly checker: LockstepChecker | null;
  private readonly options: LockstepPairOptions;
  private readonly strategy: DataPlaneStrategy;
  private readonly slice: number;
  private readonly maxInstructions: number;
  private engagement: Engagement | null = null;
  private idle = false;
  private primaryStop: StopReason | 'idle' | null = null;
  private steps = 0;
  private stallSteps = 0;
  private secondaryInstructions = 0;
  private logBytesBefore = 0;
  private logEntriesBefore = 0;
  divergence: Divergence | null = null;

  constructor(options: LockstepPairOptions) {
    this.options = options;
    this.primary = options.primary;
    this.host = options.host;
    this.strategy = options.strategy ?? correctStrategy;
    this.slice = options.sliceInstructions ?? 20_000;
    this.maxInstructions = options.maxInstructions ?? 50_000_000;
    assert(Number.isInteger(this.slice) && this.slice >= 1, 'sliceInstructions must be a positive integer');
    assert(options.primary !== options.secondary, 'primary and secondary must be distinct VMs');
    this.lag = new LagController(options.lag);
    const every = options.checkEvery ?? 0;
    this.checker = every > 0 ? new LockstepChecker(every, options.checkEveryBoundaryFrom) : null;
    this.checker?.reset(this.primary.instret);
    this.recorder = new PrimaryRecorder({
      vm: this.primary,
      source: this.host,
      world: this.host,
      sender: null,
      strategy: this.strategy,
    });
    this.recorder.gate.onRelease = (output, acked) => this.checkOutputRule(output, acked);
    if (options.secondary !== null) this.engage(options.secondary);
  }

  /** The current secondary's replayer (null while the primary runs alone). */
  get replayer(): SecondaryReplayer | null {
    return this.engagement?.replayer ?? null;
  }

  get sender(): LogSender | null {
    return this.engagement?.sender ?? null;
  }

  get finished(): boolean {
    return this.divergence !== null || this.complete() || this.steps >= (this.options.stepsMax ?? 10_000_000);
  }

  /** Runs steps until finished; checks the world's outputs against the secondary's (I2). */
  run(): LockstepResult {
    while (!this.finished) this.step();
    if (this.divergence === null && this.complete()) this.checkOutputsMatch();
    return this.result();
  }

  step(): void {
    this.steps++;
    this.primaryPhase();
    const link = this.engagement;
    if (link !== null) {
      this.transmit(link);
      this.secondaryPhase(link);
      this.acknowledge(link);
    }
    this.lag.update(this.recorder.lagInstructions);
  }

  result(): LockstepResult {
    const status = this.divergence !== null ? 'diverged' : this.complete() ? 'ok' : 'step-limit';
    return {
      status,
      primaryStop: this.primaryStop,
      exitCode: this.primary.exitCode,
      divergence: this.divergence,
      figures: this.figures(),
    };
  }

  figures(): LockstepFigures {
    const link = this.engagement;
    return {
      steps: this.steps,
      primaryInstructions: this.primary.instret,
      secondaryInstructions: this.secondaryInstructions,
      simulatedUs: this.host.nowUs,
      logBytes: this.logBytesBefore + (link?.sender.writtenBytes ?? 0),
      logEntries: this.logEntriesBefore + (link?.sender.writer.entries ?? 0),
      samplesCompared: this.checker?.samplesCompared ?? 0,
      stallSteps: this.stallSteps,
      slowdowns: this.lag.slowdowns,
      slowedSteps: this.lag.slowedUpdates,
      lagMaxInstructions: this.lag.lagMax,
      outputsTotal: this.recorder.gate.outputsTotal,
      outputsDelayed: this.recorder.gate.outputsDelayed,
      heldOutputsPeak: this.recorder.gate.heldPeak,
      senderBufferPeakBytes: link?.sender.bufferedBytesPeak ?? 0,
      receiverBufferPeakBytes: link?.receiver.bufferedBytesPeak ?? 0,
    };
  }

  /** The whole log of the current engagement (requires keepTranscript). */
  transcript(): Uint8Array {
    assert(this.engagement !== null, 'no secondary engaged');
    return this.engagement.sender.transcriptBytes();
  }

  // ---- primary ----------------------------------------------------------------------------

  private primaryPhase(): void {
    if (this.primaryStop !== null) return;
    const sender = this.engagement?.sender ?? null;
    if (sender?.full) {
      this.stallSteps++;
      return;
    }
    let budget = Math.max(1, Math.floor(this.slice * this.lag.share));
    while (budget > 0 && this.primaryStop === null) {
      this.recordPrimarySample();
      if (this.options.strictCheck && this.checker !== null && this.checker.pending > 0) return;
      const injected = this.injectDueInputs();
      if (this.idle && injected === 0) {
        this.waitIdle();
        return;
      }
      this.idle = false;
      const executed = this.runPrimary(budget);
      budget -= executed;
      if (sender?.full) return;
    }
  }

  private runPrimary(budget: number): number {
    const vm = this.primary;
    const begin = vm.instret;
    let until = Math.min(begin + budget, this.maxInstructions);
    if (this.checker !== null) until = Math.min(until, this.checker.nextSample(begin));
    if (until <= begin) {
      this.primaryStop = 'limit';
      this.recorder.markProgress();
      return 0;
    }
    const reason = this.recorder.run(until);
    this.host.syncTo(vm.instret);
    this.recordPrimarySample();
    if (reason === 'wfi') this.idle = true;
    if (reason === 'exit' || reason === 'fatal') this.primaryStop = reason;
    return Math.max(1, vm.instret - begin);
  }

  private recordPrimarySample(): void {
    const vm = this.primary;
    if (this.checker !== null && this.engagement !== null && !this.checker.primaryHas(vm.instret)) {
      this.checker.recordPrimary(vm.instret, vm.digest());
    }
  }

  private injectDueInputs(): number {
    let injected = 0;
    for (
      let input = this.host.dueInput(this.primary);
      input !== null;
      input = this.host.dueInput(this.primary)
    ) {
      this.recorder.inject(input);
      injected++;
      assert(injected < 1_000_000, 'host keeps injecting inputs at one boundary');
    }
    return injected;
  }

  /** The primary idles in wfi: time passes until the next event (one slice's worth if outputs wait). */
  private waitIdle(): void {
    const next = this.host.nextEventUs(this.primary);
    const waiting = this.recorder.gate.heldCount > 0;
    if (next === Number.POSITIVE_INFINITY && !waiting) {
      this.primaryStop = 'idle';
      return;
    }
    const stepUs = Math.max(1, Math.floor(this.slice / this.host.instructionsPerUs));
    const until = waiting ? Math.min(next, this.host.nowUs + stepUs) : next;
    this.host.idleUntil(until, this.primary.instret);
  }

  // ---- channel ----------------------------------------------------------------------------

  private transmit(link: Engagement): void {
    const delay = this.options.channelDelaySteps ?? 0;
    for (let segment = link.sender.nextSegment(); segment !== null; segment = link.sender.nextSegment()) {
      link.segments.push({ dueStep: this.steps + delay, item: segment });
    }
    while (link.segments.length > 0 && link.segments[0]!.dueStep <= this.steps) {
      const result = link.receiver.deliver(link.segments.shift()!.item);
      if (result === 'gap' || result === 'partial') link.sender.rewind();
    }
  }

  private acknowledge(link: Engagement): void {
    const delay = this.options.channelDelaySteps ?? 0;
    link.acks.push({ dueStep: this.steps + delay, item: link.receiver.ack(link.replayer.vm.instret) });
    while (link.acks.length > 0 && link.acks[0]!.dueStep <= this.steps) {
      this.recorder.onAck(link.acks.shift()!.item);
    }
  }

  // ---- secondary --------------------------------------------------------------------------

  private secondaryPhase(link: Engagement): void {
    const replayer = link.replayer;
    let budget = Math.max(1, Math.floor(this.slice * (this.options.secondarySpeed ?? 1)));
    const checker = this.checker;
    while (budget > 0 && this.divergence === null) {
      const at = replayer.vm.instret;
      // At a sample the primary has not recorded yet, wait: never pass an unchecked sample.
      if (checker !== null && !checker.secondaryHas(at) && !checker.primaryHas(at)) return;
      this.checkSecondarySample(replayer.vm);
      if (this.divergence !== null) return;
      const stopAt = checker?.nextSample(at) ?? Number.POSITIVE_INFINITY;
      const executed = replayer.advance(budget, stopAt);
      this.secondaryInstructions += executed;
      budget -= executed;
      if (replayer.fault !== null) {
        this.replayDiverged(replayer);
        return;
      }
      if (executed === 0) break;
    }
    this.checkSecondarySample(replayer.vm);
  }

  private checkSecondarySample(vm: VirtualMachineApi): void {
    const checker = this.checker;
    if (checker === null || this.divergence !== null || checker.secondaryHas(vm.instret)) return;
    if (!checker.primaryHas(vm.instret)) return;
    const digest = vm.digest();
    const expected = checker.checkSecondary(vm.instret, digest);
    if (expected === null) return;
    const atSameBoundary = this.primary.instret === vm.instret;
    const differences =
      atSameBoundary && this.options.describeDifferences
        ? this.options.describeDifferences(this.primary.snapshot(), vm.snapshot())
        : [];
    const where = atSameBoundary
      ? ''
      : ` (the primary had moved on to ${this.primary.instret}; check with strictCheck to see what differs)`;
    this.divergence = {
      invariant: 'I1',
      kind: 'state',
      instret: vm.instret,
      lastMatchedInstret: checker.lastMatchedInstret,
      message: `state digests differ at instret ${vm.instret}: primary ${expected}, secondary ${digest}${where}`,
      differences,
    };
  }

  private replayDiverged(replayer: SecondaryReplayer): void {
    const fault = replayer.fault!;
    this.divergence = {
      invariant: 'I1',
      kind: 'replay',
      instret: fault.instret,
      lastMatchedInstret: this.checker?.lastMatchedInstret ?? -1,
      message: `the secondary cannot follow the log at instret ${fault.instret}: ${fault.message}`,
      differences: [],
    };
  }

  // ---- I2 ---------------------------------------------------------------------------------

  private checkOutputRule(output: HeldOutput, ackedBytes: number): void {
    if (ackedBytes >= output.entryEnd || this.divergence !== null) return;
    this.divergence = {
      invariant: 'I2',
      kind: 'output-rule',
      instret: output.instret,
      lastMatchedInstret: this.checker?.lastMatchedInstret ?? -1,
      message: `Output Rule broken: ${output.kind} output of instret ${output.instret} released with the log acknowledged to byte ${ackedBytes}, but its entry ends at byte ${output.entryEnd}`,
      differences: [],
    };
  }

  /** At the end: the world saw exactly what the replay of the log produced. */
  private checkOutputsMatch(): void {
    const replayer = this.engagement?.replayer;
    if (replayer === undefined || this.logBytesBefore > 0) return;
    const difference = firstOutputDifference(this.host.world, replayer.suppressed);
    if (difference === null) return;
    this.divergence = {
      invariant: 'I2',
      kind: 'outputs',
      instret: this.primary.instret,
      lastMatchedInstret: this.checker?.lastMatchedInstret ?? -1,
      message: `the outside world's output differs from the replayed execution: ${difference}`,
      differences: [],
    };
  }

  private complete(): boolean {
    if (this.primaryStop === null) return false;
    if (this.recorder.gate.heldCount > 0) return false;
    const link = this.engagement;
    if (link === null) return true;
    return (
      link.replayer.caughtUp &&
      link.replayer.vm.instret === this.primary.instret &&
      link.segments.length === 0 &&
      link.sender.ackedOffset === link.sender.writtenBytes
    );
  }

  // ---- go-live, disengage, respawn ------------------------------------------------------

  /** Starts lockstep with `secondary`, which must be in the primary's current state. */
  engage(secondary: VirtualMachineApi): void {
    assert(this.engagement === null, 'a secondary is already engaged');
    assert(secondary.instret === this.primary.instret, 'the new secondary must be at the primary boundary');
    const sender = new LogSender({ ...this.options.sender, keepTranscript: this.options.keepTranscript });
    const receiver = new LogReceiver(this.options.receiver);
    const replayer = new SecondaryReplayer({
      vm: secondary,
      receiver,
      strategy: this.strategy,
      localSource: localClock(this.host.instructionsPerUs, this.options.secondaryClockSkewUs ?? 1000),
      world: this.host,
      lookaheadEntries: this.options.lookaheadEntries,
    });
    this.recorder.attachSecondary(sender);
    this.checker?.reset(this.primary.instret);
    this.engagement = { sender, receiver, replayer, segments: [], acks: [] };
  }

  /** The secondary failed or was disengaged: the primary continues alone, held outputs go out. */
  dropSecondary(): void {
    const link = this.engagement;
    assert(link !== null, 'no secondary to drop');
    this.logBytesBefore += link.sender.writtenBytes;
    this.logEntriesBefore += link.sender.writer.entries;
    this.recorder.dropSecondary();
    this.engagement = null;
  }

  /** Respawn: clone the primary at its current boundary onto `fresh` and re-engage lockstep. */
  respawn(fresh: VirtualMachineApi): void {
    if (this.engagement !== null) this.dropSecondary();
    fresh.restore(this.primary.snapshot());
    this.engage(fresh);
  }

  /**
   * The primary fails: its held outputs are lost, segments in transit still arrive, and the
   * secondary replays everything it received and goes live. Returns the go-live report; the
   * caller takes over the secondary VM (e.g. a new PrimaryRecorder on `report` VM).
   */
  failPrimary(): GoLiveReport & { lostOutputs: number } {
    const link = this.engagement;
    assert(link !== null, 'no secondary to take over');
    const lost = this.recorder.gate.discard();
    for (const segment of link.segments) link.receiver.deliver(segment.item);
    link.segments.length = 0;
    this.primaryStop = 'fatal';
    return { ...link.replayer.goLive(), lostOutputs: lost.length };
  }
}
