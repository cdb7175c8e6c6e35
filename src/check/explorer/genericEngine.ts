// The generic engine: BFS over `machine.transition` with a shared inert actor scope, keyed by a
// string (the model's key, or JSON of value and context). Symmetry as data is applied through the
// compiled layout (the same canonical rows as the compiled engine); as a function, on contexts.
import { type AnyMachineSnapshot, createActor, type EventObject, type StateValue } from 'xstate';
import { compileMachine } from './compile.ts';
import type { Engine, Visit } from './engine.ts';
import { UnsupportedMachineError } from './errors.ts';
import { RowSymmetry } from './symmetry.ts';
import type { ExplorerModel, ModelState } from './types.ts';

export interface GenericEngineOptions {
  /** Apply the model's symmetry (default true). */
  symmetry?: boolean;
}

type Canonical = (s: AnyMachineSnapshot) => { snapshot: AnyMachineSnapshot; key: string; orbit: number };

function canonicalizer<C>(model: ExplorerModel<C>, useSymmetry: boolean): Canonical {
  const machine = model.machine;
  const keyOf = model.key ?? ((s: ModelState<C>) => JSON.stringify([s.value, s.context]));
  const symmetry = useSymmetry ? model.symmetry : undefined;
  if (symmetry === undefined) return (s) => ({ snapshot: s, key: keyOf(s as ModelState<C>), orbit: 1 });
  if (typeof symmetry === 'function') {
    return (s) => {
      const snapshot = machine.resolveState({ value: s.value, context: symmetry(s.context) });
      return { snapshot, key: keyOf(snapshot as ModelState<C>), orbit: 1 };
    };
  }
  let compiled: ReturnType<typeof compileMachine>;
  try {
    compiled = compileMachine(machine, model.input, symmetry);
  } catch (error) {
    if (!(error instanceof UnsupportedMachineError)) throw error;
    throw new UnsupportedMachineError(
      `symmetry as data needs the machine's row layout, which is unavailable: ${error.message} (give symmetry as a function of the context instead)`,
    );
  }
  const rows = new RowSymmetry(symmetry, compiled);
  return (s) => {
    const row = compiled.encode(s as { value: StateValue; context: unknown });
    rows.canonicalize(row);
    const canonical = compiled.decode(row);
    return {
      snapshot: machine.resolveState({ value: canonical.value, context: canonical.context }),
      key: row.join(','),
      orbit: rows.orbitSize(row),
    };
  };
}

export function genericEngine<C>(model: ExplorerModel<C>, options: GenericEngineOptions = {}): Engine<C> {
  const machine = model.machine;
  // One actor scope reused for every step (DESIGN.md: ~4× faster than the pure helpers).
  const actor = createActor(machine, { input: model.input });
  const scope = (actor as unknown as { _actorScope: unknown })._actorScope;
  const useSymmetry = options.symmetry !== false && model.symmetry !== undefined;
  const canonical = canonicalizer(model, useSymmetry);
  const snapshots: AnyMachineSnapshot[] = [];
  const keys: string[] = [];
  const index = new Map<string, number>();
  const predicates: ((s: ModelState<C>) => boolean)[] = [];
  const actions: EventObject[] = [];
  const actionIds = new Map<string, number>();
  let orbits = 0;
  const actionOf = (event: EventObject) => {
    const key = JSON.stringify(event);
    let id = actionIds.get(key);
    if (id === undefined) {
      id = actions.length;
      actionIds.set(key, id);
      actions.push(event);
    }
    return id;
  };
  const step = (s: AnyMachineSnapshot, e: EventObject) =>
    (machine.transition as (s: unknown, e: unknown, scope: unknown) => AnyMachineSnapshot)(s, e, scope);
  const add = (s: AnyMachineSnapshot): number => {
    const c = canonical(s);
    const known = index.get(c.key);
    if (known !== undefined) return known;
    const target = snapshots.length;
    index.set(c.key, target);
    keys.push(c.key);
    snapshots.push(c.snapshot);
    orbits += c.orbit;
    return target;
  };

  return {
    kind: 'generic',
    predicate(_label, fn) {
      predicates.push(fn);
      return predicates.length - 1;
    },
    start() {
      add(machine.getInitialSnapshot(scope as never, model.input));
    },
    count: () => snapshots.length,
    expand(i: number, visit: Visit) {
      const from = snapshots[i]!;
      const events = model.events(from as ModelState<C>);
      let enabled = 0;
      for (let e = 0; e < events.length; e++) {
        const next = step(from, events[e]!);
        if (next === from) continue;
        enabled++;
        const before = snapshots.length;
        const target = add(next);
        visit(e, actionOf(events[e]!), target, snapshots.length > before);
      }
      return enabled;
    },
    holdsOnNew: (p) => predicates[p]!(snapshots[snapshots.length - 1] as ModelState<C>),
    holds: (p, i) => predicates[p]!(snapshots[i] as ModelState<C>),
    state: (i) => snapshots[i] as ModelState<C>,
    initial: () => machine.getInitialSnapshot(scope as never, model.input) as ModelState<C>,
    events: (s) => model.events(s),
    stepConcrete(s, e) {
      const from = machine.resolveState({ value: s.value, context: s.context });
      const next = step(from, e);
      return next === from ? null : (next as ModelState<C>);
    },
    canonicalKey: (s) => canonical(machine.resolveState({ value: s.value, context: s.context })).key,
    keyOfIndex: (i) => keys[i]!,
    action: (id) => actions[id]!,
    storeBytes: () => keys.reduce((sum, k) => sum + 2 * k.length + 64, 0),
    orbitStates: () => (useSymmetry && typeof model.symmetry === 'object' ? orbits : null),
  };
}
