// Counterexample traces. The explorer stores canonical (symmetry-reduced) states, so a path of
// canonical states may renumber hosts between steps; `concreteTrace` replays the path from the
// initial state, at each step picking an event whose concrete successor is symmetric to the next
// canonical state, which gives a trace with consistent names that `machine.transition` follows.
import type { EventObject } from 'xstate';
import { assert } from '../../base/assert.ts';
import type { Engine } from './engine.ts';
import type { GrowableInt32 } from './growable.ts';
import type { ModelState } from './types.ts';

export interface TraceStep<C = unknown> {
  /** The event that led here; null for the initial state. */
  event: EventObject | null;
  state: ModelState<C>;
}

/** The BFS tree path from the initial state to `index`: state indices and event hints. */
export function treePath(parent: GrowableInt32, parentEvent: GrowableInt32, index: number) {
  const states: number[] = [];
  const hints: number[] = [];
  for (let i = index; i >= 0; i = parent.get(i)) {
    states.push(i);
    hints.push(parentEvent.get(i));
  }
  return { states: states.reverse(), hints: hints.reverse() };
}

/**
 * Replays a path of stored states concretely. `hints[k]` is the index of the event that leads to
 * `states[k]` in its predecessor's event list, or -1; `actions[k]` (when given) is the event itself.
 */
export function concreteTrace<C>(
  engine: Engine<C>,
  states: readonly number[],
  hints: readonly number[] = [],
  actions: readonly (EventObject | null)[] = [],
): TraceStep<C>[] {
  assert(states[0] === 0, 'a trace starts at the initial state');
  let state = engine.initial();
  const trace: TraceStep<C>[] = [{ event: null, state }];
  for (let k = 1; k < states.length; k++) {
    const wanted = engine.keyOfIndex(states[k]!);
    const events = engine.events(state);
    const preferred = [actions[k], events[hints[k] ?? -1]].filter((e): e is EventObject => !!e);
    let next: ModelState<C> | null = null;
    let taken: EventObject | null = null;
    for (const event of [...preferred, ...events]) {
      const candidate = engine.stepConcrete(state, event);
      if (candidate && engine.canonicalKey(candidate) === wanted) {
        next = candidate;
        taken = event;
        break;
      }
    }
    assert(next !== null && taken !== null, `trace step ${k} is reproducible from a concrete state`);
    trace.push({ event: taken, state: next });
    state = next;
  }
  return trace;
}
