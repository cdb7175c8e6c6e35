// The invariant monitors of one cluster run, attached as observers. Each invariant keeps its
// first violation (the one a counterexample is about); later ones are counted.
import { INVARIANTS, type InvariantId } from '../../base/invariants.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import { AbandonmentMonitor } from './abandonment-monitor.ts';
import { AvailabilityMonitor } from './availability-monitor.ts';
import { guardObservers } from './checker-error.ts';
import { ClientAnswerMonitor } from './client-answer-monitor.ts';
import { DetectionMonitor } from './detection-monitor.ts';
import { EnvironmentTruth } from './environment-truth.ts';
import { LagMonitor } from './lag-monitor.ts';
import { LagStepMonitor } from './lag-step-monitor.ts';
import { LockBackoffMonitor } from './lock-backoff-monitor.ts';
import { LockstepMonitor } from './lockstep-monitor.ts';
import { LogDecoderMonitor } from './log-decoder-monitor.ts';
import { LogFlowMonitor } from './log-flow-monitor.ts';
import { OutputEntryMonitor } from './output-entry-monitor.ts';
import { OutputMonitor } from './output-monitor.ts';
import { OutputRuleMonitor } from './output-rule-monitor.ts';
import { PeerTraffic } from './peer-traffic.ts';
import { ProportionMonitor } from './proportion-monitor.ts';
import { RecoveryMonitor } from './recovery-monitor.ts';
import { ReplicaMonitor } from './replica-monitor.ts';
import { SplitBrainMonitor } from './split-brain-monitor.ts';
import { StorageFenceMonitor } from './storage-fence-monitor.ts';
import { ThrottleMonitor } from './throttle-monitor.ts';
import { TimerMonitor } from './timer-monitor.ts';
import type { MonitorSink, Violation } from './violation.ts';

export class MonitorSet implements MonitorSink {
  readonly first = new Map<InvariantId, Violation>();
  violationsTotal = 0;
  readonly lockstep: LockstepMonitor;
  readonly output: OutputMonitor;
  readonly truth: EnvironmentTruth;
  readonly monitors: ClusterObserver[];
  /** Called on the first violation of each invariant (so once per invariant at most). */
  onFirstViolation: ((violation: Violation) => void) | null = null;

  constructor(private readonly cluster: Cluster) {
    this.lockstep = new LockstepMonitor(this);
    this.output = new OutputMonitor(this);
    // The truth first: every monitor after it reads the environment as the fault just left it.
    this.truth = new EnvironmentTruth(cluster);
    // Then what each instance heard from its peer, which both halves of failure detection read.
    const traffic = new PeerTraffic(() => this.now());
    this.monitors = [
      this.truth,
      traffic,
      this.lockstep,
      this.output,
      new OutputRuleMonitor(this),
      new OutputEntryMonitor(this),
      new LogDecoderMonitor(this),
      new LogFlowMonitor(this, cluster),
      new SplitBrainMonitor(this),
      new StorageFenceMonitor(this, cluster),
      new RecoveryMonitor(this, cluster, this.truth),
      new LockBackoffMonitor(this, cluster),
      new AbandonmentMonitor(this, cluster, this.truth),
      new ReplicaMonitor(this, cluster),
      new LagMonitor(this, cluster, this.truth),
      new ThrottleMonitor(this, cluster, this.truth),
      new LagStepMonitor(this, cluster, this.truth),
      new AvailabilityMonitor(this, cluster, this.truth),
      new DetectionMonitor(this, cluster, this.truth, traffic),
      new ProportionMonitor(this, cluster, this.truth, traffic),
      new ClientAnswerMonitor(this, cluster),
      new TimerMonitor(this, cluster),
    ];
    cluster.observers.push(
      guardObservers(this.monitors.map((m) => ({ observer: m, name: m.constructor.name }))),
    );
  }

  now(): number {
    return this.cluster.sim.now;
  }

  position(): number {
    return this.cluster.sim.trace.position;
  }

  report(violation: Omit<Violation, 'timeUs' | 'tracePosition'> & { timeUs?: number }): void {
    this.violationsTotal++;
    if (this.first.has(violation.invariant)) return;
    const full: Violation = {
      ...violation,
      timeUs: violation.timeUs ?? this.now(),
      tracePosition: this.position(),
    };
    this.first.set(violation.invariant, full);
    this.onFirstViolation?.(full);
  }

  /** First violations ordered by simulated time, then invariant id. */
  violations(): Violation[] {
    return [...this.first.values()].sort(
      (a, b) => a.timeUs - b.timeUs || a.invariant.localeCompare(b.invariant),
    );
  }

  verdict(id: InvariantId): 'hold' | 'violated' {
    return this.first.has(id) ? 'violated' : 'hold';
  }

  /** What the monitors of one run judge (I6 needs two runs: ft-run.ts compares them). */
  static readonly checked: InvariantId[] = (Object.keys(INVARIANTS) as InvariantId[]).filter(
    (id) => id !== 'I6',
  );
}
