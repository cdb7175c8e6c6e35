// I5 lag, the controller's step: lag control raises the primary's CPU share one step at a time as
// its secondary catches up (whitepaper: "reduced step by step, and raised again as the backup
// catches up"; the steps are LAG_SHARES). A primary that comes back from a stop to full speed at
// once lets a slow secondary fall far behind again within a slice, over and over: a failover then
// drains seconds of backlog, yet the lag may stay inside the bounds the lag monitor can set for a
// correct controller, which must allow for acknowledgements heard late.
//
// Judged on what the primary's VM executed, never on the controller's own state: a slice that used
// its whole budget (the VM stopped at `limit`) shows the share it ran at — the budget is the share
// of the host's full-speed slice (simulated speed and slowdown, from the environment's truth) — and
// the next slice of the same log stream may run at most one step above it, whatever it executed
// (a guest that idles runs less). A new stream starts a new controller, at full speed.
import type { Cluster } from '../../cluster/cluster.ts';
import { LAG_SHARES } from '../../cluster/lag-marks.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { StopReason } from '../../vm/api.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import type { MonitorSink } from './violation.ts';

interface LastSlice {
  stream: number;
  /** Index in LAG_SHARES of the share the last full slice ran at (−1: not known). */
  step: number;
}

export class LagStepMonitor implements ClusterObserver {
  /** By VM, then by host: no key built per slice (this runs after every slice of every primary). */
  private readonly last = new Map<string, Map<string, LastSlice>>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {}

  primaryRan(vm: string, host: string, stream: number, executed: number, stop: StopReason): void {
    let hosts = this.last.get(vm);
    if (hosts === undefined) {
      hosts = new Map();
      this.last.set(vm, hosts);
    }
    let last = hosts.get(host);
    if (last === undefined) {
      last = { stream: -1, step: -1 };
      hosts.set(host, last);
    }
    if (stream < 0) {
      last.stream = -1;
      return;
    }
    const full = this.fullBudget(host);
    if (last.stream === stream && last.step > 0) {
      const allowed = LAG_SHARES[last.step - 1]!;
      const most = budgetAt(full, allowed);
      if (executed > most)
        this.report(vm, host, stream, LAG_SHARES[last.step]!, allowed, executed, most, full);
    }
    last.stream = stream;
    last.step = stop === 'limit' ? stepOf(full, executed) : -1;
  }

  /** The host's full-speed budget for one slice, from the environment's truth. */
  private fullBudget(host: string): number {
    const speed = this.cluster.host(host).instructionsPerUs;
    return Math.max(1, Math.floor((this.cluster.config.sliceUs * speed) / this.truth.slowFactor(host)));
  }

  private report(
    vm: string,
    host: string,
    stream: number,
    share: number,
    allowed: number,
    executed: number,
    most: number,
    full: number,
  ): void {
    const key = `${vm}|${stream}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.sink.report({
      invariant: 'I5',
      vm,
      host,
      message: `lag control raised the primary of ${vm} on ${host} more than one step in a slice: after a slice at ${shareText(share)} it ran ${executed} instructions, beyond the ${most} that one step up allows (${shareText(allowed)}; ${full} at full speed)`,
    });
  }
}

/** The instructions a slice may run at `share` of a full-speed budget `full` (as lag control grants them). */
function budgetAt(full: number, share: number): number {
  return Math.max(1, Math.floor(full * share));
}

/** The highest step whose budget is `executed` (−1: none; a slice that used a budget no step gives). */
function stepOf(full: number, executed: number): number {
  for (let step = 0; step < LAG_SHARES.length; step++)
    if (budgetAt(full, LAG_SHARES[step]!) === executed) return step;
  return -1;
}

function shareText(share: number): string {
  if (share === 1) return 'full speed';
  return share === 0 ? 'a stop (one instruction)' : `1/${Math.round(1 / share)} of full speed`;
}
