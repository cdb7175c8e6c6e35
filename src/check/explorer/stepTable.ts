// A counterexample as a readable step table: one row per step with the event taken and only the
// fields of the (viewed) state that changed, so the failure reads like a story.
import type { EventObject } from 'xstate';
import type { TimelineEvent } from '../results.ts';
import type { TraceStep } from './trace.ts';
import type { ModelState } from './types.ts';

export type StateView<C> = (state: ModelState<C>) => Record<string, string | number | boolean>;

const defaultView = <C>(state: ModelState<C>) => {
  const flat: Record<string, string | number | boolean> = { state: JSON.stringify(state.value) };
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else flat[prefix] = typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  };
  walk('', state.context);
  return flat;
};

export const eventText = (event: EventObject | null): string => {
  if (event === null) return '(initial)';
  const { type, ...params } = event;
  const args = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`);
  return args.length ? `${type}(${args.join(', ')})` : type;
};

export function formatStepTable<C>(trace: readonly TraceStep<C>[], view: StateView<C> = defaultView): string {
  const rows: [string, string, string][] = [['step', 'event', 'changes']];
  let previous: Record<string, string | number | boolean> = {};
  trace.forEach((step, index) => {
    const current = view(step.state);
    const changes = Object.entries(current)
      .filter(([k, v]) => previous[k] !== v)
      .map(([k, v]) => `${k}: ${String(v)}`);
    rows.push([String(index), eventText(step.event), changes.join('; ') || '(no visible change)']);
    previous = current;
  });
  const width0 = Math.max(...rows.map((r) => r[0].length));
  const width1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map((r) => `${r[0].padStart(width0)}  ${r[1].padEnd(width1)}  ${r[2]}`).join('\n');
}

/**
 * A model counterexample as timeline events for the reports: one per step on the lane 'model'
 * (`atMicros` is the step number), the last one the violation, each carrying the viewed fields
 * it changed (the first: all of them) as the state of the agent 'model' — what the HTML report
 * draws as a TLC-style table.
 */
export function stepTimeline<C>(
  trace: readonly TraceStep<C>[],
  view: StateView<C>,
  violation: string,
): TimelineEvent[] {
  let previous: Record<string, string | number | boolean> = {};
  return trace.map((step, index) => {
    const current = view(step.state);
    const changes = Object.fromEntries(Object.entries(current).filter(([k, v]) => previous[k] !== v));
    previous = current;
    const last = index === trace.length - 1;
    return {
      atMicros: index,
      lane: 'model',
      kind: last ? 'violation' : 'note',
      text: `step ${index}: ${eventText(step.event)}${last ? ` — ${violation}` : ''}`,
      state: { model: changes },
    };
  });
}
