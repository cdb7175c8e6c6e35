// A model counterexample as TLC prints an error trace: one row per step (the event taken), one
// column per host and shared variable of the model's readable view, every cell filled (the
// state after that step), the cells the step changed highlighted, the violating step last.
import type { TimelineEvent, TimelineValue } from '../check/results.ts';
import { escapeHtml } from './escape.ts';

const e = escapeHtml;

/** A timeline is a model counterexample when all its events sit on the lane 'model'. */
export function isModelTimeline(events: readonly TimelineEvent[]): boolean {
  return events.length > 0 && events.every((event) => event.lane === 'model');
}

export function stateTableHtml(events: readonly TimelineEvent[]): string {
  const columns: string[] = [];
  for (const event of events) {
    for (const field of Object.keys(event.state?.model ?? {}))
      if (!columns.includes(field)) columns.push(field);
  }
  const current = new Map<string, TimelineValue>();
  const rows = events.map((event) => {
    const changed = event.state?.model ?? {};
    for (const [field, value] of Object.entries(changed)) current.set(field, value);
    const cells = columns.map((field) => {
      const value = current.get(field);
      const text = value === undefined || value === null ? '' : String(value);
      return Object.hasOwn(changed, field) ? `<td class="chg">${e(text)}</td>` : `<td>${e(text)}</td>`;
    });
    const rowClass = event.kind === 'violation' ? ' class="tlc-violation"' : '';
    return `<tr${rowClass}><th scope="row">${e(event.text)}</th>${cells.join('')}</tr>`;
  });
  const head = columns.map((column) => `<th scope="col">${e(column)}</th>`).join('');
  return `<div class="tlc"><p class="muted">The shortest path to the violation, as the model checker found it: one row per step, the state after it in every column; highlighted cells are what the step changed.</p><table><thead><tr><th scope="col">step (event)</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
