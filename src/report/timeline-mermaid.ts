// A counterexample timeline as a Mermaid sequence diagram: one participant per lane, messages as
// arrows drawn when they arrive (a lost message as a cross where it was lost, one still in flight
// at the violation as an open arrow), faults, role changes, lock operations and notes as notes
// over their lanes (faults and role changes boxed in colour), ending with the violation.
import type { TimelineEvent } from '../check/results.ts';
import { formatMicros } from './format.ts';
import { orderLanes, timelineRows } from './timeline.ts';

const KIND_LABEL: Record<TimelineEvent['kind'], string> = {
  fault: 'FAULT',
  role: 'ROLE',
  output: 'OUTPUT',
  message: 'msg',
  lock: 'LOCK',
  violation: 'VIOLATION',
  note: 'note',
};

const KIND_BOX: Partial<Record<TimelineEvent['kind'], string>> = {
  fault: 'rgb(255, 224, 178)',
  role: 'rgb(200, 230, 255)',
  lock: 'rgb(235, 220, 255)',
  violation: 'rgb(255, 190, 190)',
};

/**
 * Text safe inside a Mermaid message or note: characters with syntax meaning (`;`, `#`, `:`,
 * angle brackets, quotes, braces) become Mermaid entity codes, line breaks become spaces.
 */
export function mermaidText(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[#;:<>"'{}%`\\]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Renders timeline events as a `sequenceDiagram` (without the ```mermaid fence). */
export function timelineToMermaid(events: readonly TimelineEvent[]): string {
  const lanes = orderLanes(events);
  const participant = new Map(lanes.map((lane, index) => [lane, `L${index + 1}`]));
  const id = (lane: string) => participant.get(lane)!;
  const lines = ['sequenceDiagram'];
  for (const lane of lanes) lines.push(`  participant ${id(lane)} as ${mermaidText(lane)}`);
  const arrived = new Set(
    events.filter((e) => e.msg !== undefined && e.from !== undefined).map((e) => e.msg),
  );
  for (const row of timelineRows(events)) {
    if ('omitted' in row) {
      lines.push(`  Note over ${id(lanes[0]!)}: ${row.omitted} events omitted`);
      continue;
    }
    const { event } = row;
    const at = `t=${formatMicros(event.atMicros)}`;
    if (event.kind === 'message') {
      if (event.from !== undefined) {
        const arrow = event.lost === undefined ? '->>' : '-x';
        const lost = event.lost === undefined ? '' : ` LOST (${event.lost})`;
        lines.push(
          `  ${id(event.from)}${arrow}${id(event.lane)}: ${mermaidText(`${at} ${event.text}${lost}`)}`,
        );
      } else if (event.to !== undefined && event.lost !== undefined) {
        lines.push(
          `  ${id(event.lane)}-x${id(event.to)}: ${mermaidText(`${at} ${event.text} LOST (${event.lost})`)}`,
        );
      } else if (event.to !== undefined && !arrived.has(event.msg)) {
        lines.push(
          `  ${id(event.lane)}-)${id(event.to)}: ${mermaidText(`${at} ${event.text} (still in flight)`)}`,
        );
      }
      continue;
    }
    const over = [event.lane, ...(event.lanes ?? []).slice(-1)].map(id).join(',');
    const note = `Note over ${over}: ${mermaidText(`${at} ${KIND_LABEL[event.kind]} ${event.text}`)}`;
    const box = KIND_BOX[event.kind];
    if (box === undefined) lines.push(`  ${note}`);
    else lines.push(`  rect ${box}`, `    ${note}`, '  end');
  }
  return `${lines.join('\n')}\n`;
}
