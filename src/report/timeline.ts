// Shared shaping of a counterexample timeline for the renderers: lane order, time order and a
// bounded window of events (a long trace is cut in the middle, the violation always stays).
import { assert } from '../base/assert.ts';
import type { TimelineEvent } from '../check/results.ts';

/** Most events any renderer draws for one counterexample. */
export const TIMELINE_EVENTS_MAX = 400;
/** Of those, how many come from the start of the trace; the rest lead up to its end. */
const TIMELINE_HEAD_EVENTS = 100;

/** Lane groups in reading order: hosts, HA service, storage, clients, the model, anything else. */
function laneGroup(lane: string): number {
  if (/^h\d+$/.test(lane)) return 0;
  if (lane === 'ha') return 1;
  if (lane === 'storage') return 2;
  if (/^c\d+$/.test(lane)) return 3;
  if (lane === 'model') return 4;
  return 5;
}

function compareLanes(a: string, b: string): number {
  const byGroup = laneGroup(a) - laneGroup(b);
  if (byGroup !== 0) return byGroup;
  if (laneGroup(a) === 0 || laneGroup(a) === 3) return Number(a.slice(1)) - Number(b.slice(1));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every lane a timeline touches: its events' lanes, message ends and the other lanes events name. */
export function orderLanes(events: readonly TimelineEvent[]): string[] {
  const lanes = new Set<string>();
  for (const event of events) {
    lanes.add(event.lane);
    if (event.to !== undefined) lanes.add(event.to);
    if (event.from !== undefined) lanes.add(event.from);
    for (const lane of event.lanes ?? []) lanes.add(lane);
  }
  return [...lanes].sort(compareLanes);
}

/** A timeline row: the event, or a marker for events left out of the window. */
export type TimelineRow = { event: TimelineEvent } | { omitted: number };

/** Events by time (stable for equal times), cut to at most TIMELINE_EVENTS_MAX rows. */
export function timelineRows(events: readonly TimelineEvent[]): TimelineRow[] {
  const sorted = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.atMicros - b.event.atMicros || a.index - b.index)
    .map(({ event }) => event);
  if (sorted.length <= TIMELINE_EVENTS_MAX) return sorted.map((event) => ({ event }));
  const head = sorted.slice(0, TIMELINE_HEAD_EVENTS);
  const tail = sorted.slice(sorted.length - (TIMELINE_EVENTS_MAX - TIMELINE_HEAD_EVENTS));
  const middle = sorted.slice(TIMELINE_HEAD_EVENTS, sorted.length - tail.length);
  // A violation must never be cut away: keep every one from the middle as well.
  const keptViolations = middle.filter((event) => event.kind === 'violation');
  const omitted = middle.length - keptViolations.length;
  assert(omitted > 0, 'a cut timeline omits at least one event');
  return [
    ...head.map((event) => ({ event })),
    { omitted },
    ...keptViolations.map((event) => ({ event })),
    ...tail.map((event) => ({ event })),
  ];
}
