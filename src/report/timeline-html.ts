// A counterexample as a space-time diagram (ShiViz, Jepsen's timeline): a lane per host, client,
// storage and service; simulated time runs down (one row per event, gaps between rows growing with
// the time between them); messages are arrows from their sending to their receiving end (lost
// ones dashed red, ending in a cross); faults and role changes are marked on their lanes and the
// violation is highlighted. Every row is a radio button of one group: clicking an event, or
// stepping with the arrow keys once the diagram has focus, opens the inspector with the state of
// every agent at that instant (fields this event changed highlighted). No script: the page stays
// inert under its CSP; every text from a trace is escaped.

import { STATE_FIELDS } from '../check/fuzz/timeline-state.ts';
import type { TimelineEvent, TimelineValue } from '../check/results.ts';
import { escapeHtml } from './escape.ts';
import { formatMicros } from './format.ts';
import { orderLanes, timelineRows } from './timeline.ts';

const e = escapeHtml;

const KIND_TITLE: Record<TimelineEvent['kind'], string> = {
  fault: 'fault',
  role: 'role change',
  output: 'output',
  message: 'message',
  lock: 'lock',
  violation: 'violation',
  note: 'note',
};

/** Geometry of the diagram, in CSS pixels. */
const LANE_PX = 72;
const ROW_PX = 24;
const GAP_PX_MAX = 30;

/** The colour legend shown once above the timelines. */
export function timelineLegendHtml(): string {
  const chips = (Object.keys(KIND_TITLE) as TimelineEvent['kind'][]).map(
    (kind) => `<span class="ev ev-${kind}">${KIND_TITLE[kind]}</span>`,
  );
  return `<p class="legend">Event kinds: ${chips.join(' ')}. Arrows are messages (dashed red: lost). Time runs down; the space between rows grows with the simulated time between events.</p>`;
}

/** Extra space above a row: none for simultaneous events, up to GAP_PX_MAX for long pauses. */
function gapPx(deltaMicros: number): number {
  if (deltaMicros <= 0) return 0;
  return Math.min(GAP_PX_MAX, Math.round(6 * Math.log10(1 + deltaMicros / 100)));
}

interface Layout {
  events: TimelineEvent[];
  lanes: string[];
  x: Map<string, number>;
  /** Top of each row. */
  top: number[];
  height: number;
  width: number;
  omitted: number;
}

function layout(all: readonly TimelineEvent[]): Layout {
  const rows = timelineRows(all);
  const events = rows.flatMap((row) => ('event' in row ? [row.event] : []));
  const omitted = rows.reduce((sum, row) => sum + ('omitted' in row ? row.omitted : 0), 0);
  const lanes = orderLanes(events);
  const x = new Map(lanes.map((lane, i) => [lane, i * LANE_PX + LANE_PX / 2]));
  const top: number[] = [];
  let y = 4;
  events.forEach((event, i) => {
    if (i > 0) y += gapPx(event.atMicros - events[i - 1]!.atMicros);
    top.push(y);
    y += ROW_PX;
  });
  return { events, lanes, x, top, height: y + 4, width: lanes.length * LANE_PX, omitted };
}

const mid = (l: Layout, i: number) => l.top[i]! + ROW_PX / 2;

