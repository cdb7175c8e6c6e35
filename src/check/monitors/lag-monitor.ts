// I5 recovery, before the failure: an engaged secondary stays within what lag control allows
// (lag-allowance.ts) — at most the high mark of its own replay time behind its primary, plus what
// the primary ran while control reacted. The secondary's lag at a checkpoint is how long after its
// primary ran that boundary it replayed it. A secondary further behind than that is a failover
// that would miss its go-live bound if the primary died now, and a lag control that has stopped
// controlling: reported without waiting for the crash that would show it.
//
// Once lag control has had time to react (the new speed reached the primary and it stepped down
// to its last share), the primary runs only while its secondary is within the high mark: a
// checkpoint it runs after that is replayed within the high mark, the little it runs at its
// lowest share that still outruns the secondary before a fresh acknowledgement stops it, and log
// transit — whatever the slowdown. The wide allowance covers only what was run before, during the
// reaction. A lag control that never settles (that never stops the primary, say) shows here as a
// lag that keeps growing, long before it would exceed the reaction's allowance.
//
// A secondary that stops replaying altogether never reaches its next checkpoint: its oldest
// checkpoint not yet replayed is judged as time passes, with the same bounds, so a stalled
// replayer is reported once that checkpoint is overdue, not never.
//
// Judged only where the bound is exact: on a stream none of whose faults so far are other than
// slowdowns (any other fault — a cut, loss or delay of the log, a failed NIC, a crash — may stall
// the log for reasons lag control does not own). A stream that started after the last such fault
// is judged too, while the logging link between its two hosts is calm: both ends up with their
// logging NICs, not cut, no loss or delay beyond the network's own. A slowdown of a secondary's host leaves the
// backlog built at the old speed (what its primary had run beyond it at that instant) to be
// replayed at the new one, so its pair is not judged until that backlog could have been replayed
// and lag control could have settled at the new speed.
import type { Cluster } from '../../cluster/cluster.ts';
import { LAG_HIGH_MS, LAG_LOW_MS, LAG_SHARES } from '../../cluster/lag-marks.ts';
import type { ClusterObserver, FaultTarget } from '../../cluster/observer.ts';
import type { Fault } from '../../sim/fault-schedule.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { drainAllowanceUs, pairPositions } from './lag-allowance.ts';
import type { MonitorSink } from './violation.ts';

/** How often (simulated time) unreplayed checkpoints are looked at. */
const LOOK_EVERY_US = 1_000;
/** How far past its natural top (as a share) lag control may climb on acknowledgements heard late. */
const STALE_STEPS_SHARE = 4;
/** Slices the primary may run at the top of its climb before it hears to stop. */
const STEADY_OVERSHOOT_SLICES = 4;

interface Stream {
  vm: string;
  stream: number;
  /** The primary's host (the stream's source). */
  primaryHost: string;
  /** A fault other than a slowdown fired since the stream started: not judged. */
  disturbed: boolean;
  /** Primary checkpoints not yet reached by the secondary: instret and time, in order. */
  instrets: number[];
  timesUs: number[];
  head: number;
  /** Checkpoints run before this time belong to lag control's reaction (wide bound) ... */
  steadyFromUs: number;
  /** ... and are not judged before this time (a slowdown's old backlog). */
  judgedFromUs: number;
  /** The first checkpoint (index) the primary ran at or after `steadyFromUs`. */
  steadyIndex: number;
  /** When the secondary had replayed every checkpoint run before `steadyFromUs` (null: not yet). */
  drainedUs: number | null;
  /** Checkpoints run before this time ran while the secondary was as slow as `slowerFactor`. */
  slowerBeforeUs: number;
  slowerFactor: number;
}

export class LagMonitor implements ClusterObserver {
  private readonly streams = new Map<string, Stream>();
  /** Each host's slowdown as the faults so far left it. */
  private readonly slowFactors = new Map<string, number>();
  private readonly reported = new Set<string>();
  /** When unreplayed checkpoints were last looked at (simulated time). */
  private lookedUs = 0;

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {}

