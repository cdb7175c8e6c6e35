// The FT lock and the write fence, judged at the storage array (I3, I4). The monitor keeps its
// own copy of each VM's lock, driven only by the operations the array ran, and judges the array's
// answers by the lock's rules (src/cluster/shared-storage.ts header): a test-and-set by a claimant
// who knows the current generation wins the next one; the winner's retry is granted the same
// generation again; anything else is refused. Every write the array accepts must come from the
// current owner at the current generation — a stale primary's write that slips past the fence is a
// split brain on the disk (I3) even when no output shows it; and a write of the current owner
// that the array refuses is data the guest was promised and lost (I4).
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

interface LockModel {
  generation: number;
  owner: string;
}

export class StorageFenceMonitor implements ClusterObserver {
  private readonly locks = new Map<string, LockModel>();

  constructor(
    private readonly sink: MonitorSink,
    cluster: Cluster,
  ) {
    // Every FT VM starts with generation 1 held by the host it is powered on.
    for (const vm of cluster.vms) {
      if (vm.spec.ft) this.locks.set(vm.name, { generation: 1, owner: vm.spec.primaryHost });
    }
  }

  storageLock(vm: string, host: string, known: number, granted: boolean, generation: number): void {
    const lock = this.locks.get(vm);
    if (lock === undefined) return;
    const wins = known >= 1 && known === lock.generation;
    const retry = lock.generation === known + 1 && lock.owner === host;
    if (wins) {
      lock.generation++;
      lock.owner = host;
    }
    const shouldGrant = wins || retry;
    if (granted === shouldGrant && (!granted || generation === lock.generation)) return;
    const what = granted
      ? `granted ${host} generation ${generation} of ${vm}'s lock`
      : `refused ${host}'s test-and-set of ${vm}'s lock`;
    this.sink.report({
      invariant: 'I3',
      vm,
      host,
      message: `the storage array ${what}, which ${host} knew at generation ${known}, while the lock was at generation ${lock.generation} held by ${lock.owner}${shouldGrant ? ' (it should have been granted)' : ''}`,
    });
  }

  storageWrite(vm: string, host: string, generation: number, accepted: boolean): void {
    const lock = this.locks.get(vm);
    if (lock === undefined) return;
    const current = host === lock.owner && generation === lock.generation;
    if (accepted && !current) {
      this.sink.report({
        invariant: 'I3',
        vm,
        host,
        message: `the storage array accepted a write to ${vm}'s disk from ${host} at generation ${generation} after ${lock.owner} had won generation ${lock.generation}: two primaries wrote the disk`,
      });
    } else if (!accepted && current) {
      this.sink.report({
        invariant: 'I4',
        vm,
        host,
        message: `the storage array fenced a write to ${vm}'s disk from its current owner ${host} at generation ${generation}: the write is lost`,
      });
    }
  }
}