function messageArrows(l: Layout, marker: string): string[] {
  const sends = new Map<number, number>();
  const parts: string[] = [];
  l.events.forEach((event, i) => {
    if (event.kind !== 'message' || event.msg === undefined) return;
    if (event.to !== undefined) {
      sends.set(event.msg, i);
      const received = l.events.some((other) => other.msg === event.msg && other.from !== undefined);
      if (received) return;
      // Lost at once (a cross half way) or still in flight at the violation (to the bottom).
      const x1 = l.x.get(event.lane)!;
      const x2 = l.x.get(event.to)!;
      const y1 = mid(l, i);
      if (event.lost !== undefined) {
        const xm = (x1 + x2) / 2;
        parts.push(
          `<line class="arrow lost" x1="${x1}" y1="${y1}" x2="${xm}" y2="${y1 + 6}"/>${cross(xm, y1 + 6)}`,
        );
      } else {
        parts.push(`<line class="arrow flight" x1="${x1}" y1="${y1}" x2="${x2}" y2="${l.height}"/>`);
      }
      return;
    }
    if (event.from === undefined) return;
    const start = sends.get(event.msg);
    const x1 = l.x.get(event.from)!;
    const y1 = start === undefined ? l.top[0]! : mid(l, start);
    const x2 = l.x.get(event.lane)!;
    const y2 = mid(l, i);
    if (event.lost !== undefined) {
      parts.push(`<line class="arrow lost" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>${cross(x2, y2)}`);
    } else {
      parts.push(
        `<line class="arrow" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#${marker})"/>`,
      );
    }
  });
  return parts;
}

const cross = (x: number, y: number) =>
  `<path class="cross" d="M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x - 4} ${y + 4}L${x + 4} ${y - 4}"/>`;

function marks(l: Layout): string[] {
  return l.events.flatMap((event, i) => {
    const x = l.x.get(event.lane)!;
    const y = mid(l, i);
    const lanes = [event.lane, ...(event.lanes ?? [])].map((lane) => l.x.get(lane)!);
    const band =
      event.kind === 'fault' || event.kind === 'violation'
        ? `<rect class="band band-${event.kind}" x="${Math.min(...lanes) - LANE_PX / 2 + 4}" y="${l.top[i]! + 2}" width="${Math.max(...lanes) - Math.min(...lanes) + LANE_PX - 8}" height="${ROW_PX - 4}" rx="4"/>`
        : '';
    if (event.kind === 'message')
      return [`${band}<circle class="dot dot-message" cx="${x}" cy="${y}" r="3"/>`];
    const r = event.kind === 'violation' ? 7 : 5;
    return [`${band}<circle class="dot dot-${event.kind}" cx="${x}" cy="${y}" r="${r}"/>`];
  });
}

function diagramSvg(l: Layout, marker: string): string {
  const laneLines = l.lanes.map(
    (lane) => `<line class="lane" x1="${l.x.get(lane)}" y1="0" x2="${l.x.get(lane)}" y2="${l.height}"/>`,
  );
  return `<svg class="st-svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" aria-hidden="true"><defs><marker id="${marker}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" class="arrowhead"/></marker></defs>${laneLines.join('')}${messageArrows(l, marker).join('')}${marks(l).join('')}</svg>`;
}

/** "→ h3 log 0–36", "← h1 log 0–36 (lost: partition)" */
function eventText(event: TimelineEvent): string {
  const lost = event.lost === undefined ? '' : ` (lost: ${event.lost})`;
  if (event.to !== undefined) return `${event.lane} → ${event.to}: ${event.text}${lost}`;
  if (event.from !== undefined) return `${event.lane} ← ${event.from}: ${event.text}${lost}`;
  return `${event.lane}: ${event.text}`;
}

const valueText = (value: TimelineValue) => (value === null ? '—' : String(value));

