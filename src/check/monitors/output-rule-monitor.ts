// The Output Rule, its promptness half (I7): an engaged primary delays an output until its
// secondary has acknowledged the log entry of the instruction that produced it — and no longer
// ("only the output is delayed"). The safety half (never before the acknowledgement) shows in what
// the world saw (I2, I4); this half sees a primary that keeps an acknowledged output back (a release
// condition off by one, outputs re-offered only when the VM runs again, acknowledgements that are
// taken but not acted on), which clients feel as latency long before any request goes unanswered.
//
// The monitor keeps its own view: the entry end of every output a primary instance produced, in
// order, and the acknowledgements that instance took. After each acknowledgement, the oldest
// output still held must end past the acknowledged offset while the agent is `primary.engaged`.
import type { ClusterObserver, WorldOutput } from '../../cluster/observer.ts';
import { dropInstanceRecords, EngagedPrimaries, instanceKey } from './engaged-primaries.ts';
import type { MonitorSink } from './violation.ts';

/** Entry ends of one primary instance's outputs not yet released, oldest first. */
interface HeldQueue {
  ends: number[];
  head: number;
}

export class OutputRuleMonitor implements ClusterObserver {
  /** By `vm|host|serial`. */
  private readonly held = new Map<string, HeldQueue>();
  private readonly engaged = new EngagedPrimaries();

  constructor(private readonly sink: MonitorSink) {}

  agentState(vm: string, host: string, _from: string, to: string): void {
    this.engaged.set(vm, host, to);
    if (to.startsWith('primary.')) return;
    // The instance stopped being a primary (failed, halted, reset): what it held is gone with it.
    dropInstanceRecords(this.held, vm, host);
  }

  outputHeld(vm: string, host: string, serial: number, entryEnd: number): void {
    const key = instanceKey(vm, host, serial);
    let queue = this.held.get(key);
    if (queue === undefined) {
      queue = { ends: [], head: 0 };
      this.held.set(key, queue);
    }
    queue.ends.push(entryEnd);
  }

  worldOutput(output: WorldOutput): void {
    const queue = this.held.get(instanceKey(output.vm, output.host, output.serial));
    if (queue === undefined || queue.head === queue.ends.length) return;
    queue.head++;
    if (queue.head === queue.ends.length) {
      queue.ends.length = 0;
      queue.head = 0;
    }
  }

  logAcked(vm: string, host: string, serial: number, receivedBytes: number): void {
    if (!this.engaged.has(vm, host)) return;
    const queue = this.held.get(instanceKey(vm, host, serial));
    if (queue === undefined || queue.head === queue.ends.length) return;
    const oldest = queue.ends[queue.head]!;
    if (oldest > receivedBytes) return;
    const waiting = queue.ends.length - queue.head;
    this.sink.report({
      invariant: 'I7',
      vm,
      host,
      message: `${host}, the engaged primary of ${vm}, kept ${waiting === 1 ? 'an output' : `${waiting} outputs`} back after its secondary acknowledged the log through byte ${receivedBytes}, past the output's entry (ending at byte ${oldest}): the Output Rule delays an output until its entry is acknowledged, no longer`,
    });
  }
}
