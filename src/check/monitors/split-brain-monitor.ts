// I3 no split-brain: at no instant do two instances of one FT VM both act as primary — emit
// output or write the shared disk. Broken when an instance that is not primary emits, or when an
// instance emits to the outside world after another instance has taken over as the emitter (it
// was superseded, so two primaries were live at once). Disk requests of a superseded instance are
// not counted here: whether the array's fence really stops them is judged at the array itself
// (storage-fence-monitor.ts), on what it accepted.
// One exception, the Output Rule's tail: an output the successor had already produced (and
// suppressed) in its replay before going live was acknowledged by it as a secondary, so it belongs
// to the one execution the world sees; the old primary, which has not yet noticed the takeover,
// may still let it out when that acknowledgement arrives late. Anything past the successor's
// replayed history is a second execution speaking.
import type { OutputCounts } from '../../cluster/ft-instance.ts';
import type { ClusterObserver, WorldOutput } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

export class SplitBrainMonitor implements ClusterObserver {
  private readonly lastEmitter = new Map<string, string>();
  private readonly superseded = new Map<string, Map<string, string>>();

  /** Per VM: what its latest primary had produced when it went live (its replayed history). */
  private readonly replayedAtGoLive = new Map<string, OutputCounts>();

  constructor(private readonly sink: MonitorSink) {}

  wentLive(vm: string, _host: string, produced: OutputCounts, failover: boolean): void {
    if (failover) this.replayedAtGoLive.set(vm, { ...produced });
  }

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
    const emitter = `${output.host}#${output.serial}`;
    let superseded = this.superseded.get(output.vm);
    if (superseded === undefined) {
      superseded = new Map();
      this.superseded.set(output.vm, superseded);
    }
    const successor = superseded.get(emitter);
    if (successor !== undefined) {
      // A superseded instance never takes the emitter's place back. Its disk requests are judged
      // at the array; an output in the successor's replayed history is the Output Rule's tail.
      const replayed = this.replayedAtGoLive.get(output.vm)?.[output.kind] ?? 0;
      if (output.kind === 'disk' || output.index < replayed) return;
      this.sink.report({
        invariant: 'I3',
        vm: output.vm,
        host: output.host,
        message: `${output.host} emitted ${output.kind} output #${output.index} of ${output.vm} after ${successor} had taken over as primary: two primaries were live`,
      });
      return;
    }
    const last = this.lastEmitter.get(output.vm);
    if (last !== undefined && last !== emitter && !superseded.has(last)) {
      superseded.set(last, output.host);
    }
    this.lastEmitter.set(output.vm, emitter);
  }
}
