// The state of every agent of a run at any instant, folded from its trace: what the timeline's
// inspector shows when a person clicks an event. Agents are a host's instance of a VM ("h1/vm1":
// protocol state, lock generation it knows, log positions, outputs released and held), the HA
// service ("ha/vm1"), the VM as a whole ("vm1": primary, protection, client address, the lock on
// shared storage), hosts ("h2": up or down) and clients ("c1": request waiting, last answered).
// Log positions are byte offsets of the VM's log stream, the unit the Output Rule compares.

import type { TraceEntry } from '../../sim/trace.ts';
import type { TimelineValue } from '../results.ts';

export type AgentState = Map<string, Map<string, TimelineValue>>;

/** Column order of the inspector; fields not listed follow in first-seen order. */
export const STATE_FIELDS = [
  'state',
  'up',
  'generation',
  'log sent',
  'log acked',
  'log received',
  'replayed',
  'released',
  'held',
  'suppressed',
  'test-and-set',
  'primary',
  'protected',
  'address',
  'lock',
  'waiting',
  'answered',
  'gave up',
] as const;

export class TimelineState {
  readonly agents: AgentState = new Map();
  /** Sends not yet received, by network and message id: their detail (log offsets, acks). */
  private readonly inFlight = new Map<string, TraceEntry>();

  set(agent: string, field: string, value: TimelineValue): void {
    let fields = this.agents.get(agent);
    if (fields === undefined) {
      fields = new Map();
      this.agents.set(agent, fields);
    }
    fields.set(field, value);
  }

  get(agent: string, field: string): TimelineValue | undefined {
    return this.agents.get(agent)?.get(field);
  }

  /** The send entry of a message in flight (for its receiving end). */
  sendOf(net: unknown, id: unknown): TraceEntry | undefined {
    return this.inFlight.get(`${String(net)}#${String(id)}`);
  }

  apply(entry: TraceEntry): void {
    const [, kind, subject, d] = entry;
    switch (kind) {
      case 'state':
        this.set(subject, 'state', String(d.to));
        return;
      case 'role':
        this.role(subject, d);
        return;
      case 'lock': {
        const agent = `${String(d.host)}/${subject}`;
        this.set(agent, 'test-and-set', d.granted ? 'granted' : 'denied');
        if (d.granted) {
          this.set(agent, 'generation', d.generation ?? null);
          this.set(subject, 'lock', `generation ${String(d.generation)} (${String(d.host)})`);
        }
        return;
      }
      case 'info':
        if (d.note === 'generation')
          this.set(`${subject}/${String(d.vm)}`, 'generation', d.generation ?? null);
        return;
      case 'vm':
        if (d.op === 'leave-replay') this.set(`${subject}/${String(d.vm)}`, 'replayed', d.instret ?? null);
        return;
      case 'fault':
        if (d.kind === 'crash') this.set(subject, 'up', false);
        if (d.kind === 'repair') this.set(subject, 'up', true);
        return;
      case 'send':
        this.inFlight.set(`${String(d.net)}#${String(d.id)}`, entry);
        this.sent(subject, d);
        return;
      case 'recv':
        this.received(subject, d);
        return;
      case 'output':
        this.output(subject, d);
        return;
      case 'client':
        this.client(subject, d);
        return;
      default:
        return;
    }
  }

  private role(vm: string, d: TraceEntry[3]): void {
    if (d.role === 'primary') {
      this.set(vm, 'primary', d.host ?? null);
      this.set(`${String(d.host)}/${vm}`, 'generation', d.generation ?? null);
    }
    if (typeof d.protected === 'boolean') this.set(vm, 'protected', d.protected);
    if (typeof d.address === 'string') this.set(vm, 'address', d.address);
  }

  private sent(link: string, d: TraceEntry[3]): void {
    const [source] = link.split('>');
    if (d.msg === 'log') this.set(`${source}/${String(d.vm)}`, 'log sent', d.to ?? null);
    if (d.msg === 'ack') this.set(`${source}/${String(d.vm)}`, 'replayed', d.replayed ?? null);
  }

  private received(link: string, d: TraceEntry[3]): void {
    const key = `${String(d.net)}#${String(d.id)}`;
    const send = this.inFlight.get(key);
    if (send === undefined) return;
    const target = link.split('>')[1];
    const s = send[3];
    if (s.msg === 'log') {
      const agent = `${target}/${String(s.vm)}`;
      const before = this.get(agent, 'log received');
      if (
        typeof s.from === 'number' &&
        typeof s.to === 'number' &&
        (typeof before !== 'number' || s.from <= before)
      )
        this.set(agent, 'log received', Math.max(s.to, typeof before === 'number' ? before : 0));
    }
    if (s.msg === 'ack') this.set(`${target}/${String(s.vm)}`, 'log acked', s.acked ?? null);
  }

  /** Forgets a message once it can arrive no more (received or dropped); duplicates keep it. */
  settle(net: unknown, id: unknown): void {
    this.inFlight.delete(`${String(net)}#${String(id)}`);
  }

  private output(vm: string, d: TraceEntry[3]): void {
    const agent = `${String(d.host)}/${vm}`;
    if (d.op === 'release' || d.op === 'hold') {
      const kind = (['nic', 'console', 'disk'] as const).find((k) => typeof d[k] === 'number');
      if (d.op === 'release' && kind !== undefined)
        this.set(agent, 'released', `${kind} #${String(d[kind])}`);
      if (typeof d.held === 'number') this.set(agent, 'held', d.held);
    }
    if (d.op === 'suppress') this.set(agent, 'suppressed', `nic ${String(d.nic)}`);
  }

  private client(client: string, d: TraceEntry[3]): void {
    if (d.op === 'send') this.set(client, 'waiting', `#${String(d.req)} (attempt ${String(d.attempt)})`);
    if (d.op === 'recv' && d.dup !== true && d.req !== null) {
      this.set(client, 'answered', `#${String(d.req)}`);
      this.set(client, 'waiting', null);
    }
    if (d.op === 'give-up') {
      this.set(client, 'gave up', `#${String(d.req)}`);
      this.set(client, 'waiting', null);
    }
  }

  /** Every agent's fields that differ from `shown`, which is updated to match. */
  changesSince(shown: AgentState): Record<string, Record<string, TimelineValue>> | undefined {
    let changes: Record<string, Record<string, TimelineValue>> | undefined;
    for (const [agent, fields] of this.agents) {
      let seen = shown.get(agent);
      for (const [field, value] of fields) {
        if (seen?.get(field) === value && seen.has(field)) continue;
        changes ??= {};
        (changes[agent] ??= {})[field] = value;
        if (seen === undefined) {
          seen = new Map();
          shown.set(agent, seen);
        }
        seen.set(field, value);
      }
    }
    return changes;
  }
}
