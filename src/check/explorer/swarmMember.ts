// One member of a swarm (swarm.ts): a search of at most `maxStates` stored states, diversified by
// its own seed the way SPIN's swarm diversifies its members — the order in which successors are
// taken is shuffled by the member's PRNG, and the members take turns (ROTATION) at three
// strategies: a depth-first search, a breadth-first search whose every level is expanded in a
// shuffled order, and a depth-first search that expands nothing at or below a depth limit drawn
// from the seed.
// Every state stored is checked against the `always` properties when it is created and counted in
// the member's coverage sketch; every state expanded is checked for deadlock; a `sometimes`
// property is witnessed by the first state that satisfies it. A member stops at its first
// violation. It depends on nothing but the model, its plan and the cap (not on other members,
// threads or shards), so it gives the same record wherever it runs.
import type { EventObject } from 'xstate';
import { assert } from '../../base/assert.ts';
import { Prng } from '../../base/prng.ts';
import { compiledEngine } from './compiledEngine.ts';
import { StateFingerprint } from './fingerprint.ts';
import { GrowableInt32 } from './growable.ts';
import { safetyChecks } from './parallelProtocol.ts';
import { CoverageSketch, type EncodedSketch } from './swarmSketch.ts';
import { isModelFault, STEPS_COMPLETE } from './thrown.ts';
import { concreteTrace, treePath } from './trace.ts';
import type { ExplorerModel } from './types.ts';

export type SwarmStrategy = 'dfs' | 'bfs' | 'dfs-bounded';
/** The strategies, by name. */
export const STRATEGIES: readonly SwarmStrategy[] = ['dfs', 'bfs', 'dfs-bounded'];
/**
 * Member m runs ROTATION[m mod 4]: half the members depth-first, a quarter breadth-first (they
 * overlap most: every one of them covers the shallow levels), a quarter depth-bounded.
 */
const ROTATION: readonly SwarmStrategy[] = ['dfs', 'bfs', 'dfs', 'dfs-bounded'];
/** The depth limits a bounded member draws from, log-uniformly (as many in 8..16 as in 32..64). */
export const DEPTH_LIMIT_MIN = 8;
export const DEPTH_LIMIT_MAX = 64;

export interface MemberPlan {
  /** Index in the swarm, from 0. */
  member: number;
  /** The seed of the member's own PRNG (derived from the swarm's seed and the index). */
  seed: number;
  strategy: SwarmStrategy;
  /** dfs-bounded: states at this depth are stored and checked but not expanded. */
  depthLimit: number | null;
}

/** Member `member` of the swarm seeded `swarmSeed`: independent of how many members there are. */
export function planMember(swarmSeed: number, member: number): MemberPlan {
  assert(Number.isInteger(member) && member >= 0, 'a member index is a non-negative integer');
  const prng = new Prng(swarmSeed).fork(`swarm member ${member}`);
  const strategy = ROTATION[member % ROTATION.length]!;
  const depthLimit =
    strategy === 'dfs-bounded'
      ? Math.round(DEPTH_LIMIT_MIN * (DEPTH_LIMIT_MAX / DEPTH_LIMIT_MIN) ** prng.nextFloat())
      : null;
  return { member, seed: prng.nextU32(), strategy, depthLimit };
}

/**
 * How a member ended: it expanded every state it reached with no depth limit cutting any
 * (exhausted: it saw the whole space), reached its cap, found a violation, or expanded every
 * state it reached above its depth limit (not the whole space).
 */
export type MemberEnd = 'exhausted' | 'capped' | 'violation' | 'depth-limit';

export interface MemberRecord extends MemberPlan {
  /** States stored (and checked); may pass the cap by less than one state's successors. */
  states: number;
  transitions: number;
  expanded: number;
  /** The deepest state stored (its depth in the member's search tree, not necessarily shortest). */
  depth: number;
  end: MemberEnd;
  /** The first violation: its events from the initial state (the last state is the bad one). */
  violation: { kind: 'invariant' | 'deadlock'; property: string; events: EventObject[] } | null;
  /** `sometimes` properties witnessed: the events leading to a state that satisfies each. */
  witnesses: { property: string; events: EventObject[] }[];
  sketch: EncodedSketch;
}

