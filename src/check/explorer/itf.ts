// Counterexamples in the Informal Trace Format (ITF, https://apalache-mc.org/docs/adr/015adr-trace.html),
// the JSON trace format of Apalache and Quint, written the way Quint writes it: integers (and only
// integers) as {"#bigint": "n"}, booleans as JSON booleans, strings as strings, lists as arrays,
// records as objects, an absent value as the variant None. Each state holds readable variables
// (a model's `itf` view: state names, not the codes the explorer packs) and, as Quint's
// model-based-testing traces do, `mbt::actionTaken` (the event's name, "init" first) and
// `mbt::nondetPicks` (the event's parameters, each `Some(value)`). test/itf.test.ts loads the
// output with Quint's own ITF reader and round-trips it through Quint's writer.
import type { EventObject } from 'xstate';
import type { TraceStep } from './trace.ts';
import type { ModelState } from './types.ts';

export type ItfValue =
  | boolean
  | string
  | { '#bigint': string }
  | { '#tup': ItfValue[] }
  | { tag: string; value: ItfValue }
  | ItfValue[]
  | { [key: string]: ItfValue };

export interface ItfTrace {
  '#meta': { format: 'ITF'; 'format-description': string; source: string; description: string };
  vars: string[];
  states: Record<string, unknown>[];
  loop?: number;
}

export const ACTION_TAKEN = 'mbt::actionTaken';
export const NONDET_PICKS = 'mbt::nondetPicks';

const NONE: ItfValue = { tag: 'None', value: { '#tup': [] } };

export function toItfValue(value: unknown): ItfValue {
  if (typeof value === 'number')
    return Number.isInteger(value) ? { '#bigint': String(value) } : String(value);
  if (typeof value === 'bigint') return { '#bigint': value.toString() };
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === null || value === undefined) return NONE;
  if (Array.isArray(value)) return value.map(toItfValue);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toItfValue(v)]),
  );
}

const stateValueText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}.${stateValueText(v)}`)
        .join(',');

/** The default variables of a state: the machine's state value (dotted) and its context fields. */
function defaultVars<C>(state: ModelState<C>): Record<string, unknown> {
  return { state: stateValueText(state.value), ...(state.context as Record<string, unknown>) };
}

function picksOf(event: EventObject | null): ItfValue {
  if (event === null) return {};
  const { type: _type, ...params } = event;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, { tag: 'Some', value: toItfValue(value) }]),
  );
}

export interface ItfOptions<C> {
  /** Readable variables of a state (state names, booleans); default: state value and context. */
  vars?: (state: ModelState<C>) => Record<string, unknown>;
}

export function toItf<C>(
  trace: readonly TraceStep<C>[],
  source: string,
  description: string,
  options: ItfOptions<C> = {},
): ItfTrace {
  const varsOf = options.vars ?? defaultVars;
  const names = Object.keys(trace[0] === undefined ? {} : varsOf(trace[0].state));
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source,
      description,
    },
    vars: [...names, ACTION_TAKEN, NONDET_PICKS],
    states: trace.map((step, index) => {
      const vars = varsOf(step.state);
      const state: Record<string, unknown> = { '#meta': { index } };
      for (const name of names) state[name] = toItfValue(vars[name]);
      state[ACTION_TAKEN] = step.event === null ? 'init' : step.event.type;
      state[NONDET_PICKS] = picksOf(step.event);
      return state;
    }),
  };
}
