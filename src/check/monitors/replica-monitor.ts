// I5 recovery, the redundancy's substance: an instance takes up a role that holds the VM's state —
// a secondary in lockstep, a secondary going live, a primary — only with that state in hand. A
// secondary holds it once its primary's snapshot was restored on its host and it has the log
// stream to replay (the whitepaper's backup is a clone of the running primary; there is no other
// way to get the VM); a primary either was one, or was that secondary, or powers the VM on.
//
// An instance that claims the role without the state is redundancy that is not there: HA counts
// the VM as protected, a failover to it brings back a VM that never ran the clients' requests (or
// nothing at all), and its failure detector watches a primary it never paired with. Judged on
// what the instance holds when its agent enters the role (before the role's own commands run),
// never on the agent's bookkeeping: the restored VM and the stream's receiver on the instance.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

/** Agent states whose instance holds the VM's state (a secondary from its snapshot on). */
export const holdsVmState = (state: string) =>
  state.startsWith('primary.') || state === 'secondary.engaged' || state.startsWith('secondary.goingLive.');

export class ReplicaMonitor implements ClusterObserver {
  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  agentState(vm: string, host: string, from: string, to: string, event: string): void {
    // Moves within a role keep what it holds; only taking one up is judged. A primary's state is
    // no secondary's: a secondary replays its primary's log stream, which a primary has none of.
    if (!holdsVmState(to)) return;
    const secondary = to.startsWith('secondary.');
    if (secondary ? holdsVmState(from) && from.startsWith('secondary.') : holdsVmState(from)) return;
    const instance = this.cluster.vms.find((v) => v.name === vm)?.instances.find((i) => i.host.name === host);
    if (instance === undefined) return;
    if (secondary) {
      if (instance.vm !== null && instance.receiver !== null) return;
      const missing =
        instance.vm === null
          ? "no VM restored from its primary's snapshot"
          : 'no log stream from a primary to replay';
      this.report(vm, host, `${host} became ${to} of ${vm} (from ${from} on ${event}) with ${missing}`);
      return;
    }
    // The VM's first power-on boots it; every other primary must already hold it.
    if (from === 'idle' && event === 'POWER_ON') return;
    if (instance.vm !== null) return;
    this.report(
      vm,
      host,
      `${host} became ${to} of ${vm} (from ${from} on ${event}) without the VM's state on its host`,
    );
  }

  private report(vm: string, host: string, message: string): void {
    this.sink.report({
      invariant: 'I5',
      vm,
      host,
      message: `${message}: a role that holds the VM needs its state (a secondary gets it only from its primary's snapshot), so the redundancy it stands for is not there`,
    });
  }
}
