// A run's trace as the timeline a person reads in a counterexample: faults, agent state changes,
// roles, lock operations, outputs and messages (each message two events, its sending and its
// receiving end), every event carrying the change it made to the state of the agents.
//
// Detail: 'events' shows what a fuzzing run records (no messages); 'messages' and 'all' show every
// event of a trace recorded at that level; 'slice' (the default) shows what led to the violation:
// the milestones (faults, state and role changes, lock operations, notes, outputs let out early or
// by a non-primary, lost requests) on the lanes in the violation's causal past (happens-before
// over lane order and messages), every fault and role change, and for each milestone the last message of each
// kind its lane received from and sent to each peer — the last heartbeat before a silence, the
// last log segment and acknowledgement before a failover.
import { formatMicros } from '../../base/duration.ts';
import type { TraceDetailName, TraceEntry } from '../../sim/trace.ts';
import type { Violation } from '../monitors/violation.ts';
import type { TimelineEvent } from '../results.ts';
import { type AgentState, TimelineState } from './timeline-state.ts';

export const TIMELINE_DETAILS = ['slice', 'events', 'messages', 'all'] as const;
export type TimelineDetail = (typeof TIMELINE_DETAILS)[number];
export const TIMELINE_DETAIL_DEFAULT: TimelineDetail = 'slice';

/** The trace level a timeline detail needs the run recorded at. */
export function recordingDetail(detail: TimelineDetail): TraceDetailName {
  return detail === 'slice' ? 'messages' : detail;
}

/** Early outputs a slice keeps per lane: the first after each other milestone, and the last few. */
const EARLY_OUTPUTS_LAST = 5;
/** Most events a timeline holds (results.json carries it; the renderers draw it whole). */
export const TIMELINE_EVENTS_MAX = 400;

interface Point {
  event: TimelineEvent;
  /** Trace position of the entry it comes from (the synthetic violation: the trace's end). */
  entry: number;
  /** Every lane it sits on, its own lane first. */
  lanes: string[];
  milestone: boolean;
  /** Message ends: the other end's point, and the key of its kind ("peer|label|in|out"). */
  other?: number;
  context?: string;
}

const text = (value: unknown) => String(value);
const isHost = (name: string) => /^h\d+$/.test(name);

/** "h2/vm1" → "h2", "ha/vm1" → "ha", "vm1" → the detail's host or the subject. */
function laneOf(subject: string, detail: TraceEntry[3]): string {
  const slash = subject.indexOf('/');
  if (slash > 0) return subject.slice(0, slash);
  if (isHost(subject)) return subject;
  if (typeof detail.host === 'string') return detail.host;
  if (typeof detail.address === 'string') return detail.address;
  return subject;
}

function messageText(d: TraceEntry[3]): string {
  switch (d.msg) {
    case 'log':
      return `log ${text(d.from)}–${text(d.to)}`;
    case 'ack':
      return `ack ${text(d.acked)} (replayed ${text(d.replayed)} instructions)`;
    case 'test-and-set':
      return `test-and-set ${text(d.vm)} (knows generation ${text(d.known)})`;
    case 'write':
      return `disk write ${text(d.vm)} sector ${text(d.sector)} (generation ${text(d.generation)})`;
    case 'read':
      return `disk read ${text(d.vm)} sector ${text(d.sector)}`;
    default:
      return text(d.msg);
  }
}

function faultText(d: TraceEntry[3]): string {
  const parts = Object.entries(d)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]) => `${key}=${text(value)}`);
  return `${text(d.kind).toUpperCase()}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}`;
}