function fieldOrder(fields: Iterable<string>): string[] {
  const known = STATE_FIELDS as readonly string[];
  return [...fields].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    return (ia < 0 ? known.length : ia) - (ib < 0 ? known.length : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
}

function compareAgents(a: string, b: string): number {
  const rank = (name: string) =>
    /^h\d+\//.test(name) ? 0 : /^h\d+$/.test(name) ? 1 : /^ha\//.test(name) ? 2 : /^c\d+$/.test(name) ? 4 : 3;
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
}

/** The inspector: every agent's state after the event, this event's changes highlighted. */
function panelHtml(event: TimelineEvent, state: Map<string, Map<string, TimelineValue>>): string {
  const changed = event.state ?? {};
  const rows = [...state.keys()].sort(compareAgents).map((agent) => {
    const fields = state.get(agent)!;
    const cells = fieldOrder(fields.keys()).map((field) => {
      const isChanged = Object.hasOwn(changed, agent) && Object.hasOwn(changed[agent]!, field);
      return `<span class="sf${isChanged ? ' chg' : ''}"><span class="sk">${e(field)}</span> ${e(valueText(fields.get(field)!))}</span>`;
    });
    return `<tr><th scope="row">${e(agent)}</th><td>${cells.join(' ')}</td></tr>`;
  });
  const table =
    rows.length === 0
      ? '<p class="muted">No agent state recorded for this counterexample.</p>'
      : `<table class="st-state"><tbody>${rows.join('')}</tbody></table>`;
  return `<div class="st-panel" role="region" aria-label="state at this event"><p class="st-at"><strong>${e(formatMicros(event.atMicros))}</strong> · <span class="ev-k k-${event.kind}">${e(KIND_TITLE[event.kind])}</span> · ${e(eventText(event))}</p><p class="muted">State of every agent after this event (highlighted: what it changed). ↑/↓ step through the events.</p>${table}</div>`;
}

function rowsHtml(l: Layout, group: string): string {
  const state = new Map<string, Map<string, TimelineValue>>();
  const last = l.events.length - 1;
  return l.events
    .map((event, i) => {
      for (const [agent, fields] of Object.entries(event.state ?? {})) {
        let known = state.get(agent);
        if (known === undefined) state.set(agent, (known = new Map()));
        for (const [field, value] of Object.entries(fields)) known.set(field, value);
      }
      const gap = i === 0 ? l.top[0]! : l.top[i]! - l.top[i - 1]! - ROW_PX;
      const checked = i === last ? ' checked' : '';
      return `<label class="st-row k-${event.kind}" style="margin-top:${gap}px"><input type="radio" name="${group}" value="${i}"${checked}><span class="st-t">${e(formatMicros(event.atMicros))}</span><span class="st-gap" style="width:${l.width}px"></span><span class="st-x" title="${e(eventText(event))}">${event.kind === 'violation' ? '<strong>VIOLATION</strong> ' : ''}${e(eventText(event))}</span>${panelHtml(event, state)}</label>`;
    })
    .join('');
}

/** The space-time diagram of one counterexample; `index` makes its radio group unique. */
export function timelineHtml(events: readonly TimelineEvent[], index = 0): string {
  if (events.length === 0) return '<p class="muted">This counterexample has no timeline events.</p>';
  const l = layout(events);
  const heads = l.lanes.map(
    (lane) =>
      `<span class="st-lane" data-lane="${e(lane)}" style="left:${l.x.get(lane)! - LANE_PX / 2}px;width:${LANE_PX}px">${e(lane)}</span>`,
  );
  const agents = new Set(events.flatMap((event) => Object.keys(event.state ?? {})));
  const hostsSeen = new Set(
    [...agents].map((agent) => agent.split('/')[0]!).filter((name) => /^h\d+$/.test(name)),
  );
  const collapsed = [...hostsSeen]
    .filter((host) => !l.lanes.includes(host))
    .sort((a, b) => compareAgents(a, b));
  const notes = [
    `${l.events.length} events`,
    ...(l.omitted > 0 ? [`${l.omitted} more left out (see the trace file)`] : []),
    ...(collapsed.length > 0 ? [`lanes that play no part collapsed: ${collapsed.join(', ')}`] : []),
  ];
  return `<div class="st" role="group" aria-label="space-time diagram"><p class="st-help muted">${e(notes.join(' · '))}. Click an event, or Tab into the diagram and use ↑/↓, to inspect every agent's state at that instant.</p><div class="st-head"><span class="st-t">time</span><span class="st-lanes" style="width:${l.width}px">${heads.join('')}</span><span class="st-x">event</span></div><div class="st-body">${diagramSvg(l, `ah${index}`)}<fieldset class="st-rows"><legend class="sr">Events</legend>${rowsHtml(l, `cx${index}`)}</fieldset></div></div>`;
}
