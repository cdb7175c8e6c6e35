// The explorer's public contract: any xstate v5 machine plus an event generator and properties as
// named data (Stateright's always / sometimes / eventually), optional symmetry and state views.
import type { AnyStateMachine, EventObject, StateValue } from 'xstate';
import type { InvariantId } from '../../base/invariants.ts';
import type { SymmetrySpec } from './symmetry.ts';

export type { SymmetrySpec } from './symmetry.ts';

/** What event generators, properties and views see: the snapshot's value and context. */
export interface ModelState<TContext> {
  value: StateValue;
  context: TContext;
}

type Predicate<C> = (state: ModelState<C>) => boolean;

interface PropertyBase {
  name: string;
  /** The product invariant (DESIGN.md I0–I8) this property is part of, if any. */
  id?: InvariantId;
  description?: string;
}

/** Safety: `holds` in every reachable state. A violation is the shortest path to a bad state. */
export interface AlwaysProperty<C> extends PropertyBase {
  kind: 'always';
  holds: Predicate<C>;
}

/** Reachability: some reachable state satisfies `holds`; the shortest path to one is its witness. */
export interface SometimesProperty<C> extends PropertyBase {
  kind: 'sometimes';
  holds: Predicate<C>;
}

/**
 * Liveness under weak fairness: every state satisfying `from` (default: the initial state) is
 * followed, on every fair run, by a state satisfying `goal` (`from ~> goal`, leads-to). A run is
 * fair when no fair action (an event of the model's list, see `fair`) stays enabled forever
 * without being taken.
 * A violation is a lasso: a stem to a `from` state, then a fair cycle (or a dead end) avoiding `goal`.
 */
export interface EventuallyProperty<C> extends PropertyBase {
  kind: 'eventually';
  from?: Predicate<C>;
  goal: Predicate<C>;
}

export type Property<C> = AlwaysProperty<C> | SometimesProperty<C> | EventuallyProperty<C>;

/** A safety property, checked in every reachable state (`always`, the older spelling). */
export interface NamedInvariant<TContext> extends PropertyBase {
  holds(state: ModelState<TContext>): boolean;
}

/** From every reachable `from` state some `goal` state is reachable (AG(from → EF goal)); no fairness. */
export interface ReachabilityProperty<TContext> extends PropertyBase {
  from(state: ModelState<TContext>): boolean;
  goal(state: ModelState<TContext>): boolean;
}

export interface ExplorerModel<TContext, TEvent extends EventObject = EventObject> {
  name: string;
  machine: AnyStateMachine;
  /** The machine's `input` (xstate v5): what its `context: ({ input }) => …` factory receives, e.g. bounds. */
  input?: unknown;
  /** Candidate events of a state; disabled ones are fine (they leave the state unchanged). */
  events(state: ModelState<TContext>): readonly TEvent[];
  /** Properties as named data: always / sometimes / eventually. */
  properties?: readonly Property<TContext>[];
  /** Safety properties (the same as `always` properties). */
  invariants?: readonly NamedInvariant<TContext>[];
  /** AG EF reachability ("a goal stays reachable"), kind `reachable` in results. */
  liveness?: readonly ReachabilityProperty<TContext>[];
  /**
   * Which actions weak fairness applies to (an action is an event of the model's list): a fair
   * action that stays enabled is eventually taken. Default: every action. Faults usually are not
   * fair (they may never happen); repairs usually are.
   */
  fair?(event: TEvent): boolean;
  /** States allowed to have no successor; others without one are deadlocks. Default: final states. */
  stable?(state: ModelState<TContext>): boolean;
  /** State identity for the generic engine without symmetry. Default: JSON of value and context. */
  key?(state: ModelState<TContext>): string;
  /**
   * Symmetry reduction over interchangeable identities, as data (both engines), or as a function
   * mapping a context to its canonical representative (generic engine only).
   */
  symmetry?: SymmetrySpec | ((context: TContext) => TContext);
  /** A flat readable view of a state for step tables and ITF traces. Default: the context. */
  view?(state: ModelState<TContext>): Record<string, string | number | boolean>;
}
