// The two ways of computing successors, behind one interface the search uses:
// - generic: `machine.transition(snapshot, event, actorScope)` with one reused actor scope and a
//   Map from state key to index — any xstate v5 machine;
// - compiled: the machine compiled to plans and decision tries (compile.ts) over rows, packed in
//   an open-addressing hash table (rowTable.ts) — refuses, naming it, what it cannot hold.
import type { EventObject } from 'xstate';
import type { ModelState } from './types.ts';

/**
 * Called for each enabled event of an expanded state: its index in the state's event list, the
 * action (a global id of the event, the unit of fairness), the target state and whether it is new.
 */
export type Visit = (eventIndex: number, action: number, target: number, isNew: boolean) => void;

export interface Engine<C> {
  readonly kind: 'generic' | 'compiled';
  /** Registers a predicate on states before `start`; returns its handle. */
  predicate(label: string, fn: (state: ModelState<C>) => boolean): number;
  /**
   * Interns the initial state (index 0). Without `targets`, `expand` may give -1 as the target of
   * a state stored before (a compiled engine then keeps no index per slot); new states always
   * get their index.
   */
  start(options?: { targets?: boolean }): void;
  count(): number;
  /** Computes the successors of state `index`; returns how many events were enabled. */
  expand(index: number, visit: Visit): number;
  /** A predicate on the state last created (by `start` or during `expand`). */
  holdsOnNew(predicate: number): boolean;
  /** A predicate on a stored state. */
  holds(predicate: number, index: number): boolean;
  state(index: number): ModelState<C>;
  /** The machine's initial state as xstate gives it (not canonicalised). */
  initial(): ModelState<C>;
  events(state: ModelState<C>): readonly EventObject[];
  /** One concrete step (no symmetry), for turning a canonical path into a readable trace. */
  stepConcrete(state: ModelState<C>, event: EventObject): ModelState<C> | null;
  /** The canonical identity of any state (equal for symmetric states). */
  canonicalKey(state: ModelState<C>): string;
  keyOfIndex(index: number): string;
  /** The event an action id stands for. */
  action(id: number): EventObject;
  /** Bytes held by the visited set (rows / keys), an estimate for the generic engine. */
  storeBytes(): number;
  /** Symmetry in force: the sum of orbit sizes of the states stored so far (null without symmetry). */
  orbitStates(): number | null;
}
