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

export function concreteTrace<C>(
  engine: Engine<C>,
  parent: GrowableInt32,
  parentEvent: GrowableInt32,
  index: number,
): TraceStep<C>[] {
  const path: number[] = [];
  for (let i = index; i >= 0; i = parent.get(i)) path.push(i);
  path.reverse();
  let state = engine.state(path[0]!);
  const trace: TraceStep<C>[] = [{ event: null, state }];
  for (let k = 1; k < path.length; k++) {
    const wanted = engine.keyOfIndex(path[k]!);
    const events = engine.events(state);
    const hinted = events[parentEvent.get(path[k]!)];
    let next: ModelState<C> | null = null;
    let taken: EventObject | null = null;
    for (const event of hinted ? [hinted, ...events] : events) {
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
