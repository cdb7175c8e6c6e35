// Explicit-state breadth-first exploration. Every reachable state is checked against the `always`
// properties when first seen, `sometimes` properties get the shortest witness, states without an
// enabled event that the model does not call stable are deadlocks, and the temporal properties
// are checked on the explored graph afterwards (temporal.ts). BFS order makes every
// counterexample and witness shortest; parents, events and edges are int32 arrays.
//
// Symmetry reduction is sound for safety and reachability, but weak fairness is a property of
// concrete actions (host 1's step, not "some host's step"), so `eventually` properties of a
// symmetric model are checked in a second search without symmetry; the result says so.
import type { EventObject } from 'xstate';
import type { InvariantId } from '../../base/invariants.ts';
import { compiledEngine } from './compiledEngine.ts';
import type { Engine } from './engine.ts';
import { UnsupportedMachineError } from './errors.ts';
import { genericEngine } from './genericEngine.ts';
import { GrowableInt32 } from './growable.ts';
import { checkEventually, checkReachable, type Graph } from './temporal.ts';
import { isModelFault, STEPS_COMPLETE, thrownText } from './thrown.ts';
import { concreteTrace, type TraceStep, treePath } from './trace.ts';
import type { ExplorerModel, ModelState } from './types.ts';

export interface ExploreOptions {
  /** 'compiled' refuses machines it cannot hold (naming why); 'auto' then runs 'generic' and says why. Default 'auto'. */
  engine?: 'auto' | 'generic' | 'compiled';
  /** Stop after this many states (the result says `complete: false`). Default 10 million. */
  maxStates?: number;
  /** Stop at the first violation. Default true. */
  stopAtFirstViolation?: boolean;
  /** Skip the temporal properties (reachable, eventually; they need the whole graph). Default false. */
  skipLiveness?: boolean;
  /** Check the `eventually` properties (under fairness; without symmetry, a second search). Default true. */
  eventually?: boolean;
  /** Apply the model's symmetry. Default true. */
  symmetry?: boolean;
  /** Check always, sometimes and deadlocks. Default true; false leaves only the temporal properties (what a parallel search hands back to a sequential one). */
  safety?: boolean;
}

export type PropertyKind = 'always' | 'sometimes' | 'eventually' | 'reachable' | 'deadlock';

export interface PropertyResult<C = unknown> {
  name: string;
  kind: PropertyKind;
  invariant?: InvariantId;
  description: string;
  /** unknown: the search stopped before it could decide (a bound, or an earlier violation). */
  status: 'holds' | 'violated' | 'unknown';
  /** For `sometimes`: the shortest path to a state that satisfies it. */
  witness?: TraceStep<C>[];
}

export interface Violation<C = unknown> {
  /** invariant (`always`), deadlock, liveness (`reachable`), sometimes, eventually. */
  kind: 'invariant' | 'deadlock' | 'liveness' | 'sometimes' | 'eventually';
  property: string;
  invariant?: InvariantId;
  description: string;
  /** The shortest path from the initial state to the violating state (for a lasso: stem + cycle). */
  trace: TraceStep<C>[];
  /** A lasso's cycle starts at trace[loopStart]; the trace's last state is that state again. */
  loopStart?: number;
  /** For a step that threw (I0): the event taken from the trace's last state, and what it threw. */
  thrown?: { event: EventObject | null; error: string };
}

export interface ExploreResult<C = unknown> {
  model: string;
  engine: 'generic' | 'compiled';
  /** Why this engine ran (requested, or why the compiled engine refused the machine). */
  engineReason: string;
  input?: unknown;
  symmetry: {
    applied: boolean;
    /** States the reduced ones stand for (the sum of their orbit sizes); null without symmetry. */
    orbitStates: number | null;
    /** orbitStates ÷ states. */
    reduction: number | null;
  };
  states: number;
  transitions: number;
  depth: number;
  complete: boolean;
  seconds: number;
  statesPerSecond: number;
  storeBytes: number;
  /** Every property checked, with its kind and verdict. */
  properties: PropertyResult<C>[];
  violations: Violation<C>[];
  /** The search without symmetry that checked `eventually` properties under fairness, when one ran. */
  fairness?: { states: number; transitions: number; seconds: number; complete: boolean };
  /** A parallel search (`--workers`, parallel.ts): how it ran and where the temporal properties were checked. */
  parallel?: ParallelReport;
}

