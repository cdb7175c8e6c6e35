// Where a stalled VM stands, in one sentence, for the report of a request nobody answered (I7) or
// a recovery that did not come (I5): a counterexample that says only "unanswered" or "not
// protected again" leaves the reader to find the stall in a trace of thousands of messages. Read
// at report time from the instances' own state, never from the trace: the agent state of each
// instance, what the Output Rule holds and what it waits for against what the secondary
// acknowledged and the primary sent, a primary stopped by a full log buffer, stunned for a
// snapshot or slowed by lag control, disk requests still in flight, packets the guest has not
// taken, and the HA service's state.
import type { FtInstance } from '../../cluster/ft-instance.ts';
import type { FtVm } from '../../cluster/ft-vm.ts';

/**
 * One clause per instance that holds the VM, then the HA service's state: "h1 (primary.engaged)
 * holds 3 outputs …; h2 (secondary.syncing) shows nothing held; the HA service is spawning".
 */
export function describeStall(vm: FtVm): string {
  const clauses: string[] = [];
  for (const instance of vm.instances) {
    if (instance.vm === null && instance.agent.state === 'idle') continue;
    clauses.push(describeInstance(instance));
  }
  const ha = vm.ha === null ? '' : `; the HA service is ${vm.ha.actor.state}`;
  return (clauses.length === 0 ? `no host holds ${vm.name}` : clauses.join('; ')) + ha;
}

function describeInstance(instance: FtInstance): string {
  const parts: string[] = [];
  const where = `${instance.host.name} (${instance.agent.state}${instance.host.up ? '' : ', down'})`;
  const sender = instance.sender;
  // The recorder's gate passes outputs on at once; the agent holds them (staged) for the Output Rule.
  const held = instance.staged.length + (instance.recorder?.gate.heldCount ?? 0);
  if (held > 0) {
    const waitsFor = instance.staged[0]?.entryEnd ?? instance.recorder!.gate.oldestHeldEntryEnd;
    parts.push(
      sender === null
        ? `holds ${count(held, 'output')} with no log stream attached`
        : `holds ${count(held, 'output')} for the Output Rule, the oldest waiting for log byte ${waitsFor}; ${instance.peer ?? 'no secondary'} has acknowledged ${sender.ackedOffset} of the ${sender.sentBytes} bytes sent (${sender.writtenBytes} logged)`,
    );
  } else if (sender !== null && sender.writtenBytes > sender.ackedOffset) {
    parts.push(`has ${sender.writtenBytes - sender.ackedOffset} log bytes unacknowledged`);
  }
  if (sender?.full)
    parts.push(
      `is stopped: its log buffer is full (${instance.peer ?? 'its secondary'} has acknowledged ${sender.ackedOffset} of the ${sender.sentBytes} bytes sent, ${sender.writtenBytes} logged)`,
    );
  if (instance.pausedForSnapshot)
    parts.push(`is stunned for its snapshot to ${instance.peer ?? 'a new secondary'}`);
  const share = instance.lag?.share;
  if (share !== undefined && share < 1)
    parts.push(
      share === 0 ? 'is stopped by lag control' : `runs at ${share} of full speed under lag control`,
    );
  if (instance.diskInFlight.size > 0)
    parts.push(`waits on ${count(instance.diskInFlight.size, 'disk request')}`);
  if (instance.fencedWrites.length > 0)
    parts.push(`holds ${count(instance.fencedWrites.length, 'write')} the array fenced`);
  if (instance.nicQueue.length > 0)
    parts.push(`has ${count(instance.nicQueue.length, 'client packet')} the guest has not taken`);
  if (instance.disengaged && instance.agent.hasTag('engaged')) parts.push('is disengaged from its stream');
  if (instance.vm === null) return `${where} holds no VM`;
  return parts.length === 0 ? `${where} shows nothing held` : `${where} ${parts.join(', ')}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
