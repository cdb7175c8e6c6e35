// I5 recovery, before the failure: an engaged secondary stays within what lag control allows
// (lag-allowance.ts) — at most the high mark of its own replay time behind its primary, plus what
// the primary ran while control reacted. The secondary's lag at a checkpoint is how long after its
// primary ran that boundary it replayed it. A secondary further behind than that is a failover
// that would miss its go-live bound if the primary died now, and a lag control that has stopped
// controlling: reported without waiting for the crash that would show it.
//
// A secondary that stops replaying altogether never reaches its next checkpoint: its oldest
// checkpoint not yet replayed is judged as time passes, with the same bound, so a stalled replayer
// is reported once that checkpoint is overdue, not never.
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
import type { ClusterObserver, FaultTarget } from '../../cluster/observer.ts';
import type { Fault } from '../../sim/fault-schedule.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { drainAllowanceUs } from './lag-allowance.ts';
import type { MonitorSink } from './violation.ts';

/** How often (simulated time) unreplayed checkpoints are looked at. */
const LOOK_EVERY_US = 1_000;

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
  /** Not judged before this time (a slowdown's old backlog). */
  judgedFromUs: number;
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
        judgedFromUs: this.sink.now(),
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
      entry.head = 0;
    }
    const now = this.sink.now();
    if (!this.judged(entry, host, key)) return;
    const boundUs = this.boundUs(host);
    const lagUs = now - ranUs;
    if (lagUs <= boundUs) return;
    this.reported.add(key);
    this.sink.report({
      invariant: 'I5',
      host,
      vm,
      message:
        `the secondary of ${vm} on ${host} replayed instruction ${instret} ${(lagUs / 1000).toFixed(1)} ms after its ` +
        `primary ran it: lag control lets a secondary fall at most ${(boundUs / 1000).toFixed(1)} ms behind ` +
        `(its high mark, the reaction at its ×${this.truth.slowFactor(host)} slowdown, log transit), so a failover now could not ` +
        'go live within the bound',
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
      const ranUs = entry.timesUs[entry.head]!;
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
      if (!this.judged(entry, host, key)) continue;
      const boundUs = this.boundUs(host);
      if (now - ranUs <= boundUs) continue;
      this.reported.add(key);
      this.sink.report({
        invariant: 'I5',
        host,
        vm: entry.vm,
        timeUs: ranUs + boundUs,
        message:
          `the secondary of ${entry.vm} on ${host} had still not replayed instruction ${entry.instrets[entry.head]} ` +
          `at ${((ranUs + boundUs) / 1000).toFixed(1)} ms, ${(boundUs / 1000).toFixed(1)} ms after its primary ran it, while engaged on a calm ` +
          `logging link: lag control lets a secondary fall at most ${(boundUs / 1000).toFixed(1)} ms behind (its high mark, ` +
          `the reaction at its ×${this.truth.slowFactor(host)} slowdown, log transit), so a failover now could not go live within the bound`,
      });
    }
  }

  /** Whether the stream's lag is judged now, with `secondaryHost` at its other end. */
  private judged(entry: Stream, secondaryHost: string, key: string): boolean {
    if (entry.disturbed || this.sink.now() < entry.judgedFromUs || this.reported.has(key)) return false;
    // A stream started after a fault other than a slowdown: only while its link is calm.
    return this.truth.lastFaultUs < 0 || this.calm(entry.primaryHost, secondaryHost);
  }

  private calm(a: string, b: string): boolean {
    const truth = this.truth;
    if (!truth.up(a) || !truth.up(b) || !truth.loggingNic(a) || !truth.loggingNic(b)) return false;
    const logging = this.cluster.networks.logging;
    for (const link of [
      { source: a, target: b },
      { source: b, target: a },
    ]) {
      if (logging.isCut(link) || logging.extraDelayOf(link) > 0) return false;
      if (logging.lossRateOf(link) > logging.params.lossRate) return false;
    }
    return true;
  }

  private boundUs(host: string): number {
    return drainAllowanceUs(this.cluster.config, this.truth.slowFactor(host)) + this.slackUs();
  }

  /** A slowdown of `host` to `after`: the pairs it is a secondary of wait out their backlog. */
  private slowed(host: string, before: number, after: number): void {
    if (after <= before) return;
    const config = this.cluster.config;
    for (const vm of this.cluster.vms) {
      const secondary = vm.instances.find(
        (i) => i.host.name === host && i.agent.state.startsWith('secondary.'),
      );
      if (secondary === undefined) continue;
      const primary = vm.instances.find((i) => i.vm !== null && i.agent.state.startsWith('primary.'));
      const backlog = Math.max(0, (primary?.vm?.instret ?? 0) - (secondary.vm?.instret ?? 0));
      const backlogUs = (backlog * after) / secondary.host.instructionsPerUs;
      const from = this.sink.now() + backlogUs + drainAllowanceUs(config, after) + this.slackUs();
      for (const [key, stream] of this.streams) {
        if (key.startsWith(`${vm.name}|`) && stream.judgedFromUs < from) stream.judgedFromUs = from;
      }
    }
  }

  /** Log transit: a slice to ship, the link both ways, a heartbeat tick's keepalive, twice over. */
  private slackUs(): number {
    const config = this.cluster.config;
    const logging = config.networks.logging;
    return 2 * (config.sliceUs + 2 * (logging.latencyUs + logging.jitterUs) + config.heartbeatIntervalUs);
  }
}
