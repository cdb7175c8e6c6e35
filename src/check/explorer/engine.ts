// The two ways of computing successors, behind one interface the BFS driver uses:
// - generic: `machine.transition(snapshot, event, actorScope)` with one reused actor scope and a
//   Map from state key to index — any xstate v5 machine;
// - compiled: the machine compiled to a step table (compile.ts) over packed rows in an
//   open-addressing hash table (rowTable.ts) — needs a codec, refuses unsupported features.
import type { EventObject } from 'xstate';
import type { ModelState } from './types.ts';

/** Called for each enabled event of an expanded state. `created` is the new state when first seen. */
export type Visit<C> = (eventIndex: number, target: number, created: ModelState<C> | null) => void;

export interface Engine<C> {
  readonly kind: 'generic' | 'compiled';
  /** Interns the initial state and returns it. */
  start(): ModelState<C>;
  count(): number;
  /** Computes the successors of state `index`; returns how many events were enabled. */
  expand(index: number, visit: Visit<C>): number;
  state(index: number): ModelState<C>;
  events(state: ModelState<C>): readonly EventObject[];
  /** One concrete step (no symmetry), for turning a canonical path into a readable trace. */
  stepConcrete(state: ModelState<C>, event: EventObject): ModelState<C> | null;
  /** The canonical identity of any state (equal for symmetric states). */
  canonicalKey(state: ModelState<C>): string;
  keyOfIndex(index: number): string;
  /** Bytes held by the visited set (rows / keys), an estimate for the generic engine. */
  storeBytes(): number;
}