  fault(fault: Fault, _timeUs: number, target: FaultTarget): void {
    if (fault.kind === 'slow') {
      const host = target.hosts[0];
      if (host === undefined) return;
      const before = this.slowFactors.get(host) ?? 1;
      this.slowFactors.set(host, fault.factor);
      this.slowed(host, before, fault.factor);
      this.spedUp(host, before, fault.factor);
      return;
    }
    for (const entry of this.streams.values()) entry.disturbed = true;
  }

  primaryCheckpoint(vm: string, stream: number, instret: number): void {
    const key = `${vm}|${stream}`;
    let entry = this.streams.get(key);
    if (entry === undefined) {
      const primary = this.cluster.vms
        .find((v) => v.name === vm)
        ?.instances.find((i) => i.vm !== null && i.agent.hasTag('acting'));
      entry = {
        vm,
        stream,
        primaryHost: primary?.host.name ?? '',
        disturbed: primary === undefined,
        instrets: [],
        timesUs: [],
        head: 0,
        steadyFromUs: this.sink.now() + this.reactionUs(),
        judgedFromUs: this.sink.now(),
        steadyIndex: 0,
        drainedUs: null,
        slowerBeforeUs: Number.NEGATIVE_INFINITY,
        slowerFactor: 1,
      };
      this.streams.set(key, entry);
    }
    entry.instrets.push(instret);
    entry.timesUs.push(this.sink.now());
  }

  secondaryCheckpoint(vm: string, stream: number, host: string, instret: number): void {
    const key = `${vm}|${stream}`;
    const entry = this.streams.get(key);
    if (entry === undefined) return;
    while (entry.head < entry.instrets.length && entry.instrets[entry.head]! < instret) entry.head++;
    if (entry.head >= entry.instrets.length || entry.instrets[entry.head] !== instret) return;
    const ranUs = entry.timesUs[entry.head]!;
    entry.head++;
    if (entry.head > 1024) {
      entry.instrets.splice(0, entry.head);
      entry.timesUs.splice(0, entry.head);
      entry.steadyIndex = Math.max(0, entry.steadyIndex - entry.head);
      entry.head = 0;
    }
    this.advanceSteady(entry);
    const steady = ranUs >= entry.steadyFromUs;
    if (!this.judged(entry, host, key, steady)) return;
    const boundUs = this.boundUs(entry, host, ranUs, steady);
    const lagUs = this.sink.now() - this.fromUs(entry, ranUs, steady);
    if (lagUs <= boundUs) return;
    this.reported.add(key);
    this.sink.report({
      invariant: 'I5',
      host,
      vm,
      message:
        `the secondary of ${vm} on ${host} replayed instruction ${instret} ${(lagUs / 1000).toFixed(1)} ms after its ` +
        `primary ran it${this.sinceText(entry, ranUs, steady)}: ${this.boundText(entry, host, ranUs, steady, boundUs)}, so a ` +
        'failover now could not go live within the bound',
    });
  }

  // Time passed: an engaged secondary's oldest unreplayed checkpoint may be overdue.
  messageDelivered(): void {
    const now = this.sink.now();
    if (now - this.lookedUs < LOOK_EVERY_US) return;
    this.lookedUs = now;
    this.lookForStalls(now);
  }
  end(timeUs: number): void {
    this.lookForStalls(timeUs);
  }