export interface MemberOptions {
  /** The member stops expanding once it has stored this many states. */
  maxStates: number;
  /** Apply the model's symmetry. Default true. */
  symmetry?: boolean;
}

type Engine = ReturnType<typeof compiledEngine<unknown>>;

/** A member's bookkeeping: parents for its traces, depths, the work list, its checks. */
class MemberSearch {
  private readonly engine: Engine;
  private readonly prng: Prng;
  private readonly checks: ReturnType<typeof safetyChecks>;
  private readonly fingerprint: StateFingerprint;
  readonly sketch = new CoverageSketch();
  private readonly parent = new GrowableInt32();
  private readonly parentEvent = new GrowableInt32();
  private readonly depthOf = new GrowableInt32();
  /** New states of the expansion under way. */
  private readonly fresh = new GrowableInt32(256);
  private readonly work = new GrowableInt32();
  private readonly row: Int32Array;
  private readonly witnessAt = new Map<string, number>();
  private current = 0;
  private currentDepth = 0;
  transitions = 0;
  expanded = 0;
  depth = 0;
  violation: { kind: 'invariant' | 'deadlock'; property: string; index: number } | null = null;

  constructor(
    model: ExplorerModel<unknown>,
    private readonly plan: MemberPlan,
    symmetry: boolean,
  ) {
    this.engine = compiledEngine(model, { symmetry });
    this.prng = new Prng(plan.seed);
    this.checks = safetyChecks(model, (name, fn) => this.engine.predicate(name, fn));
    const spec = symmetry && typeof model.symmetry === 'object' ? model.symmetry : undefined;
    this.fingerprint = new StateFingerprint(this.engine.machine, spec);
    this.row = new Int32Array(this.engine.machine.width);
  }

  /** Checks the state just created (index `index`, one level below the state expanded). */
  private onNew(index: number, depth: number): void {
    this.depthOf.push(depth);
    if (depth > this.depth) this.depth = depth;
    if (this.violation === null) {
      for (const p of this.checks.always) {
        if (this.engine.holdsOnNew(p.handle)) continue;
        this.violation = { kind: 'invariant', property: p.name, index };
        break;
      }
    }
    for (const p of this.checks.sometimes) {
      if (!this.witnessAt.has(p.name) && this.engine.holdsOnNew(p.handle)) this.witnessAt.set(p.name, index);
    }
  }

  private readonly onVisit = (eventIndex: number, _action: number, target: number, isNew: boolean) => {
    this.transitions++;
    if (!isNew) return;
    this.parent.push(this.current);
    this.parentEvent.push(eventIndex);
    this.fresh.push(target);
    this.onNew(target, this.currentDepth + 1);
  };

  start(): void {
    this.engine.start();
    this.parent.push(-1);
    this.parentEvent.push(-1);
    this.onNew(0, 0);
    this.count(0);
    this.work.push(0);
  }

  /** Adds a stored state to the coverage sketch. */
  private count(index: number): void {
    const { packer, table } = this.engine;
    packer.unpack(table.rows, table.offsetOf(index), this.row);
    this.fingerprint.of(this.row);
    this.sketch.add(this.fingerprint.hi, this.fingerprint.lo);
  }

