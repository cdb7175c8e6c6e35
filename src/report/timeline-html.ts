// A counterexample timeline a person can follow: a CSS grid with time running down and one column
// (lane) per host or component; faults, role changes and the violation are colour-coded.
import type { TimelineEvent } from '../check/results.ts';
import { escapeHtml } from './escape.ts';
import { formatMicros } from './format.ts';
import { orderLanes, timelineRows } from './timeline.ts';

const KIND_TITLE: Record<TimelineEvent['kind'], string> = {
  fault: 'fault',
  role: 'role change',
  output: 'output',
  message: 'message',
  lock: 'lock',
  violation: 'violation',
  note: 'note',
};

/** The colour legend shown once above the timelines. */
export function timelineLegendHtml(): string {
  const chips = (Object.keys(KIND_TITLE) as TimelineEvent['kind'][]).map(
    (kind) => `<span class="ev ev-${kind}">${KIND_TITLE[kind]}</span>`,
  );
  return `<p class="legend">Event kinds: ${chips.join(' ')}</p>`;
}

function eventCells(event: TimelineEvent, lanes: string[]): string {
  const cells = lanes.map((lane) => {
    if (lane !== event.lane) return '<div class="tl-cell"></div>';
    const label = event.kind === 'violation' ? '<strong>VIOLATION</strong> ' : '';
    return `<div class="tl-cell"><div class="ev ev-${event.kind}" title="${KIND_TITLE[event.kind]}">${label}${escapeHtml(event.text)}</div></div>`;
  });
  const rowClass = event.kind === 'violation' ? 'tl-time tl-violation' : 'tl-time';
  return `<div class="${rowClass}">${escapeHtml(formatMicros(event.atMicros))}</div>${cells.join('')}`;
}

/** The timeline grid of one counterexample. */
export function timelineHtml(events: readonly TimelineEvent[]): string {
  if (events.length === 0) return '<p class="muted">This counterexample has no timeline events.</p>';
  const lanes = orderLanes(events);
  const head = lanes.map(
    (lane) => `<div class="tl-head tl-lane" data-lane="${escapeHtml(lane)}">${escapeHtml(lane)}</div>`,
  );
  const rows = timelineRows(events).map((row) =>
    'omitted' in row
      ? `<div class="tl-omitted">… ${row.omitted} events omitted (see the trace file) …</div>`
      : eventCells(row.event, lanes),
  );
  const columns = `8.5em repeat(${lanes.length}, minmax(9em, 1fr))`;
  return `<div class="timeline" role="table" style="grid-template-columns: ${columns}"><div class="tl-head">time</div>${head.join('')}${rows.join('')}</div>`;
}