  private lookForStalls(now: number): void {
    for (const [key, entry] of this.streams) {
      if (entry.disturbed || entry.head >= entry.instrets.length || this.reported.has(key)) continue;
      // Only the pair the primary still ships to: a stale secondary of an older stream (its primary
      // paired anew) replays nothing more, and is no backlog of a failover.
      const instances = this.cluster.vms.find((v) => v.name === entry.vm)?.instances ?? [];
      const shipping = instances.some(
        (i) =>
          i.acting && i.sender !== null && i.streamId === entry.stream && i.host.name === entry.primaryHost,
      );
      const secondary = instances.find(
        (i) => i.streamId === entry.stream && i.agent.state === 'secondary.engaged',
      );
      if (!shipping || secondary === undefined) continue;
      const host = secondary.host.name;
      // The oldest unreplayed checkpoint, and the oldest one run after lag control settled: the
      // later may be due first (its bound is the tighter).
      this.advanceSteady(entry);
      const candidates = [entry.head];
      if (entry.steadyIndex > entry.head && entry.steadyIndex < entry.instrets.length)
        candidates.push(entry.steadyIndex);
      for (const index of candidates) {
        const ranUs = entry.timesUs[index]!;
        const steady = ranUs >= entry.steadyFromUs;
        // A checkpoint run after the reaction is first due once the reaction's work is replayed.
        if (steady && entry.drainedUs === null) continue;
        if (!this.judged(entry, host, key, steady)) continue;
        const boundUs = this.boundUs(entry, host, ranUs, steady);
        const fromUs = this.fromUs(entry, ranUs, steady);
        if (now - fromUs <= boundUs) continue;
        this.reported.add(key);
        this.sink.report({
          invariant: 'I5',
          host,
          vm: entry.vm,
          timeUs: fromUs + boundUs,
          message:
            `the secondary of ${entry.vm} on ${host} had still not replayed instruction ${entry.instrets[index]} ` +
            `at ${((fromUs + boundUs) / 1000).toFixed(1)} ms, ${(boundUs / 1000).toFixed(1)} ms after its primary ran it` +
            `${this.sinceText(entry, ranUs, steady)}, while engaged on a calm ` +
            `logging link: ${this.boundText(entry, host, ranUs, steady, boundUs)}, so a failover now could not go live within the bound`,
        });
        break;
      }
    }
  }

  /** Past lag control's reaction, lag counts from when the reaction's own work was replayed. */
  private fromUs(entry: Stream, ranUs: number, steady: boolean): number {
    return steady ? Math.max(ranUs, entry.drainedUs ?? ranUs) : ranUs;
  }

  private sinceText(entry: Stream, ranUs: number, steady: boolean): string {
    if (!steady || entry.drainedUs === null || entry.drainedUs <= ranUs) return '';
    return ` (counted from ${(entry.drainedUs / 1000).toFixed(1)} ms, when it had replayed what the primary ran while lag control reacted)`;
  }

  /** Moves the first post-reaction checkpoint on, and notes when the reaction's work was replayed. */
  private advanceSteady(entry: Stream): void {
    while (
      entry.steadyIndex < entry.instrets.length &&
      entry.timesUs[entry.steadyIndex]! < entry.steadyFromUs
    )
      entry.steadyIndex++;
    const now = this.sink.now();
    if (entry.drainedUs === null && now >= entry.steadyFromUs && entry.head >= entry.steadyIndex)
      entry.drainedUs = now;
  }

  private boundText(entry: Stream, host: string, ranUs: number, steady: boolean, boundUs: number): string {
    const factor = this.factorFor(entry, host, ranUs);
    const ms = (us: number) => (us / 1000).toFixed(1);
    return steady
      ? `lag control, settled at its ×${factor} slowdown since ${ms(entry.steadyFromUs)} ms, holds a secondary within ` +
          `${ms(boundUs)} ms (its high mark, what the primary runs at the top of its climb back before an ` +
          'acknowledgement stops it, log transit)'
      : `lag control lets a secondary fall at most ${ms(boundUs)} ms behind (its high mark, ` +
          `the reaction at its ×${factor} slowdown, log transit)`;
  }

  /** Whether the stream's lag is judged now, with `secondaryHost` at its other end. */
  private judged(entry: Stream, secondaryHost: string, key: string, steady: boolean): boolean {
    if (entry.disturbed || this.reported.has(key)) return false;
    if (!steady && this.sink.now() < entry.judgedFromUs) return false;
    // A stream started after a fault other than a slowdown: only while its link is calm.
    return this.truth.lastFaultUs < 0 || this.calm(entry.primaryHost, secondaryHost);
  }

  private calm(a: string, b: string): boolean {
    const truth = this.truth;
    if (!truth.up(a) || !truth.up(b) || !truth.loggingNic(a) || !truth.loggingNic(b)) return false;
    // The network as the schedule made it (both hosts are up, checked above).
    const logging = truth.networks.logging;
    const baseLossRate = this.cluster.networks.logging.params.lossRate;
    for (const link of [
      { source: a, target: b },
      { source: b, target: a },
    ]) {
      if (logging.isPartitioned(link) || logging.extraDelayOf(link) > 0) return false;
      if (logging.lossRateOf(link) > baseLossRate) return false;
    }
    return true;
  }

