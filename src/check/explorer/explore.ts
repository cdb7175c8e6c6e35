// Explicit-state breadth-first exploration: every reachable state is checked against every
// invariant when first seen, states without an enabled event that the model does not call stable
// are deadlocks, and liveness is checked on the explored graph afterwards. BFS order makes every
// counterexample shortest; parents and events are kept as int32 arrays.
import type { EventObject } from 'xstate';
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

export function explore<C>(model: ExplorerModel<C>, options: ExploreOptions = {}): ExploreResult<C> {
  const started = performance.now();
  const maxStates = options.maxStates ?? 10_000_000;
  const stopAtFirst = options.stopAtFirstViolation ?? true;
  const engine = selectEngine(model, options.engine);
  const parent = new GrowableInt32();
  const parentEvent = new GrowableInt32();
  const depth = new GrowableInt32();
  const edgeStart = new GrowableInt32();
  const edges = new GrowableInt32();
  const found: Found[] = [];
  const seen = new Set<string>();
  const stable = model.stable ?? (() => false);
  let current = 0;
  let maxDepth = 0;

  const checkInvariants = (index: number, state: ModelState<C>) => {
    for (const inv of model.invariants) {
      if (seen.has(inv.name) || inv.holds(state)) continue;
      seen.add(inv.name);
      found.push({
        kind: 'invariant',
        property: inv.name,
        invariant: inv.id,
        description: inv.description ?? inv.name,
        index,
      });
    }
  };
  const onVisit = (eventIndex: number, target: number, created: ModelState<C> | null) => {
    edges.push(target);
    if (created === null) return;
    parent.push(current);
    parentEvent.push(eventIndex);
    const d = depth.get(current) + 1;
    depth.push(d);
    if (d > maxDepth) maxDepth = d;
    checkInvariants(target, created);
  };

  const initial = engine.start();
  parent.push(-1);
  parentEvent.push(-1);
  depth.push(0);
  checkInvariants(0, initial);
  let complete = true;
  for (; current < engine.count(); current++) {
    if (stopAtFirst && found.length > 0) break;
    if (current >= maxStates) {
      complete = false;
      break;
    }
    edgeStart.push(edges.length);
    const enabled = engine.expand(current, onVisit);
    if (enabled === 0 && !seen.has('deadlock') && !stable(engine.state(current))) {
      seen.add('deadlock');
      found.push({
        kind: 'deadlock',
        property: 'deadlock',
        description: 'no event is enabled in an unstable state',
        index: current,
      });
    }
  }
  if (found.length > 0 && stopAtFirst) complete = false;
  edgeStart.push(edges.length);

  if (complete && !options.skipLiveness) {
    for (const property of model.liveness ?? []) {
      const index = checkReachability(engine, edgeStart, edges, property);
      if (index >= 0) {
        found.push({
          kind: 'liveness',
          property: property.name,
          invariant: property.id,
          description: `${property.description ?? property.name}: no goal state is reachable from the last state`,
          index,
        });
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const states = engine.count();
  const violations = found.map((f) => ({
    kind: f.kind,
    property: f.property,
    invariant: f.invariant,
    description: f.description,
    trace: concreteTrace(engine, parent, parentEvent, f.index),
  }));
  return {
    model: model.name,
    engine: engine.kind,
    states,
    transitions: edges.length,
    depth: maxDepth,
    complete,
    seconds,
    statesPerSecond: Math.round(states / Math.max(seconds, 1e-9)),
    storeBytes: engine.storeBytes() + parent.byteLength() * 3 + edges.byteLength() + edgeStart.byteLength(),
    violations,
  };
}

export type { EventObject };