function outputText(vm: string, d: TraceEntry[3]): { text: string; early: boolean } {
  const kind = (['nic', 'console', 'disk'] as const).find((k) => typeof d[k] === 'number');
  const what = kind === undefined ? 'output' : `${kind} output #${text(d[kind])}`;
  if (d.op === 'suppress')
    return { text: `${vm} replay produced ${text(d.outputs)} output(s), suppressed`, early: false };
  if (d.op === 'hold') {
    return {
      text: `${vm} holds ${what}: its log entry ends at ${text(d.entry)}, acked ${text(d.acked)}`,
      early: false,
    };
  }
  if (typeof d.line === 'string') return { text: `${vm} console: ${d.line}`, early: false };
  const beforeAck = typeof d.acked === 'number' && typeof d.entry === 'number' && d.entry > d.acked;
  const notActing = d.acting === false;
  const why = [
    ...(beforeAck
      ? [`before its log entry was acknowledged (entry ends at ${text(d.entry)}, acked ${text(d.acked)})`]
      : []),
    ...(notActing ? ['by an instance that is not the acting primary'] : []),
  ];
  return {
    text: `${vm} released ${what}${why.length > 0 ? ` ${why.join(', ')}` : ''}`,
    early: why.length > 0,
  };
}

function noteText(subject: string, d: TraceEntry[3]): string {
  if (d.note === 'peer-silent') {
    const channels = [
      ...(d.heartbeat === true ? [`heartbeats (last heard ${formatMicros(Number(d.lastHeartbeatUs))})`] : []),
      ...(d.logging === true ? [`logging (last heard ${formatMicros(Number(d.lastLogUs))})`] : []),
    ];
    return `${text(d.vm)}: peer ${text(d.peer)} silent on ${channels.join(' and ')}`;
  }
  if (d.note === 'generation') return `${text(d.vm)} learns lock generation ${text(d.generation)}`;
  if (d.note === 'spawn') {
    const primary =
      d.primary === null ? 'no primary' : `primary on ${text(d.primary)} (rack ${text(d.primaryRack)})`;
    return `${subject} places a new secondary on ${text(d.target)} (rack ${text(d.rack)}); ${primary}`;
  }
  const fields = Object.entries(d)
    .map(([key, value]) => `${key}=${text(value)}`)
    .join(' ');
  return `${subject} ${fields}`;
}

/** Builds the points of a trace (up to `end`): one per entry a person reads, messages as two. */
class PointBuilder {
  readonly points: Point[] = [];
  /** Send point by "net#id", while the message may still arrive. */
  private readonly sends = new Map<string, number>();
  private messages = 0;
  private readonly primaryOf = new Map<string, string>();
  /** The request a client is about to send (its own record comes just before the message). */
  private readonly requests = new Map<string, string>();
  /** Links (with message kind) whose last message was lost. */
  private readonly losing = new Set<string>();

  add(entry: TraceEntry, position: number): void {
    const [atMicros, kind, subject, d] = entry;
    const point = (event: TimelineEvent, milestone: boolean, lanes: string[] = [event.lane]) =>
      this.points.push({ event, entry: position, lanes, milestone });
    switch (kind) {
      case 'fault': {
        const ends = subject.split('-').filter(isHost);
        const lane = ends[0] ?? (isHost(subject) ? subject : 'cluster');
        const lanes =
          d.network === 'storage' ? [...new Set([lane, ...ends, 'storage'])] : [...new Set([lane, ...ends])];
        const event: TimelineEvent = { atMicros, lane, kind: 'fault', text: faultText(d) };
        if (lanes.length > 1) event.lanes = lanes.slice(1);
        point(event, true, lanes);
        return;
      }
      case 'state':
        point(
          {
            atMicros,
            lane: laneOf(subject, d),
            kind: 'role',
            text: `${subject}: ${text(d.from)} → ${text(d.to)} on ${text(d.on)}`,
          },
          true,
        );
        return;
      case 'role':
        this.role(atMicros, subject, d, point);
        return;
      case 'lock':
        point(
          {
            atMicros,
            lane: 'storage',
            kind: 'lock',
            text: `test-and-set ${subject} by ${text(d.host)} (knew ${text(d.known)}): ${d.granted ? 'granted' : 'denied'}, generation ${text(d.generation)}`,
          },
          true,
        );
        return;
      case 'disk':
        point(
          {
            atMicros,
            lane: 'storage',
            kind: 'note',
            text: `${subject} disk ${text(d.op)} by ${text(d.host)} sector ${text(d.sector)}${d.fenced === true ? ` FENCED (generation ${text(d.generation)} is stale)` : ''}`,
          },
          d.fenced === true,
        );
        return;
      case 'output': {
        const { text: what, early } = outputText(subject, d);
        point({ atMicros, lane: laneOf(subject, d), kind: 'output', text: what }, early);
        return;
      }
      case 'vm':
      case 'info':
        point({ atMicros, lane: laneOf(subject, d), kind: 'note', text: noteText(subject, d) }, true);
        return;
      case 'client':
        this.client(atMicros, subject, d, point);
        return;
      case 'send':
        this.send(atMicros, subject, d, position);
        return;
      case 'recv':
      case 'drop':
      case 'dup':
        this.arrival(atMicros, kind, subject, d, position, point);
        return;
      default:
        return;
    }
  }