  /** Expands one state: its new successors end up in `fresh`, in a shuffled order. */
  private expand(index: number): void {
    this.fresh.length = 0;
    this.current = index;
    this.currentDepth = this.depthOf.get(index);
    let enabled: number;
    try {
      enabled = this.engine.expand(index, this.onVisit);
    } catch (error) {
      // A step that throws is a finding (I0); the engine may be half-way through the state, so
      // the member stops here (its search loop ends on the violation).
      if (!isModelFault(error)) throw error;
      this.violation ??= { kind: 'invariant', property: STEPS_COMPLETE.name, index };
      this.fresh.length = 0;
      return;
    }
    this.expanded++;
    if (enabled === 0 && this.violation === null && !this.engine.holds(this.checks.stable, index)) {
      this.violation = { kind: 'deadlock', property: 'deadlock', index };
    }
    const fresh = this.fresh.data;
    for (let k = 0; k < this.fresh.length; k++) this.count(fresh[k]!);
    for (let k = this.fresh.length - 1; k > 0; k--) {
      const j = this.prng.nextInt(k + 1);
      const t = fresh[k]!;
      fresh[k] = fresh[j]!;
      fresh[j] = t;
    }
  }

  private shuffle(from: number, to: number): void {
    const data = this.work.data;
    for (let k = to - 1; k > from; k--) {
      const j = from + this.prng.nextInt(k - from + 1);
      const t = data[k]!;
      data[k] = data[j]!;
      data[j] = t;
    }
  }

  /** Depth-first; with a depth limit, states at it are not expanded. Returns how it ended. */
  runDepthFirst(maxStates: number, depthLimit: number | null): MemberEnd {
    let cut = false;
    while (this.work.length > 0) {
      if (this.violation !== null) return 'violation';
      if (this.engine.count() >= maxStates) return 'capped';
      const index = this.work.data[--this.work.length]!;
      if (depthLimit !== null && this.depthOf.get(index) >= depthLimit) {
        cut = true;
        continue;
      }
      this.expand(index);
      for (let k = 0; k < this.fresh.length; k++) this.work.push(this.fresh.data[k]!);
    }
    if (this.violation !== null) return 'violation';
    return cut ? 'depth-limit' : 'exhausted';
  }

  /** Breadth-first, each level expanded in a shuffled order. */
  runBreadthFirst(maxStates: number): MemberEnd {
    let head = 0;
    while (head < this.work.length) {
      const levelEnd = this.work.length;
      this.shuffle(head, levelEnd);
      for (; head < levelEnd; head++) {
        if (this.violation !== null) return 'violation';
        if (this.engine.count() >= maxStates) return 'capped';
        this.expand(this.work.data[head]!);
        for (let k = 0; k < this.fresh.length; k++) this.work.push(this.fresh.data[k]!);
      }
    }
    return this.violation !== null ? 'violation' : 'exhausted';
  }

  /** The events from the initial state to stored state `index`. */
  eventsTo(index: number): EventObject[] {
    const path = treePath(this.parent, this.parentEvent, index);
    const trace = concreteTrace(this.engine, path.states, path.hints);
    return trace.slice(1).map((step) => step.event!);
  }

  record(end: MemberEnd): MemberRecord {
    const v = this.violation;
    return {
      ...this.plan,
      states: this.engine.count(),
      transitions: this.transitions,
      expanded: this.expanded,
      depth: this.depth,
      end,
      violation: v === null ? null : { kind: v.kind, property: v.property, events: this.eventsTo(v.index) },
      witnesses: [...this.witnessAt].map(([property, index]) => ({ property, events: this.eventsTo(index) })),
      sketch: this.sketch.encode(),
    };
  }
}

/** Runs one member of a swarm on `model` (it needs the compiled engine); see the file header. */
export function runMember(
  model: ExplorerModel<unknown>,
  plan: MemberPlan,
  options: MemberOptions,
): MemberRecord {
  assert(Number.isInteger(options.maxStates) && options.maxStates >= 1, 'a member stores at least one state');
  const symmetry = options.symmetry !== false && model.symmetry !== undefined;
  const search = new MemberSearch(model, plan, symmetry);
  search.start();
  const end =
    plan.strategy === 'bfs'
      ? search.runBreadthFirst(options.maxStates)
      : search.runDepthFirst(options.maxStates, plan.strategy === 'dfs-bounded' ? plan.depthLimit : null);
  return search.record(end);
}