export interface ParallelReport {
  workers: number;
  /** Why the result is or is not the parallel search's own (small model, a violation, …). */
  note: string;
  /** The temporal properties need the whole graph in one place: a sequential search checked them, or nobody. */
  temporal: 'sequential' | 'skipped' | 'none';
  /** The sequential search of the temporal properties, when one ran. */
  temporalSearch?: { states: number; transitions: number; seconds: number; complete: boolean };
  /** Restarts with a wider shared packing or more shared values (a worker met a code that did not fit). */
  restarts: number;
}

export function selectEngine<C>(
  model: ExplorerModel<C>,
  engine: ExploreOptions['engine'] = 'auto',
  symmetry = true,
): { engine: Engine<C>; reason: string } {
  if (engine === 'generic') return { engine: genericEngine(model, { symmetry }), reason: 'requested' };
  try {
    const compiled = compiledEngine(model, { symmetry });
    return { engine: compiled, reason: engine === 'auto' ? 'the machine compiles' : 'requested' };
  } catch (error) {
    if (engine !== 'auto' || !(error instanceof UnsupportedMachineError)) throw error;
    return {
      engine: genericEngine(model, { symmetry }),
      reason: `the compiled engine refused the machine: ${error.message}`,
    };
  }
}

type Pred<C> = (s: ModelState<C>) => boolean;

interface Checked {
  result: PropertyResult;
  /** always / sometimes: the predicate's handle. */
  holds?: number;
  /** reachable / eventually: flag bits of `from` (-1: the initial state) and `goal`. */
  fromBit?: number;
  goalBit?: number;
  found?: number;
}

const isFinalValue = (model: ExplorerModel<unknown>) => {
  const states = (model.machine.root as unknown as { states: Record<string, { type: string }> }).states;
  return (s: ModelState<unknown>) => typeof s.value === 'string' && states[s.value]?.type === 'final';
};

/** The BFS bookkeeping: parents and events for counterexamples, edges for temporal checks. */
class Search<C> {
  readonly parent = new GrowableInt32();
  readonly parentEvent = new GrowableInt32();
  readonly edgeStart = new GrowableInt32();
  readonly edges = new GrowableInt32();
  readonly edgeAction = new GrowableInt32();
  readonly flags = new GrowableInt32();
  readonly checked: Checked[] = [];
  readonly violations: { checked: Checked; kind: Violation['kind']; index: number }[] = [];
  private readonly flagPredicates: number[] = [];
  private readonly stable: number;
  private readonly deadlock: Checked;
  private readonly throws: Checked;
  /** The step that threw: the state expanded and the error (the search stops there). */
  private thrown: { index: number; error: Error } | null = null;
  transitions = 0;
  current = 0;
  /** BFS level of the state being expanded (states are stored level by level). */
  level = 0;
  maxDepth = 0;
  actionCount = 0;

