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

export class OutputMonitor implements ClusterObserver {
  private readonly seen = new Map<string, Map<number, { hash: number; host: string }>>();
  private readonly seenCount = new Map<string, number>();
  retransmissions = 0;

  constructor(private readonly sink: MonitorSink) {}

  worldOutput(output: WorldOutput): void {
    const key = `${output.vm}:${output.kind}`;
    let outputs = this.seen.get(key);
    if (outputs === undefined) {
      outputs = new Map();
      this.seen.set(key, outputs);
    }
    const earlier = outputs.get(output.index);
    if (earlier === undefined) {
      outputs.set(output.index, { hash: output.hash, host: output.host });
      this.seenCount.set(key, Math.max(this.seenCount.get(key) ?? 0, output.index + 1));
      return;
    }
    if (earlier.hash === output.hash) {
      this.retransmissions++;
      return;
    }
    this.sink.report({
      invariant: 'I2',
      vm: output.vm,
      host: output.host,
      message: `the outside world saw two different ${output.kind} outputs #${output.index} of ${output.vm}: from ${earlier.host} and from ${output.host}`,
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
      const seen = this.seenCount.get(`${vm}:${kind}`) ?? 0;
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
