// I4 nothing lost, for the VM's own timer: the primary's hypervisor delivers every timer interrupt
// the guest armed. The CLINT's timer line is level-triggered — raised once `mtime` reaches
// `mtimecmp`, lowered only when the guest writes `mtimecmp` — and `mtime` on the ftcheck VM is
// simulated time. So right after an acting primary ran a slice (its checkpoint), a compare value
// that was already in force after an earlier slice, and came due a slice ago or more, must have
// its line raised: the hypervisor raises it at the start of every slice it runs. A line still low means an interrupt the guest waits for was
// never delivered, and on a guest whose work hangs off its timer the service stops with it —
// whatever the implementation's own record of "already raised" says (the VM's device state is
// the judge). A secondary's timer comes from the log and is I1's business.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { MonitorSink } from './violation.ts';

/** What a primary's guest had armed when the monitor last looked (after one of its slices). */
interface Armed {
  machine: object;
  compare: number;
  seenUs: number;
}

export class TimerMonitor implements ClusterObserver {
  private readonly reported = new Set<string>();
  private readonly armed = new Map<string, Armed>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  primaryCheckpoint(vm: string, stream: number): void {
    const ftVm = this.cluster.vms.find((v) => v.name === vm);
    const primary = ftVm?.instances.find((i) => i.acting && i.streamId === stream && i.vm !== null);
    const machine = primary?.vm;
    if (primary === undefined || machine == null || machine.exited) return;
    const now = this.sink.now();
    const compare = machine.timerCompare();
    const last = this.armed.get(vm);
    this.armed.set(vm, { machine, compare, seenUs: now });
    // The compare value must have been in force at the start of a slice after it came due: seen
    // unchanged after an earlier slice (a guest writes mtimecmp in two halves, a past value may
    // be in force only from the slice that wrote it, and is raised at the next).
    const unchanged = last !== undefined && last.machine === machine && last.compare === compare;
    if (!unchanged || last.seenUs >= now) return;
    if (compare > now - this.cluster.config.sliceUs || machine.timerPending()) return;
    const key = `${vm}|${compare}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.sink.report({
      invariant: 'I4',
      vm,
      host: primary.host.name,
      message: `the guest of ${vm} armed its timer for ${ms(compare)} but the acting primary on ${primary.host.name} had still not raised the interrupt ${ms(now - compare)} later, after running its slice at ${ms(now)}: a timer interrupt lost, which the guest waits for forever`,
    });
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
