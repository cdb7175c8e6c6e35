// A swarm member's counterexample or witness travels as its events only (in this process, and in
// shard files from other machines); the trace is rebuilt by replaying them on the model from its
// initial state, and the replay is the check: every event must be one the model offers in that
// state and enabled there, and the last state must be bad (an `always` property false, or a
// deadlock) or, for a witness, satisfy the `sometimes` property. A record that does not replay is
// refused with the field that is wrong, so a shard cannot claim a violation it did not find.
import type { EventObject } from 'xstate';
import { compiledEngine } from './compiledEngine.ts';
import { isModelFault, STEPS_COMPLETE } from './thrown.ts';
import type { TraceStep } from './trace.ts';
import type { ExplorerModel, ModelState } from './types.ts';

/** A member record that does not hold up: `field` is its path inside the record (e.g. `violation.events.3`). */
export class SwarmRecordError extends Error {
  override name = 'SwarmRecordError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`field '${field}': ${detail}`);
  }
}

type Pred = (s: ModelState<unknown>) => boolean;
export type ReplayClaim =
  | { kind: 'invariant'; property: string }
  | { kind: 'deadlock' }
  | { kind: 'sometimes'; property: string };

const isFinalValue = (model: ExplorerModel<unknown>): Pred => {
  const states = (model.machine.root as unknown as { states: Record<string, { type: string }> }).states;
  return (s) => typeof s.value === 'string' && states[s.value]?.type === 'final';
};

/** The model's predicate a claim names, or a SwarmRecordError naming the property field. */
function predicateOf(model: ExplorerModel<unknown>, claim: ReplayClaim, field: string): Pred {
  if (claim.kind === 'deadlock') return model.stable ?? isFinalValue(model);
  const properties = model.properties ?? [];
  const found =
    claim.kind === 'invariant'
      ? [...properties.filter((p) => p.kind === 'always'), ...(model.invariants ?? [])].find(
          (p) => p.name === claim.property,
        )
      : properties.find((p) => p.kind === 'sometimes' && p.name === claim.property);
  if (found === undefined || !('holds' in found)) {
    const what = claim.kind === 'invariant' ? 'always' : 'sometimes';
    throw new SwarmRecordError(field, `the model has no ${what} property '${claim.property}'`);
  }
  return found.holds as Pred;
}

/**
 * Replays `events` from the initial state and checks the claim on the last state; returns the
 * trace. `field` is where the events sit in the record (errors name `${field}.events.k`).
 */
export function replayClaim<C>(
  model: ExplorerModel<C>,
  events: readonly EventObject[],
  claim: ReplayClaim,
  field: string,
): TraceStep<C>[] {
  const untyped = model as ExplorerModel<unknown>;
  // A step that throws (I0): the claim is that some event of the last state throws.
  const throws = claim.kind === 'invariant' && claim.property === STEPS_COMPLETE.name;
  const predicate = throws ? () => true : predicateOf(untyped, claim, `${field}.property`);
  const engine = compiledEngine(untyped, { symmetry: false });
  let state = engine.initial();
  const trace: TraceStep<unknown>[] = [{ event: null, state }];
  events.forEach((event, k) => {
    const text = JSON.stringify(event);
    const offered = engine.events(state).find((e) => JSON.stringify(e) === text);
    if (offered === undefined)
      throw new SwarmRecordError(
        `${field}.events.${k}`,
        `the model offers no event ${text} in step ${k + 1}`,
      );
    const next = engine.stepConcrete(state, offered);
    if (next === null)
      throw new SwarmRecordError(`${field}.events.${k}`, `event ${text} is not enabled in step ${k + 1}`);
    trace.push({ event: offered, state: next });
    state = next;
  });
  const last = trace.at(-1)!.state;
  const bad = throws
    ? engine.events(last).some((e) => stepThrows(engine, last, e))
    : claim.kind === 'invariant'
      ? !predicate(last)
      : claim.kind === 'sometimes'
        ? predicate(last)
        : !predicate(last) && engine.events(last).every((e) => engine.stepConcrete(last, e) === null);
  if (!bad) {
    const what =
      claim.kind === 'invariant'
        ? `violates '${claim.property}'`
        : claim.kind === 'sometimes'
          ? `satisfies '${claim.property}'`
          : 'is a deadlock';
    throw new SwarmRecordError(`${field}.events`, `the events do not end in a state that ${what}`);
  }
  return trace as TraceStep<C>[];
}

function stepThrows(
  engine: ReturnType<typeof compiledEngine<unknown>>,
  state: ModelState<unknown>,
  event: EventObject,
): boolean {
  try {
    engine.stepConcrete(state, event);
    return false;
  } catch (error) {
    return isModelFault(error);
  }
}

/** The model's initial state (the whole trace of a `sometimes` property no state satisfies). */
export function initialState<C>(model: ExplorerModel<C>): ModelState<C> {
  return compiledEngine(model as ExplorerModel<unknown>, { symmetry: false }).initial() as ModelState<C>;
}