  constructor(
    private readonly model: ExplorerModel<C>,
    readonly engine: Engine<C>,
    readonly scope: { safety: boolean; reachable: boolean; eventually: boolean },
  ) {
    const describe = (p: { name: string; description?: string }) => p.description ?? p.name;
    const add = (
      kind: PropertyResult['kind'],
      p: { name: string; id?: InvariantId; description?: string },
    ) => {
      const checked: Checked = {
        result: { name: p.name, kind, invariant: p.id, description: describe(p), status: 'unknown' },
        holds: undefined,
      };
      this.checked.push(checked);
      return checked;
    };
    const flag = (label: string, fn: Pred<C>) => {
      if (this.flagPredicates.length === 31) throw new Error('at most 31 temporal predicates per model');
      this.flagPredicates.push(engine.predicate(label, fn));
      return this.flagPredicates.length - 1;
    };
    const properties = model.properties ?? [];
    if (scope.safety) {
      const always = [
        ...properties.filter((p) => p.kind === 'always'),
        ...(model.invariants ?? []).map((p) => ({ ...p, kind: 'always' as const })),
      ];
      for (const p of always) add('always', p).holds = engine.predicate(`always '${p.name}'`, p.holds);
      for (const p of properties) {
        if (p.kind === 'sometimes')
          add('sometimes', p).holds = engine.predicate(`sometimes '${p.name}'`, p.holds);
      }
    }
    if (scope.eventually) {
      for (const p of properties) {
        if (p.kind !== 'eventually') continue;
        const c = add('eventually', p);
        c.fromBit = p.from ? flag(`from of '${p.name}'`, p.from) : -1;
        c.goalBit = flag(`goal of '${p.name}'`, p.goal);
      }
    }
    if (scope.reachable) {
      for (const p of model.liveness ?? []) {
        const c = add('reachable', p);
        c.fromBit = flag(`from of '${p.name}'`, p.from);
        c.goalBit = flag(`goal of '${p.name}'`, p.goal);
      }
    }
    const stable = model.stable ?? isFinalValue(model as ExplorerModel<unknown>);
    this.stable = engine.predicate('stable', stable as Pred<C>);
    this.deadlock = scope.safety
      ? add('deadlock', {
          name: 'deadlock',
          description: 'no event is enabled in a state the model does not call stable',
        })
      : { result: { name: 'deadlock', kind: 'deadlock', description: '', status: 'unknown' } };
    const { id, ...throws } = STEPS_COMPLETE;
    this.throws = scope.safety
      ? add('always', STEPS_COMPLETE)
      : { result: { ...throws, kind: 'always', invariant: id, status: 'unknown' } };
  }

  /** Edges are kept only for the temporal properties (reachable, eventually) that read the graph. */
  private get storesEdges(): boolean {
    return this.flagPredicates.length > 0;
  }

  private report(checked: Checked, kind: Violation['kind'], index: number): void {
    if (checked.result.status === 'violated') return;
    checked.result.status = 'violated';
    this.violations.push({ checked, kind, index });
  }

  /** The always and sometimes properties (the ones with a predicate to check on every new state). */
  private predicated: Checked[] = [];

  private onNew(index: number): void {
    const predicated = this.predicated;
    for (let i = 0; i < predicated.length; i++) {
      const c = predicated[i]!;
      if (c.result.status !== 'unknown') continue;
      const holds = this.engine.holdsOnNew(c.holds!);
      if (c.result.kind === 'always' && !holds) this.report(c, 'invariant', index);
      if (c.result.kind === 'sometimes' && holds) {
        c.result.status = 'holds';
        c.found = index;
      }
    }
    if (this.flagPredicates.length === 0) return;
    let bits = 0;
    for (let b = 0; b < this.flagPredicates.length; b++) {
      if (this.engine.holdsOnNew(this.flagPredicates[b]!)) bits |= 1 << b;
    }
    this.flags.push(bits);
  }

  private readonly onVisit = (eventIndex: number, action: number, target: number, isNew: boolean) => {
    this.transitions++;
    if (this.storesEdges) {
      this.edges.push(target);
      this.edgeAction.push(action);
      if (action >= this.actionCount) this.actionCount = action + 1;
    }
    if (!isNew) return;
    this.parent.push(this.current);
    this.parentEvent.push(eventIndex);
    this.maxDepth = this.level + 1; // BFS: a new state is one level below the one expanded
    this.onNew(target);
  };

  private stopped(stopAtFirst: boolean): boolean {
    return stopAtFirst && this.violations.length > 0;
  }

  /** Runs the search; returns whether every reachable state was expanded. */
  run(maxStates: number, stopAtFirst: boolean): boolean {
    this.predicated = this.checked.filter((c) => c.holds !== undefined);
    this.engine.start({ targets: this.storesEdges });
    this.parent.push(-1);
    this.parentEvent.push(-1);
    this.onNew(0);
    let complete = true;
    let levelEnd = 1;
    for (; this.current < this.engine.count(); this.current++) {
      if (this.current === levelEnd) {
        this.level++;
        levelEnd = this.engine.count();
      }
      if (this.stopped(stopAtFirst)) break;
      if (this.current >= maxStates) {
        complete = false;
        break;
      }
      if (this.storesEdges) this.edgeStart.push(this.edges.length);
      let enabled: number;
      try {
        enabled = this.engine.expand(this.current, this.onVisit);
      } catch (error) {
        if (!isModelFault(error)) throw error;
        // The engine may be half-way through the state: nothing after this point is trusted.
        this.thrown = { index: this.current, error };
        this.report(this.throws, 'invariant', this.current);
        return false;
      }
      if (enabled === 0 && this.scope.safety && !this.engine.holds(this.stable, this.current)) {
        this.report(this.deadlock, 'deadlock', this.current);
      }
    }
    if (this.storesEdges) this.edgeStart.push(this.edges.length);
    return complete && !this.stopped(stopAtFirst);
  }

