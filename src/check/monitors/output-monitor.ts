// I2 single output and I4 no data loss, on what left for the outside world. Every output has a
// position in the VM's one deterministic execution (per kind: client packets, console bytes, disk
// requests). Two different outputs at one position mean the world saw two executions (I2); the
// same output again is an exact retransmission at a failover, counted. When a secondary goes
// live, it must already have produced every output the world saw (I4), and every disk write
// reported complete must have reached storage.
import type { OutputCounts, OutputKindName } from '../../cluster/ft-instance.ts';
import type { ClusterObserver, WorldOutput } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

const KINDS: OutputKindName[] = ['nic', 'console', 'disk'];

/** The outputs of one kind of one VM the world saw, by index (arrays: no object per output). */
interface SeenOutputs {
  hashes: number[];
  /** Who emitted each first (undefined: not seen yet). */
  hosts: string[];
  /** One past the highest index seen. */
  count: number;
}

export class OutputMonitor implements ClusterObserver {
  /** By VM, then kind. */
  private readonly seen = new Map<string, Record<OutputKindName, SeenOutputs>>();
  retransmissions = 0;

  constructor(private readonly sink: MonitorSink) {}

  private seenOf(vm: string): Record<OutputKindName, SeenOutputs> {
    let kinds = this.seen.get(vm);
    if (kinds === undefined) {
      kinds = {
        nic: { hashes: [], hosts: [], count: 0 },
        console: { hashes: [], hosts: [], count: 0 },
        disk: { hashes: [], hosts: [], count: 0 },
      };
      this.seen.set(vm, kinds);
    }
    return kinds;
  }

  worldOutput(output: WorldOutput): void {
    const outputs = this.seenOf(output.vm)[output.kind];
    const index = output.index;
    const earlierHost = outputs.hosts[index];
    if (earlierHost === undefined) {
      outputs.hashes[index] = output.hash;
      outputs.hosts[index] = output.host;
      outputs.count = Math.max(outputs.count, index + 1);
      return;
    }
    if (outputs.hashes[index] === output.hash) {
      this.retransmissions++;
      return;
    }
    this.sink.report({
      invariant: 'I2',
      vm: output.vm,
      host: output.host,
      message: `the outside world saw two different ${output.kind} outputs #${output.index} of ${output.vm}: from ${earlierHost} and from ${output.host}`,
    });
  }

  wentLive(
    vm: string,
    host: string,
    produced: OutputCounts,
    failover: boolean,
    pendingDiskDropped: number,
  ): void {
    if (!failover) return;
    if (pendingDiskDropped > 0) {
      this.sink.report({
        invariant: 'I4',
        vm,
        host,
        message: `${host} went live as primary of ${vm} without reissuing ${pendingDiskDropped} pending disk request(s) of the old primary`,
      });
      return;
    }
    for (const kind of KINDS) {
      const seen = this.seen.get(vm)?.[kind].count ?? 0;
      if (seen <= produced[kind]) continue;
      this.sink.report({
        invariant: 'I4',
        vm,
        host,
        message: `${host} went live as primary of ${vm} having produced ${produced[kind]} ${kind} outputs, but the outside world had already seen ${seen}: output #${produced[kind]} is lost`,
      });
      return;
    }
  }

  diskCompleted(vm: string, host: string, requestId: number, durable: boolean): void {
    if (durable) return;
    this.sink.report({
      invariant: 'I4',
      vm,
      host,
      message: `disk write ${requestId} of ${vm} was reported complete on ${host} but never reached shared storage`,
    });
  }
}