  /**
   * The slowdown a checkpoint is judged at: the secondary's now, or the slower one it had when
   * the primary ran it (a speed-up leaves the backlog that built up at the old speed).
   */
  private factorFor(entry: Stream, host: string, ranUs: number): number {
    const now = this.truth.slowFactor(host);
    return ranUs < entry.slowerBeforeUs ? Math.max(now, entry.slowerFactor) : now;
  }

  private boundUs(entry: Stream, host: string, ranUs: number, steady: boolean): number {
    const factor = this.factorFor(entry, host, ranUs);
    return steady
      ? this.steadyBoundUs(factor)
      : drainAllowanceUs(this.cluster.config, factor) + this.slackUs();
  }

  /**
   * Lag within its high mark once control settled: the high mark, and what the primary runs
   * beyond it before acknowledgements stop it. Lag control climbs back one step per slice while
   * its secondary is under the low mark: at least to the step at which a slice is worth the low
   * mark of the secondary's replay, and, as it hears of the replay an acknowledgement or two late,
   * up to two steps (four times the share) beyond; it may run a few slices there before the climb
   * turns into a descent.
   */
  private steadyBoundUs(factor: number): number {
    const sliceUs = this.cluster.config.sliceUs;
    const climbs = LAG_SHARES.filter((share) => share * factor * sliceUs >= LAG_LOW_MS * 1000);
    const top = Math.min(1, STALE_STEPS_SHARE * (climbs.length === 0 ? 1 : Math.min(...climbs)));
    return LAG_HIGH_MS * 1000 + STEADY_OVERSHOOT_SLICES * sliceUs * factor * top + this.slackUs();
  }

  /**
   * From a change of speed until the primary has heard of it and stepped down to its last share:
   * the secondary acknowledges after every slice it replays, so the new speed is a slice and a
   * round trip away (twice over), then one step per slice.
   */
  private reactionUs(): number {
    const config = this.cluster.config;
    const logging = config.networks.logging;
    return (
      2 * (config.sliceUs + 2 * (logging.latencyUs + logging.jitterUs)) + LAG_SHARES.length * config.sliceUs
    );
  }

  /**
   * A speed-up of `host` from `before`: what its pairs' primaries ran until they heard of it was
   * run against the slower secondary, and is judged at that speed.
   */
  private spedUp(host: string, before: number, after: number): void {
    if (after >= before) return;
    const until = this.sink.now() + this.reactionUs();
    for (const vm of this.cluster.vms) {
      if (pairPositions(vm.instances, host) === undefined) continue;
      for (const stream of this.streamsOf(vm.name)) {
        stream.slowerFactor = Math.max(stream.slowerFactor, before);
        stream.slowerBeforeUs = Math.max(stream.slowerBeforeUs, until);
      }
    }
  }

  /** A slowdown of `host` to `after`: the pairs it is a secondary of wait out their backlog. */
  private slowed(host: string, before: number, after: number): void {
    if (after <= before) return;
    const config = this.cluster.config;
    for (const vm of this.cluster.vms) {
      const positions = pairPositions(vm.instances, host);
      if (positions === undefined) continue;
      const backlog = Math.max(0, positions.primary - positions.secondary);
      const backlogUs = (backlog * after) / this.cluster.host(host).instructionsPerUs;
      const from = this.sink.now() + backlogUs + drainAllowanceUs(config, after) + this.slackUs();
      const steadyFrom = this.sink.now() + this.reactionUs();
      for (const stream of this.streamsOf(vm.name)) {
        if (stream.judgedFromUs < from) stream.judgedFromUs = from;
        if (stream.steadyFromUs < steadyFrom) {
          stream.steadyFromUs = steadyFrom;
          stream.drainedUs = null;
        }
      }
    }
  }

  /** The VM's streams (its pairs so far). */
  private *streamsOf(vm: string): Iterable<Stream> {
    for (const [key, stream] of this.streams) if (key.startsWith(`${vm}|`)) yield stream;
  }

  /** Log transit: a slice to ship, the link both ways, a heartbeat tick's keepalive, twice over. */
  private slackUs(): number {
    const config = this.cluster.config;
    const logging = config.networks.logging;
    return 2 * (config.sliceUs + 2 * (logging.latencyUs + logging.jitterUs) + config.heartbeatIntervalUs);
  }
}

/** The instance on `host` while it is a secondary (syncing, engaged or going live). */
