// I3 no split-brain: at no instant do two instances of one FT VM both act as primary — emit
// output or write the shared disk. An output from an instance that is not primary breaks it, and
// so does an output from one instance while another instance that emitted before still acts.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver, WorldOutput } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

export class SplitBrainMonitor implements ClusterObserver {
  private readonly lastEmitter = new Map<string, { host: string; serial: number }>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  worldOutput(output: WorldOutput): void {
    if (!output.acting) {
      this.sink.report({
        invariant: 'I3',
        vm: output.vm,
        host: output.host,
        message: `${output.host} emitted ${output.kind} output #${output.index} of ${output.vm} without being its primary`,
      });
      return;
    }
    const last = this.lastEmitter.get(output.vm);
    this.lastEmitter.set(output.vm, { host: output.host, serial: output.serial });
    if (last === undefined || (last.host === output.host && last.serial === output.serial)) return;
    if (!this.stillActing(output.vm, last.host, last.serial)) return;
    this.sink.report({
      invariant: 'I3',
      vm: output.vm,
      host: output.host,
      message: `${last.host} and ${output.host} both act as primary of ${output.vm} (${output.host} emitted ${output.kind} output #${output.index} while ${last.host} is still live)`,
    });
  }

  private stillActing(vmName: string, host: string, serial: number): boolean {
    const vm = this.cluster.vms.find((v) => v.name === vmName);
    const instance = vm?.instanceOn(host);
    return instance !== undefined && instance.serial === serial && instance.acting && instance.vm !== null;
  }
}
