// Counterexamples in the Informal Trace Format (ITF, https://apalache-mc.org/docs/adr/015adr-trace.html),
// the JSON trace format of Apalache and Quint: integers as {"#bigint": "n"}, records as objects,
// lists as arrays. Each state holds the machine's state value, its context fields, and the event
// that led to it (`mbt::actionTaken`, as Quint's model-based-testing traces name it).
import type { EventObject } from 'xstate';
import type { TraceStep } from './trace.ts';

export type ItfValue = boolean | string | { '#bigint': string } | ItfValue[] | { [key: string]: ItfValue };

export interface ItfTrace {
  '#meta': { format: 'ITF'; 'format-description': string; source: string; description: string };
  vars: string[];
  states: Record<string, unknown>[];
  loop?: number;
}

export function toItfValue(value: unknown): ItfValue {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return String(value);
    return { '#bigint': String(value) };
  }
  if (typeof value === 'bigint') return { '#bigint': value.toString() };
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
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

export function toItf<C>(trace: readonly TraceStep<C>[], source: string, description: string): ItfTrace {
  const contextVars = Object.keys((trace[0]?.state.context ?? {}) as Record<string, unknown>);
  const eventOf = (event: EventObject | null) => toItfValue(event ?? { type: 'init' });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source,
      description,
    },
    vars: ['state', ...contextVars, 'mbt::actionTaken'],
    states: trace.map((step, index) => {
      const context = step.state.context as Record<string, unknown>;
      const vars: Record<string, ItfValue> = { state: stateValueText(step.state.value) };
      for (const name of contextVars) vars[name] = toItfValue(context[name]);
      vars['mbt::actionTaken'] = eventOf(step.event);
      return { '#meta': { index }, ...vars };
    }),
  };
}
