// A counterexample timeline as a Mermaid sequence diagram: one participant per lane, each event a
// note over its lane; faults and the violation are boxed in colour.
import type { TimelineEvent } from '../check/results.ts';
import { formatMicros } from './format.ts';
import { orderLanes, timelineRows } from './timeline.ts';

const KIND_LABEL: Record<TimelineEvent['kind'], string> = {
  fault: 'FAULT',
  role: 'ROLE',
  output: 'output',
  message: 'msg',
  lock: 'lock',
  violation: 'VIOLATION',
  note: 'note',
};

const KIND_BOX: Partial<Record<TimelineEvent['kind'], string>> = {
  fault: 'rgb(255, 224, 178)',
  role: 'rgb(200, 230, 255)',
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
  const lines = ['sequenceDiagram'];
  for (const lane of lanes) lines.push(`  participant ${participant.get(lane)} as ${mermaidText(lane)}`);
  for (const row of timelineRows(events)) {
    if ('omitted' in row) {
      lines.push(`  Note over ${participant.get(lanes[0]!)}: ${row.omitted} events omitted`);
      continue;
    }
    const { event } = row;
    const note = `  Note over ${participant.get(event.lane)}: ${mermaidText(
      `t=${formatMicros(event.atMicros)} ${KIND_LABEL[event.kind]} ${event.text}`,
    )}`;
    const box = KIND_BOX[event.kind];
    if (box === undefined) {
      lines.push(note);
    } else {
      lines.push(`  rect ${box}`, `  ${note}`, '  end');
    }
  }
  return `${lines.join('\n')}\n`;
}
