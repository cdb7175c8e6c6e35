// The explorer's public contract: any xstate v5 machine plus an event generator, named
// invariants and optional liveness, state key, symmetry and packed codec (for the fast path).
import type { AnyStateMachine, EventObject, StateValue } from 'xstate';
import type { InvariantId } from '../../base/invariants.ts';

/** What event generators, invariants and views see: the snapshot's value and context. */
export interface ModelState<TContext> {
  value: StateValue;
  context: TContext;
}

/** A safety property, checked in every reachable state (Stateright's `always`). */
export interface NamedInvariant<TContext> {
  name: string;
  /** The product invariant (DESIGN.md I1–I6) this property is part of, if any. */
  id?: InvariantId;
  description?: string;
  holds(state: ModelState<TContext>): boolean;
}

/** Liveness on the explored graph: from every reachable `from` state some `goal` state is reachable. */
export interface ReachabilityProperty<TContext> {
  name: string;
  id?: InvariantId;
  description?: string;
  from(state: ModelState<TContext>): boolean;
  goal(state: ModelState<TContext>): boolean;
}

/** Packs a context into `width` int32 words; needed by the compiled fast path. */
export interface StateCodec<TContext> {
  width: number;
  encode(context: TContext, out: Int32Array, offset: number): void;
  decode(row: Int32Array, offset: number): TContext;
  /** Symmetry on packed words; must agree with `ExplorerModel.symmetry` on contexts. */
  canonicalize?(row: Int32Array, offset: number): void;
}

export interface ExplorerModel<TContext, TEvent extends EventObject = EventObject> {
  name: string;
  machine: AnyStateMachine;
  /** The machine's `input` (xstate v5): what its `context: ({ input }) => …` factory receives, e.g. bounds. */
  input?: unknown;
  /** Candidate events of a state; disabled ones are fine (they leave the state unchanged). */
  events(state: ModelState<TContext>): readonly TEvent[];
  invariants: readonly NamedInvariant<TContext>[];
  liveness?: readonly ReachabilityProperty<TContext>[];
  /** States allowed to have no successor; others without one are deadlocks. Default: final states. */
  stable?(state: ModelState<TContext>): boolean;
  /** State identity for the generic path. Default: JSON of value and (canonical) context. */
  key?(state: ModelState<TContext>): string;
  /** Symmetry reduction: maps a context to its canonical representative. */
  symmetry?(context: TContext): TContext;
  codec?: StateCodec<TContext>;
  /** A flat readable view of a state for step tables and ITF traces. Default: the context. */
  view?(state: ModelState<TContext>): Record<string, string | number | boolean>;
}