  private role(
    atMicros: number,
    vm: string,
    d: TraceEntry[3],
    point: (event: TimelineEvent, milestone: boolean) => void,
  ): void {
    if (d.role === 'primary' && typeof d.host === 'string') {
      this.primaryOf.set(vm, d.host);
      point(
        {
          atMicros,
          lane: d.host,
          kind: 'role',
          text: `${vm} primary on ${d.host}, lock generation ${text(d.generation)}`,
        },
        true,
      );
    } else if (typeof d.address === 'string') {
      point(
        { atMicros, lane: d.address, kind: 'role', text: `${vm} client address now at ${d.address}` },
        true,
      );
    } else if (typeof d.protected === 'boolean') {
      const lane = this.primaryOf.get(vm) ?? vm;
      point(
        {
          atMicros,
          lane,
          kind: 'role',
          text: `${vm} ${d.protected ? 'protected (lockstep engaged)' : 'unprotected'}`,
        },
        true,
      );
    }
  }

  private client(
    atMicros: number,
    client: string,
    d: TraceEntry[3],
    point: (event: TimelineEvent, milestone: boolean) => void,
  ): void {
    if (d.op === 'give-up') {
      point(
        { atMicros, lane: client, kind: 'note', text: `${client} gives up on request #${text(d.req)}` },
        true,
      );
      return;
    }
    if (d.op === 'send') {
      const attempt = Number(d.attempt);
      this.requests.set(client, `#${text(d.req)}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      return;
    }
    // The client's own record names the request a message carries: annotate that message's end.
    const last = this.points[this.points.length - 1];
    if (last === undefined || last.event.kind !== 'message') return;
    if (d.op === 'recv' && last.event.lane === client && last.event.from !== undefined) {
      const req = d.req === null ? 'an unknown request' : `#${text(d.req)}`;
      last.event.text = `reply to ${req}${d.dup === true ? ' (again: a duplicate)' : ''}`;
      if (d.dup === true) last.milestone = true;
    }
  }

  private send(atMicros: number, link: string, d: TraceEntry[3], position: number): void {
    const [source = link, target = link] = link.split('>');
    const msg = ++this.messages;
    let label = messageText(d);
    const request = this.requests.get(source);
    if (d.msg === 'request' && request !== undefined) {
      label = `request ${request}`;
      this.requests.delete(source);
    }
    const context = `${target}|${text(d.msg)}|out`;
    this.points.push({
      event: { atMicros, lane: source, kind: 'message', text: label, msg, to: target },
      entry: position,
      lanes: [source],
      milestone: false,
      context,
    });
    this.sends.set(`${text(d.net)}#${text(d.id)}`, this.points.length - 1);
  }

  private arrival(
    atMicros: number,
    kind: 'recv' | 'drop' | 'dup',
    link: string,
    d: TraceEntry[3],
    position: number,
    point: (event: TimelineEvent, milestone: boolean) => void,
  ): void {
    if (!link.includes('>')) {
      // A packet the VM's host could not take (not live there, queue full).
      point(
        {
          atMicros,
          lane: laneOf(link, d),
          kind: 'note',
          text: `${link} drops a client packet: ${text(d.why)}`,
        },
        true,
      );
      return;
    }
    const key = `${text(d.net)}#${text(d.id)}`;
    const sendIndex = this.sends.get(key);
    if (kind === 'dup' || sendIndex === undefined) return;
    const send = this.points[sendIndex]!;
    const [source = link, target = link] = link.split('>');
    // The first loss of a run of losses on a link is a milestone (a partition taking effect).
    const run = `${link}|${send.context!.split('|')[1]}`;
    // A client's lost request is always one (what the outside world could not reach).
    const firstLoss = kind === 'drop' && (!this.losing.has(run) || /^c\d+$/.test(source));
    if (kind === 'drop') this.losing.add(run);
    else this.losing.delete(run);
    if (kind === 'drop' && atMicros === send.event.atMicros && send.other === undefined) {
      send.event.lost = text(d.why);
      send.milestone = firstLoss;
      return;
    }
    const event: TimelineEvent = {
      atMicros,
      lane: target,
      kind: 'message',
      text: send.event.text,
      msg: send.event.msg!,
      from: source,
    };
    if (kind === 'drop') event.lost = text(d.why);
    this.points.push({
      event,
      entry: position,
      lanes: [target],
      milestone: firstLoss,
      other: sendIndex,
      context: `${source}|${send.context!.split('|')[1]}|in`,
    });
    if (send.other === undefined) send.other = this.points.length - 1;
  }
}

/** Indexes of the points a causal slice keeps (see the header). */
function causalSlice(points: readonly Point[], violation: number): Set<number> {
  const frontier = new Map<string, number>();
  for (const lane of points[violation]!.lanes) frontier.set(lane, violation);
  const past = new Set<number>();
  for (let i = violation; i >= 0; i--) {
    const point = points[i]!;
    if (!point.lanes.some((lane) => (frontier.get(lane) ?? -1) >= i)) continue;
    past.add(i);
    for (const lane of point.lanes) frontier.set(lane, Math.max(frontier.get(lane) ?? -1, i));
    if (point.other !== undefined && point.other < i) {
      const send = points[point.other]!;
      frontier.set(send.event.lane, Math.max(frontier.get(send.event.lane) ?? -1, point.other));
    }
  }
  const kept = new Set<number>([violation]);
  const keepMessage = (index: number) => {
    kept.add(index);
    const other = points[index]!.other;
    if (other !== undefined && other <= violation) kept.add(other);
  };
  const early = new Map<string, number[]>();
  /** Lanes where a milestone happened since the last early output kept there. */
  const fresh = new Set<string>();
  /** When the last fault touched each lane. */
  const faultAt = new Map<string, number>();
  const latest = new Map<string, Map<string, number>>();
  for (let i = 0; i <= violation; i++) {
    const point = points[i]!;
    if (point.context !== undefined) {
      const lane = point.event.lane;
      let map = latest.get(lane);
      if (map === undefined) latest.set(lane, (map = new Map()));
      map.set(point.context, i);
    }
    // Faults, the HA service's decisions and what clients saw act or matter without a message
    // to the violation: they are always kept, and so is what a fault did at once on its lanes.
    const lane = point.event.lane;
    const isFault = point.event.kind === 'fault' || lane === 'ha' || /^c\d+$/.test(lane);
    if (point.event.kind === 'fault') for (const l of point.lanes) faultAt.set(l, point.event.atMicros);
    const byFault = faultAt.get(lane) === point.event.atMicros;
    // A role change anywhere explains a violation about roles (a primary that carried on alone
    // while its secondary went live): kept like a fault, without its messages.
    if (point.milestone && point.event.kind === 'role' && !past.has(i)) {
      kept.add(i);
      continue;
    }
    if (!point.milestone || (!past.has(i) && !isFault && !byFault)) continue;
    if (point.event.kind === 'output') {
      const lane = point.event.lane;
      if (fresh.delete(lane) || !early.has(lane)) kept.add(i);
      const list = early.get(lane) ?? [];
      list.push(i);
      early.set(lane, list);
      continue;
    }
    if (point.event.kind === 'message') keepMessage(i);
    else kept.add(i);
    if (isFault) for (const lane of latest.keys()) fresh.add(lane);
    for (const lane of point.lanes) fresh.add(lane);
    for (const lane of point.lanes) for (const index of latest.get(lane)?.values() ?? []) keepMessage(index);
  }
  for (const list of early.values()) for (const index of list.slice(-EARLY_OUTPUTS_LAST)) kept.add(index);
  return kept;
}

/** Attaches to each kept point the state changes since the previous kept point. */
function attachState(
  entries: readonly TraceEntry[],
  points: readonly Point[],
  kept: readonly number[],
): void {
  const state = new TimelineState();
  const shown: AgentState = new Map();
  let next = 0;
  for (let k = 0; k < kept.length; k++) {
    const index = kept[k]!;
    // The state after this point: every entry before the next point's entry.
    const until = index + 1 < points.length ? points[index + 1]!.entry : entries.length;
    for (; next < until && next < entries.length; next++) {
      const entry = entries[next]!;
      state.apply(entry);
      if (entry[1] === 'recv' || entry[1] === 'drop') state.settle(entry[3].net, entry[3].id);
    }
    const changes = state.changesSince(shown);
    if (changes !== undefined) points[index]!.event.state = changes;
  }
}

/**
 * The timeline of a trace up to (and including) the violation's trace position, ending with the
 * violation; `detail` chooses what is shown (see the header).
 */
export function explainTrace(
  entries: readonly TraceEntry[],
  violation: Violation | null,
  detail: TimelineDetail = TIMELINE_DETAIL_DEFAULT,
): TimelineEvent[] {
  const end = violation === null ? entries.length : Math.min(entries.length, violation.tracePosition);
  const builder = new PointBuilder();
  for (let i = 0; i < end; i++) builder.add(entries[i]!, i);
  const points = builder.points;
  if (violation !== null) {
    const lane = violation.host ?? 'cluster';
    points.push({
      event: {
        atMicros: violation.timeUs,
        lane,
        kind: 'violation',
        text: `${violation.invariant}: ${violation.message}`,
      },
      entry: end,
      lanes: [lane],
      milestone: true,
    });
  }
  const chosen =
    detail === 'slice' && violation !== null
      ? [...causalSlice(points, points.length - 1)].sort((a, b) => a - b)
      : points.map((_, i) => i);
  const kept = bounded(points, chosen);
  attachState(entries.slice(0, end), points, kept);
  return renumberMessages(kept.map((i) => points[i]!.event));
}

/**
 * At most TIMELINE_EVENTS_MAX events: every fault and violation, then the latest of the others
 * (what came just before the violation explains it best). The state inspector stays exact: the
 * first event shown carries the whole state.
 */
function bounded(points: readonly Point[], chosen: number[]): number[] {
  if (chosen.length <= TIMELINE_EVENTS_MAX) return chosen;
  const pinned = chosen.filter(
    (i) => points[i]!.event.kind === 'fault' || points[i]!.event.kind === 'violation',
  );
  const others = chosen.filter((i) => !pinned.includes(i));
  const room = Math.max(0, TIMELINE_EVENTS_MAX - pinned.length);
  return [...pinned, ...others.slice(others.length - room)].sort((a, b) => a - b);
}

/** Message numbers 1, 2, … in order of first appearance, so a timeline reads the same every run. */
function renumberMessages(events: TimelineEvent[]): TimelineEvent[] {
  const numbers = new Map<number, number>();
  for (const event of events) {
    if (event.msg === undefined) continue;
    let number = numbers.get(event.msg);
    if (number === undefined) numbers.set(event.msg, (number = numbers.size + 1));
    event.msg = number;
  }
  return events;
}
