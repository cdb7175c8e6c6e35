// Explicit-state breadth-first exploration: every reachable state is checked against every
// invariant when first seen, states without an enabled event that the model does not call stable
// are deadlocks, and liveness is checked on the explored graph afterwards. BFS order makes every
// counterexample shortest; parents and events are kept as int32 arrays.
import type { InvariantId } from '../../base/invariants.ts';
import { UnsupportedMachineError } from './compile.ts';
import { compiledEngine } from './compiledEngine.ts';
import type { Engine } from './engine.ts';
import { genericEngine } from './genericEngine.ts';
import { GrowableInt32 } from './growable.ts';
import { checkReachability } from './liveness.ts';
import { concreteTrace, type TraceStep } from './trace.ts';
import type { ExplorerModel, ModelState } from './types.ts';

export interface ExploreOptions {
  /** 'compiled' needs a codec and a supported machine; 'auto' falls back to 'generic'. Default 'auto'. */
  engine?: 'auto' | 'generic' | 'compiled';
  /** Stop after this many states (the result says `complete: false`). Default 10 million. */
  maxStates?: number;
  /** Stop at the first violation. Default true. */
  stopAtFirstViolation?: boolean;
  /** Skip liveness (it needs the whole graph). Default false. */
  skipLiveness?: boolean;
}

export interface Violation<C = unknown> {
  kind: 'invariant' | 'deadlock' | 'liveness';
  property: string;
  invariant?: InvariantId;
  description: string;
  /** The shortest path from the initial state to the violating state. */
  trace: TraceStep<C>[];
}

export interface ExploreResult<C = unknown> {
  model: string;
  engine: 'generic' | 'compiled';
  states: number;
  transitions: number;
  depth: number;
  complete: boolean;
  seconds: number;
  statesPerSecond: number;
  storeBytes: number;
  violations: Violation<C>[];
}

interface Found {
  kind: Violation['kind'];
  property: string;
  invariant?: InvariantId;
  description: string;
  index: number;
}

export function selectEngine<C>(
  model: ExplorerModel<C>,
  engine: ExploreOptions['engine'] = 'auto',
): Engine<C> {
  if (engine === 'generic' || (engine === 'auto' && !model.codec)) return genericEngine(model);
  try {
    return compiledEngine(model);
  } catch (error) {
    if (engine === 'auto' && error instanceof UnsupportedMachineError) return genericEngine(model);
    throw error;
  }
}

/** The BFS bookkeeping: parents and events for counterexamples, edges for liveness, depth. */
class Search<C> {
  readonly parent = new GrowableInt32();
  readonly parentEvent = new GrowableInt32();
  readonly depth = new GrowableInt32();
  readonly edgeStart = new GrowableInt32();
  readonly edges = new GrowableInt32();
  readonly found: Found[] = [];
  private readonly reported = new Set<string>();
  current = 0;
  maxDepth = 0;

  constructor(
    private readonly model: ExplorerModel<C>,
    readonly engine: Engine<C>,
  ) {}

  private report(found: Found): void {
    if (this.reported.has(found.property)) return;
    this.reported.add(found.property);
    this.found.push(found);
  }

  private checkInvariants(index: number, state: ModelState<C>): void {
    for (const inv of this.model.invariants) {
      if (this.reported.has(inv.name) || inv.holds(state)) continue;
      const description = inv.description ?? inv.name;
      this.report({ kind: 'invariant', property: inv.name, invariant: inv.id, description, index });
    }
  }

  private readonly onVisit = (eventIndex: number, target: number, created: ModelState<C> | null) => {
    this.edges.push(target);
    if (created === null) return;
    this.parent.push(this.current);
    this.parentEvent.push(eventIndex);
    const d = this.depth.get(this.current) + 1;
    this.depth.push(d);
    if (d > this.maxDepth) this.maxDepth = d;
    this.checkInvariants(target, created);
  };

  /** Runs the search; returns whether every reachable state was expanded. */
  run(maxStates: number, stopAtFirst: boolean): boolean {
    const stable = this.model.stable ?? (() => false);
    this.parent.push(-1);
    this.parentEvent.push(-1);
    this.depth.push(0);
    this.checkInvariants(0, this.engine.start());
    let complete = true;
    for (; this.current < this.engine.count(); this.current++) {
      if (stopAtFirst && this.found.length > 0) break;
      if (this.current >= maxStates) {
        complete = false;
        break;
      }
      this.edgeStart.push(this.edges.length);
      const enabled = this.engine.expand(this.current, this.onVisit);
      if (enabled === 0 && !stable(this.engine.state(this.current))) {
        const description = 'no event is enabled in a state the model does not call stable';
        this.report({ kind: 'deadlock', property: 'deadlock', description, index: this.current });
      }
    }
    this.edgeStart.push(this.edges.length);
    return complete && !(stopAtFirst && this.found.length > 0);
  }

  checkLiveness(): void {
    for (const property of this.model.liveness ?? []) {
      const index = checkReachability(this.engine, this.edgeStart, this.edges, property);
      if (index < 0) continue;
      const description = `${property.description ?? property.name}: no goal state is reachable from the last state`;
      this.report({ kind: 'liveness', property: property.name, invariant: property.id, description, index });
    }
  }

  storeBytes(): number {
    const bookkeeping = [this.parent, this.parentEvent, this.depth, this.edgeStart, this.edges];
    return this.engine.storeBytes() + bookkeeping.reduce((sum, a) => sum + a.byteLength(), 0);
  }
}

export function explore<C>(model: ExplorerModel<C>, options: ExploreOptions = {}): ExploreResult<C> {
  const started = performance.now();
  const search = new Search(model, selectEngine(model, options.engine));
  const complete = search.run(options.maxStates ?? 10_000_000, options.stopAtFirstViolation ?? true);
  if (complete && !options.skipLiveness) search.checkLiveness();
  const seconds = (performance.now() - started) / 1000;
  const states = search.engine.count();
  const violations = search.found.map((f) => ({
    kind: f.kind,
    property: f.property,
    invariant: f.invariant,
    description: f.description,
    trace: concreteTrace(search.engine, search.parent, search.parentEvent, f.index),
  }));
  return {
    model: model.name,
    engine: search.engine.kind,
    states,
    transitions: search.edges.length,
    depth: search.maxDepth,
    complete,
    seconds,
    statesPerSecond: Math.round(states / Math.max(seconds, 1e-9)),
    storeBytes: search.storeBytes(),
    violations,
  };
}
