// The part of a run trace a person reads in a counterexample: faults, agent state changes, roles,
// lock operations, VM operations and notes, as timeline events (hosts as lanes). Message traffic,
// client views and disk I/O are left out; the renderers bound the length.
import type { TraceEntry } from '../../sim/trace.ts';
import type { Violation } from '../monitors/violation.ts';
import type { TimelineEvent } from '../results.ts';

const detailText = (detail: TraceEntry[3], skip: readonly string[] = []) =>
  Object.entries(detail)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');

/** Lane of a subject: "h2/vm1" → "h2", "ha/vm1" → "ha", "vm1" → the detail's host or the subject. */
function laneOf(subject: string, detail: TraceEntry[3]): string {
  const slash = subject.indexOf('/');
  if (slash > 0) return subject.slice(0, slash);
  if (/^h\d+$/.test(subject)) return subject;
  if (typeof detail.host === 'string') return detail.host;
  if (typeof detail.address === 'string') return detail.address;
  return subject;
}

export function timelineEventOf(entry: TraceEntry): TimelineEvent | null {
  const [atMicros, kind, subject, detail] = entry;
  switch (kind) {
    case 'fault':
      return { atMicros, lane: laneOf(subject, detail), kind: 'fault', text: detailText(detail) };
    case 'state': {
      const text = `${subject}: ${String(detail.from)} → ${String(detail.to)} on ${String(detail.on)}`;
      return { atMicros, lane: laneOf(subject, detail), kind: 'role', text };
    }
    case 'role':
      return {
        atMicros,
        lane: laneOf(subject, detail),
        kind: 'role',
        text: `${subject} ${detailText(detail, ['host'])}`,
      };
    case 'lock':
      return { atMicros, lane: 'storage', kind: 'lock', text: `${subject} ${detailText(detail)}` };
    case 'vm':
    case 'info':
      return {
        atMicros,
        lane: laneOf(subject, detail),
        kind: 'note',
        text: `${subject} ${detailText(detail)}`,
      };
    case 'violation':
      return { atMicros, lane: laneOf(subject, detail), kind: 'violation', text: detailText(detail) };
    default:
      return null;
  }
}

/** Timeline of the trace up to (and including) the violation's trace position, ending with it. */
export function timelineUpTo(entries: readonly TraceEntry[], violation: Violation | null): TimelineEvent[] {
  const end = violation === null ? entries.length : Math.min(entries.length, violation.tracePosition + 1);
  const events: TimelineEvent[] = [];
  for (let i = 0; i < end; i++) {
    const event = timelineEventOf(entries[i]!);
    if (event !== null) events.push(event);
  }
  if (violation !== null && !events.some((event) => event.kind === 'violation')) {
    events.push({
      atMicros: violation.timeUs,
      lane: violation.host ?? 'cluster',
      kind: 'violation',
      text: `${violation.invariant}: ${violation.message}`,
    });
  }
  return events;
}