  private bits(bit: number): Uint8Array {
    const out = new Uint8Array(this.engine.count());
    if (bit < 0) out[0] = 1;
    else for (let i = 0; i < out.length; i++) out[i] = (this.flags.get(i) >>> bit) & 1;
    return out;
  }

  private graph(): Graph {
    const fair = new Uint8Array(this.actionCount);
    for (let a = 0; a < this.actionCount; a++) {
      fair[a] = this.model.fair ? (this.model.fair(this.engine.action(a) as never) ? 1 : 0) : 1;
    }
    return {
      count: this.engine.count(),
      edgeStart: this.edgeStart,
      edges: this.edges,
      edgeAction: this.edgeAction,
      actionCount: this.actionCount,
      fair,
    };
  }

  /** Decides what a complete search decides: sometimes without witness, deadlock-free, temporal. */
  finish(stopAtFirst: boolean): Map<Checked, { states: number[]; actions: number[]; loopStart: number }> {
    const lassos = new Map<Checked, { states: number[]; actions: number[]; loopStart: number }>();
    for (const c of this.checked) {
      if (this.stopped(stopAtFirst)) break;
      if (c.result.status !== 'unknown') continue;
      const kind = c.result.kind;
      if (kind === 'always' || kind === 'deadlock') c.result.status = 'holds';
      else if (kind === 'sometimes') this.report(c, 'sometimes', 0);
      else if (kind === 'reachable') {
        const index = checkReachable(this.graph(), this.bits(c.fromBit!), this.bits(c.goalBit!));
        if (index < 0) c.result.status = 'holds';
        else this.report(c, 'liveness', index);
      } else {
        const lasso = checkEventually(this.graph(), this.bits(c.fromBit!), this.bits(c.goalBit!));
        if (lasso === null) {
          c.result.status = 'holds';
          continue;
        }
        const stem = treePath(this.parent, this.parentEvent, lasso.from);
        const states = [...stem.states, ...lasso.path.slice(1), ...lasso.cycle.slice(1)];
        const actions = [...stem.hints.map(() => -1), ...lasso.pathActions, ...lasso.cycleActions];
        const loopStart = lasso.cycle.length ? stem.states.length + lasso.path.length - 2 : -1;
        lassos.set(c, { states, actions, loopStart });
        this.report(c, 'eventually', lasso.from);
      }
    }
    return lassos;
  }

  storeBytes(): number {
    const books = [this.parent, this.parentEvent, this.edgeStart, this.edges, this.edgeAction, this.flags];
    return this.engine.storeBytes() + books.reduce((sum, a) => sum + a.byteLength(), 0);
  }

  /** The violations found, with concrete traces. */
  traces(lassos: ReturnType<Search<C>['finish']>): Violation<C>[] {
    return this.violations.map(({ checked, kind, index }) => {
      const base = {
        kind,
        property: checked.result.name,
        invariant: checked.result.invariant,
        description: checked.result.description,
      };
      const lasso = lassos.get(checked);
      if (lasso) {
        const events = lasso.actions.map((a) => (a < 0 ? null : this.engine.action(a)));
        const hints = treePath(this.parent, this.parentEvent, checked.found ?? 0).hints;
        const trace = concreteTrace(this.engine, lasso.states, hints, events);
        return lasso.loopStart >= 0 ? { ...base, trace, loopStart: lasso.loopStart } : { ...base, trace };
      }
      const path = treePath(this.parent, this.parentEvent, index);
      const trace = concreteTrace(this.engine, path.states, path.hints);
      if (checked !== this.throws || this.thrown === null) return { ...base, trace };
      return { ...base, trace, thrown: throwingStep(this.engine, trace.at(-1)!.state, this.thrown.error) };
    });
  }

