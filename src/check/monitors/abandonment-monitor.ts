// I5 recovery, the survivor's half: an instance that holds the VM's state — a primary, an engaged
// secondary, a secondary going live — never drops it by choice while it is the last copy. A
// survivor whose test-and-set got no answer (storage unreachable for now) must keep trying, as a
// primary that lost its secondary must; giving up turns a recoverable outage into a lost VM, and
// no later check demands service from a VM that no host holds any more.
//
// Dropping the VM (the agent leaving for `idle` or `halted` on a host that is up) is justified only
// by the environment or by the lock, judged on the monitor's own view:
// - the host lost every storage path (its HBAs: the whitepaper's primary halts then);
// - the storage array refused this host's latest test-and-set of the VM's lock (someone else
//   holds it: the loser of the race gives way);
// - another instance of the VM on an up host still holds it (acting, or an engaged secondary, or
//   one going live).
// A secondary still syncing holds no state yet; a guest that exited needs nobody.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { holdsVmState as holdsState } from './replica-monitor.ts';
import type { MonitorSink } from './violation.ts';

export class AbandonmentMonitor implements ClusterObserver {
  /** By `vm|host`: the array refused that host's latest test-and-set of the VM's lock. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {}

  storageLock(vm: string, host: string, _known: number, granted: boolean): void {
    if (granted) this.refused.delete(`${vm}|${host}`);
    else this.refused.add(`${vm}|${host}`);
  }

  agentState(vm: string, host: string, from: string, to: string): void {
    if ((to !== 'idle' && to !== 'halted') || !holdsState(from) || !this.truth.up(host)) return;
    const ftVm = this.cluster.vms.find((v) => v.name === vm);
    if (ftVm === undefined || ftVm.exited) return;
    if (this.truth.storagePaths(host) === 0 || this.refused.has(`${vm}|${host}`)) return;
    const copy = ftVm.instances.some(
      (i) => i.host.name !== host && i.vm !== null && this.truth.up(i.host.name) && holdsState(i.agent.state),
    );
    if (copy) return;
    this.sink.report({
      invariant: 'I5',
      vm,
      host,
      message: `${host} dropped ${vm} (${from} → ${to}) while it held the VM's last copy: its host was up with a storage path, the storage array had not refused its test-and-set, and no other host held ${vm}; a survivor keeps trying until it goes live or another instance takes the lock`,
    });
  }
}
