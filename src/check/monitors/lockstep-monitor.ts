// I1 lockstep: while lockstep is engaged, the secondary's architectural state equals the
// primary's at every instruction boundary both executed. The primary's digests at the boundaries
// it logged are compared with the secondary's at the same boundaries; a replay that cannot
// follow the log is a divergence too.

import type { ClusterObserver } from '../../cluster/observer.ts';
import type { ReplayFault } from '../../lockstep/secondary-replayer.ts';
import type { MonitorSink } from './violation.ts';

export const PRIMARY_DIGESTS_MAX = 8192;

export class LockstepMonitor implements ClusterObserver {
  private readonly digests = new Map<string, Map<number, string>>();
  comparisons = 0;

  constructor(private readonly sink: MonitorSink) {}

  primaryCheckpoint(vm: string, stream: number, instret: number, digest: string): void {
    const key = `${vm}#${stream}`;
    let byInstret = this.digests.get(key);
    if (byInstret === undefined) {
      byInstret = new Map();
      this.digests.set(key, byInstret);
    }
    byInstret.set(instret, digest);
    if (byInstret.size > PRIMARY_DIGESTS_MAX) byInstret.delete(byInstret.keys().next().value!);
  }

  secondaryCheckpoint(vm: string, stream: number, host: string, instret: number, digest: string): void {
    const expected = this.digests.get(`${vm}#${stream}`)?.get(instret);
    if (expected === undefined) return;
    this.comparisons++;
    if (expected === digest) return;
    this.sink.report({
      invariant: 'I1',
      vm,
      host,
      message: `secondary of ${vm} on ${host} diverged from the primary at instruction ${instret} (state digest ${digest}, primary ${expected})`,
    });
  }

  replayFault(vm: string, host: string, fault: ReplayFault): void {
    this.sink.report({
      invariant: 'I1',
      vm,
      host,
      message: `secondary of ${vm} on ${host} could not follow the log at instruction ${fault.instret}: ${fault.message}`,
    });
  }
}