  witness(checked: Checked): TraceStep<C>[] | undefined {
    if (checked.found === undefined) return undefined;
    const path = treePath(this.parent, this.parentEvent, checked.found);
    return concreteTrace(this.engine, path.states, path.hints);
  }
}

/** Which event of a state throws, and what (the error the search met, if no event throws again). */
export function throwingStep<C>(
  engine: Engine<C>,
  state: ModelState<C>,
  met: Error,
): NonNullable<Violation['thrown']> {
  for (const event of engine.events(state)) {
    try {
      engine.stepConcrete(state, event);
    } catch (error) {
      if (isModelFault(error)) return { event, error: thrownText(error) };
    }
  }
  return { event: null, error: thrownText(met) };
}

const hasEventually = (model: ExplorerModel<unknown>) =>
  (model.properties ?? []).some((p) => p.kind === 'eventually');

export function explore<C>(model: ExplorerModel<C>, options: ExploreOptions = {}): ExploreResult<C> {
  const started = performance.now();
  const maxStates = options.maxStates ?? 10_000_000;
  const stopAtFirst = options.stopAtFirstViolation ?? true;
  const wantSymmetry = options.symmetry !== false && model.symmetry !== undefined;
  const temporal = !options.skipLiveness;
  const eventually =
    temporal && options.eventually !== false && hasEventually(model as ExplorerModel<unknown>);
  const { engine, reason } = selectEngine(model, options.engine, wantSymmetry);
  const search = new Search(model, engine, {
    safety: options.safety !== false,
    reachable: temporal,
    eventually: eventually && !wantSymmetry,
  });
  const complete = search.run(maxStates, stopAtFirst);
  const lassos = complete ? search.finish(stopAtFirst) : new Map();
  const seconds = (performance.now() - started) / 1000;
  const states = engine.count();
  const properties = search.checked.map((c) => c.result);
  const violations = search.traces(lassos);
  for (const c of search.checked) if (c.found !== undefined) c.result.witness = search.witness(c);
  const orbitStates = engine.orbitStates();
  const result: ExploreResult<C> = {
    model: model.name,
    engine: engine.kind,
    engineReason: reason,
    ...(model.input !== undefined ? { input: model.input } : {}),
    symmetry: {
      applied: wantSymmetry,
      orbitStates,
      reduction: orbitStates === null ? null : Number((orbitStates / states).toFixed(3)),
    },
    states,
    transitions: search.transitions,
    depth: search.maxDepth,
    complete,
    seconds,
    statesPerSecond: Math.round(states / Math.max(seconds, 1e-9)),
    storeBytes: search.storeBytes(),
    properties: properties as PropertyResult<C>[],
    violations,
  };
  if (eventually && wantSymmetry)
    fairnessPhase(model, options, result, complete && (!stopAtFirst || violations.length === 0));
  return result;
}

/** The `eventually` properties of a symmetric model, on the full state space (see the header). */
function fairnessPhase<C>(
  model: ExplorerModel<C>,
  options: ExploreOptions,
  result: ExploreResult<C>,
  run: boolean,
) {
  const pending = (model.properties ?? []).filter((p) => p.kind === 'eventually');
  if (!run) {
    for (const p of pending) {
      result.properties.push({
        name: p.name,
        kind: 'eventually',
        invariant: p.id,
        description: p.description ?? p.name,
        status: 'unknown',
      });
    }
    return;
  }
  const started = performance.now();
  const stopAtFirst = options.stopAtFirstViolation ?? true;
  const { engine } = selectEngine(model, result.engine, false);
  const search = new Search(model, engine, { safety: false, reachable: false, eventually: true });
  const complete = search.run(options.maxStates ?? 10_000_000, stopAtFirst);
  const lassos = complete ? search.finish(stopAtFirst) : new Map();
  result.properties.push(...(search.checked.map((c) => c.result) as PropertyResult<C>[]));
  result.violations.push(...search.traces(lassos));
  result.fairness = {
    states: engine.count(),
    transitions: search.transitions,
    seconds: (performance.now() - started) / 1000,
    complete,
  };
  if (!complete) result.complete = false;
  result.storeBytes = Math.max(result.storeBytes, search.storeBytes());
}
