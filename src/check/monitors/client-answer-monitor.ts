// I4 as the clients read it: a service that checks its own data (kvstore reads every GET's slot
// back from disk and compares it with what it wrote) and answers "corrupt" has lost or misplaced
// an acknowledged write, whatever every other record looks like. Reported with the first such
// answer a client received. Answers are scanned as messages are delivered, so the report lands
// at (or just after) the answer in the trace.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

export class ClientAnswerMonitor implements ClusterObserver {
  /** Per client: how many of its received answers were looked at. */
  private readonly scanned = new Map<string, number>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  messageDelivered(): void {
    this.scan();
  }

  end(): void {
    this.scan();
  }

  private scan(): void {
    for (const client of this.cluster.clients) {
      const lostData = client.workload.lostData;
      const from = this.scanned.get(client.name) ?? 0;
      if (lostData === undefined || from === client.received.length) continue;
      this.scanned.set(client.name, client.received.length);
      for (let i = from; i < client.received.length; i++) {
        const receipt = client.received[i]!;
        const lost = lostData(receipt.bytes);
        if (lost === null) continue;
        this.sink.report({
          invariant: 'I4',
          vm: client.vm,
          host: this.cluster.addressOwner.get(client.vm) ?? client.name,
          timeUs: receipt.timeUs,
          message: `${client.name}: ${lost}`,
        });
        return;
      }
    }
  }
}
