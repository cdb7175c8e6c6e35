// Compiles an xstate v5 machine into a step function over rows (layout.ts: context fields, then
// region words). What xstate decides per configuration (which transitions an event can select,
// their exit / entry sets and the order of their actions) is resolved once per configuration and
// event (a Plan). What depends on the context (guards, `assign` actions, dynamic params) is
// tabulated lazily in decision tries (tabulate.ts) by calling the machine's own implementations on
// read-tracing views (tracer.ts). So a step reads a few row fields per guard and writes a few per
// action: no context object, no closure call once a path is known.
//
// Supported: nested and parallel states, targetless / reentering / cross-region transitions,
// guards by name, inline or built-in (and / or / not / stateIn), static or dynamic params, assign
// (function or property map), emit / log and custom side-effect actions (they do not change the
// state), `input`. Refused, with an error naming the state and the construct: history states,
// eventless and delayed transitions, invoked actors, wildcard and done/error events, final states
// below the top level, and raise / sendTo / enqueueActions / spawnChild / stopChild / cancel.
// `verifyCompiled` (verify.ts) checks the compiled step against `machine.transition`.
import { type AnyStateMachine, createActor, type EventObject, type StateValue } from 'xstate';
import { assert } from '../../base/assert.ts';
import { UnsupportedMachineError } from './errors.ts';
import { ContextLayout, type ShapeNode } from './layout.ts';
import { MASKS, readPacked } from './packer.ts';
import {
  type ChartNode,
  type Configuration,
  childrenOf,
  Statechart,
  type TransitionDef,
} from './statechart.ts';
import { identitySlices, type SymmetrySpec } from './symmetry.ts';
import { Tries } from './tabulate.ts';
import { Tracer } from './tracer.ts';

export { UnsupportedMachineError } from './errors.ts';

type Args = { context: unknown; event: EventObject };
type GuardFn = ((args: Args, params: unknown) => boolean) & {
  check?: (snapshot: unknown, args: Args, guard: unknown) => boolean;
  guards?: unknown[];
};
type AssignFn = { type: string; assignment?: unknown; resolve?: unknown };

/** How an event selects transitions in one configuration (xstate's transitionNode, compiled). */
interface Selection {
  /** Candidate ids of this node's own transitions for the event, in document order. */
  own: Int32Array;
  /** Child selections: the active child (compound) or every region (parallel). */
  kids: Selection[];
  parallel: boolean;
}

export interface Effect {
  changes: boolean;
  /** Region word writes: row field, value pairs. */
  words: Int32Array;
  /** Tries of the assign actions, in execution order. */
  actions: Int32Array;
}

export interface Plan {
  selection: Selection;
  config: Configuration;
  eventId: number;
  effects: Map<number | string, Effect>;
  /** The selection as a chain of candidates (first enabled wins), or null when regions combine. */
  chain: Int32Array | null;
  chainGuards: Int32Array | null;
  chainEffects: (Effect | undefined)[];
  /** The combined trie of a chain plan's whole step (see stepPacked); -1 until its first step. */
  stepTrie: number;
}

const NO_PLAN = null;

function refuse(node: ChartNode, what: string): never {
  throw new UnsupportedMachineError(`cannot compile state '${node.id}': ${what}`);
}

export class CompiledMachine {
  readonly layout: ContextLayout;
  readonly chart: Statechart;
  readonly tracer: Tracer;
  readonly tries = new Tries();
  /** Row width: context fields, then region words. */
  readonly width: number;
  readonly wordBase: number;
  readonly initialRow: Int32Array;
  /** Interned events: id → event object. */
  readonly events: EventObject[] = [];
  private readonly eventIds = new Map<string, number>();
  private readonly plans = new Map<number, (Plan | null | undefined)[]>();
  private readonly candGuard: number[] = [];
  private readonly candTransition: TransitionDef[] = [];
  private readonly candIds = new Map<TransitionDef, Map<number, number>>();
  private readonly guardTries = new Map<unknown, Map<number, number>>();
  private readonly actionTries = new Map<unknown, Map<number, number>>();
  private readonly guardCalls: ((row: Int32Array) => boolean)[] = [];
  private readonly actionCalls: { ref: unknown; owner: ChartNode; event: EventObject }[] = [];
  /** Action results: [writes n, (field, code)×n, copies m, (target, source)×m]. */
  readonly actionResults: Int32Array[] = [];
  private readonly actionResultIds = new Map<string, number>();
  private readonly selected: number[] = [];
  private readonly copyScratch: number[] = [];
  private readonly learnRow: Int32Array;

  constructor(
    readonly machine: AnyStateMachine,
    initial: { value: StateValue; context: unknown },
    symmetry?: SymmetrySpec,
    options: CompileOptions = {},
  ) {
    this.chart = new Statechart(machine);
    this.checkImplementations(this.chart.root);
    this.layout = new ContextLayout(initial.context, { identity: options.identityCodes });
    this.wordBase = this.layout.count;
    this.width = this.layout.count + this.chart.wordCount;
    this.learnRow = new Int32Array(this.width);
    if (symmetry) {
      // Fields that symmetry swaps share one value table, so codes keep their meaning.
      const { perId } = identitySlices(symmetry, this.layout, this.chart, this.wordBase);
      for (let k = 0; k < perId[0]!.length; k++) {
        const fields = perId.map((p) => p[k]!).filter((f) => f < this.wordBase);
        if (fields.length > 1) this.layout.share(fields);
      }
    }
    if (options.seeds) this.layout.seed(options.seeds);
    this.tracer = new Tracer(this.layout, this.chart, machine);
    this.initialRow = this.encode(initial);
  }

  // --- rows ---

  encode(state: { value: StateValue; context: unknown }, row = new Int32Array(this.width)): Int32Array {
    this.layout.encode(state.context, row);
    row.set(this.chart.wordsOf(state.value), this.wordBase);
    return row;
  }

  decode(row: Int32Array, offset = 0): { value: StateValue; context: unknown } {
    return {
      value: this.chart.configurationAt(row, offset + this.wordBase).value,
      context: this.layout.decode(row, offset),
    };
  }

  configuration(row: Int32Array): Configuration {
    return this.chart.configurationAt(row, this.wordBase);
  }

  /** Domain size of a row field (for trie node capacity and packing). */
  readonly domainSize = (field: number): number =>
    field < this.wordBase ? this.layout.domainSize(field) : this.chart.radix[field - this.wordBase]!;

  /** Whether a row field's domain is complete: a region word (its radix) or a boolean that took both values. */
  readonly domainSaturated = (field: number): boolean =>
    field >= this.wordBase || this.layout.saturated(field);

  eventId(event: EventObject): number {
    const key = JSON.stringify(event);
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      this.eventIds.set(key, id);
      this.events.push(event);
    }
    return id;
  }

  // --- predicates: pure functions of a state, tabulated ---

  /** A trie for a boolean function of the state (an invariant, a property, `stable`). */
  predicate(label: string, fn: (state: { value: StateValue; context: unknown }) => boolean): number {
    const trie = this.tries.create(label);
    this.guardCalls[trie] = (row) => {
      this.tracer.begin(row, label);
      return Boolean(fn(this.tracer.state));
    };
    return trie;
  }

  /** Evaluates a boolean trie (predicate or guard) on a row. */
  holds(trie: number, row: Int32Array): boolean {
    const known = this.tries.lookup(trie, row);
    if (known >= 0) return known === 1;
    const result = this.guardCalls[trie]!(row);
    this.tries.insert(trie, this.tracer.reads, result ? 1 : 0, this.domainSize);
    return result;
  }

  /** A function of the state to an interned value (e.g. the model's event list), tabulated. */
  tabulated<T>(
    label: string,
    fn: (state: { value: StateValue; context: unknown }) => T,
    key: (v: T) => string,
  ): { lookup(row: Int32Array): number; values: T[]; trie: number } {
    const trie = this.tries.create(label);
    const values: T[] = [];
    const ids = new Map<string, number>();
    const lookup = (row: Int32Array): number => {
      const known = this.tries.lookup(trie, row);
      if (known >= 0) return known;
      this.tracer.begin(row, label);
      const value = fn(this.tracer.state);
      const reads = this.tracer.reads.slice();
      const k = key(value);
      let id = ids.get(k);
      if (id === undefined) {
        id = values.length;
        ids.set(k, id);
        values.push(value);
      }
      this.tries.insert(trie, reads, id, this.domainSize);
      return id;
    };
    return { lookup, values, trie };
  }

  // --- guards and actions ---

  private checkImplementations(node: ChartNode): void {
    const guards = this.machine.implementations.guards as Record<string, GuardFn>;
    const checkGuard = (ref: unknown, where: ChartNode) => {
      if (ref === undefined || typeof ref === 'function') {
        for (const inner of (ref as GuardFn | undefined)?.guards ?? []) checkGuard(inner, where);
        return;
      }
      const name = typeof ref === 'string' ? ref : (ref as { type: string }).type;
      const impl = guards[name];
      if (!impl) refuse(where, `guard '${name}' is not implemented`);
      if (typeof impl !== 'function') checkGuard(impl, where);
      else for (const inner of impl.guards ?? []) checkGuard(inner, where);
    };
    const checkActions = (refs: unknown[], where: ChartNode) => {
      for (const ref of refs) this.actionKind(ref, where);
    };
    checkActions(node.entry, node);
    checkActions(node.exit, node);
    if (node.initial) checkActions(node.initial.actions, node);
    for (const defs of node.transitions.values()) {
      for (const t of defs) {
        checkGuard(t.guard, node);
        checkActions(t.actions, node);
      }
    }
    for (const child of childrenOf(node)) this.checkImplementations(child);
  }

  /** 'assign' for a context update; 'none' for actions that leave the state as it is. */
  private actionKind(ref: unknown, where: ChartNode): 'assign' | 'none' {
    const resolved = (
      typeof ref === 'function'
        ? ref
        : this.machine.implementations.actions[typeof ref === 'string' ? ref : (ref as { type: string }).type]
    ) as AssignFn | undefined;
    if (!resolved || !('resolve' in resolved)) return 'none'; // a custom side effect
    if (resolved.type === 'xstate.assign') return 'assign';
    if (resolved.type === 'xstate.emit' || resolved.type === 'xstate.log') return 'none';
    return refuse(where, `action '${resolved.type}' is not supported`);
  }

  /** xstate's evaluateGuard, on the tracer's views. */
  private evaluateGuard(guard: unknown, context: unknown, event: EventObject): boolean {
    const isInline = typeof guard === 'function';
    const resolved = (
      isInline
        ? guard
        : this.machine.implementations.guards[
            typeof guard === 'string' ? guard : (guard as { type: string }).type
          ]
    ) as GuardFn;
    if (typeof resolved !== 'function') return this.evaluateGuard(resolved, context, event);
    const args = { context, event };
    const params =
      isInline || typeof guard === 'string'
        ? undefined
        : 'params' in (guard as object)
          ? typeof (guard as { params: unknown }).params === 'function'
            ? (guard as { params: (a: Args) => unknown }).params(args)
            : (guard as { params: unknown }).params
          : undefined;
    if (!('check' in resolved)) return resolved(args, params);
    return resolved.check!(this.tracer.snapshot, args, resolved);
  }

  private guardTrie(t: TransitionDef, eventId: number): number {
    if (t.guard === undefined) return -1;
    let byEvent = this.guardTries.get(t.guard);
    if (!byEvent) this.guardTries.set(t.guard, (byEvent = new Map()));
    let trie = byEvent.get(eventId);
    if (trie === undefined) {
      const name = typeof t.guard === 'string' ? t.guard : ((t.guard as { type?: string }).type ?? 'inline');
      const label = `guard '${name}' of ${t.eventType} in state '${t.source.id}'`;
      trie = this.tries.create(label);
      const event = this.events[eventId]!;
      const guard = t.guard;
      this.guardCalls[trie] = (row) => {
        this.tracer.begin(row, label);
        return Boolean(this.evaluateGuard(guard, this.tracer.context, event));
      };
      byEvent.set(eventId, trie);
    }
    return trie;
  }

  private candidate(t: TransitionDef, eventId: number): number {
    let byEvent = this.candIds.get(t);
    if (!byEvent) this.candIds.set(t, (byEvent = new Map()));
    let id = byEvent.get(eventId);
    if (id === undefined) {
      id = this.candTransition.length;
      this.candTransition.push(t);
      this.candGuard.push(this.guardTrie(t, eventId));
      byEvent.set(eventId, id);
    }
    return id;
  }

  private actionTrie(ref: unknown, owner: ChartNode, eventId: number): number {
    let byEvent = this.actionTries.get(ref);
    if (!byEvent) this.actionTries.set(ref, (byEvent = new Map()));
    let trie = byEvent.get(eventId);
    if (trie === undefined) {
      const name = typeof ref === 'string' ? ref : ((ref as { type?: string }).type ?? 'inline');
      trie = this.tries.create(`action '${name}' of state '${owner.id}'`);
      this.actionCalls[trie] = { ref, owner, event: this.events[eventId]! };
      byEvent.set(eventId, trie);
    }
    return trie;
  }

  /** Runs an assign action on the tracer's views; returns its partial context update. */
  private runAssign(trie: number, row: Int32Array): unknown {
    const { ref, event } = this.actionCalls[trie]!;
    this.tracer.begin(row, this.tries.labels[trie]!);
    const context = this.tracer.context;
    const resolved = (typeof ref === 'function'
      ? ref
      : this.machine.implementations.actions[
          typeof ref === 'string' ? ref : (ref as { type: string }).type
        ]) as unknown as AssignFn;
    const params =
      typeof ref === 'function' || typeof ref === 'string'
        ? undefined
        : 'params' in (ref as object)
          ? typeof (ref as { params: unknown }).params === 'function'
            ? (ref as { params: (a: Args) => unknown }).params({ context, event })
            : (ref as { params: unknown }).params
          : undefined;
    const spawn = () => {
      throw new UnsupportedMachineError(`${this.tries.labels[trie]} spawns an actor, which is not supported`);
    };
    const args = { context, event, spawn, self: undefined, system: undefined };
    const assignment = resolved.assignment as
      | ((a: typeof args, p: unknown) => unknown)
      | Record<string, unknown>;
    if (typeof assignment === 'function') return assignment(args, params);
    const partial: Record<string, unknown> = {};
    for (const key of Object.keys(assignment)) {
      const value = assignment[key];
      partial[key] = typeof value === 'function' ? value(args, params) : value;
    }
    return partial;
  }

  /** The writes and copies an action's partial update makes, interned. */
  private actionResult(trie: number, partial: unknown): number {
    const writes: number[] = [];
    const copies: number[] = [];
    const translations: number[] = [];
    const label = this.tries.labels[trie]!;
    const collect = (node: ShapeNode, value: unknown, path: (string | number)[]) => {
      const info = this.tracer.proxyInfo(value);
      if (info) {
        if (info.node === node) return; // passed through unchanged
        const from: number[] = [];
        const to: number[] = [];
        collectFields(info.node, from);
        collectFields(node, to);
        if (from.length !== to.length || !sameShape(info.node, node)) {
          throw new UnsupportedMachineError(
            `${label} moves context.${info.path.join('.')} to context.${path.join('.')}, which has another shape`,
          );
        }
        for (let i = 0; i < to.length; i++) {
          if (to[i] === from[i]) continue;
          if (this.layout.tableOf[to[i]!] === this.layout.tableOf[from[i]!]) copies.push(to[i]!, from[i]!);
          else translations.push(to[i]!, from[i]!);
        }
        return;
      }
      if (node.kind === 'leaf') {
        writes.push(node.field, this.layout.code(node.field, value));
        return;
      }
      this.layout.checkShape(node, value, path);
      if (node.kind === 'array') {
        node.children.forEach((c, i) => {
          collect(c, (value as unknown[])[i], [...path, i]);
        });
      } else {
        node.keys.forEach((k, i) => {
          collect(node.children[i]!, (value as Record<string, unknown>)[k], [...path, k]);
        });
      }
    };
    const root = this.layout.shape;
    if (partial !== undefined && partial !== null && !this.tracer.proxyInfo(partial)) {
      if (typeof partial !== 'object' || Array.isArray(partial) || root.kind !== 'object') {
        throw new UnsupportedMachineError(
          `${label} returns ${JSON.stringify(partial)}, not a partial context`,
        );
      }
      for (const key of Object.keys(partial)) {
        const i = root.keys.indexOf(key);
        if (i < 0)
          throw new UnsupportedMachineError(
            `${label} adds context.${key}, which the initial context does not have`,
          );
        collect(root.children[i]!, (partial as Record<string, unknown>)[key], [key]);
      }
    }
    const result = Int32Array.from([
      writes.length / 2,
      ...writes,
      copies.length / 2,
      ...copies,
      translations.length / 2,
      ...translations,
    ]);
    const key = result.join(',');
    let id = this.actionResultIds.get(key);
    if (id === undefined) {
      id = this.actionResults.length;
      this.actionResultIds.set(key, id);
      this.actionResults.push(result);
    }
    return id;
  }

  /** Runs the assign action of `trie` on `row` and adds its result to the action's trie; the result's id. */
  private tabulateAction(trie: number, row: Int32Array): number {
    const partial = this.runAssign(trie, row);
    const reads = this.tracer.reads.slice();
    const r = this.actionResult(trie, partial);
    this.tries.insert(trie, reads, r, this.domainSize);
    return r;
  }

  /** A row for learning: the packed row at `packed[at ..]` unpacked through `desc` (overwritten by the next call). */
  private unpackTo(packed: Int32Array, at: number, desc: Int32Array): Int32Array {
    const row = this.learnRow;
    for (let f = 0; f < this.width; f++) row[f] = readPacked(packed, at, desc[f]!);
    return row;
  }

  /** Applies the assign action of `trie` to `row` in place. */
  private applyAction(trie: number, row: Int32Array): void {
    let r = this.tries.lookup(trie, row);
    if (r < 0) r = this.tabulateAction(trie, row);
    const w = this.actionResults[r]!;
    const n = w[0]!;
    const m = w[1 + 2 * n]!;
    if (m > 0 || w[2 + 2 * n + 2 * m]! > 0) this.applyCopies(w, row);
    for (let i = 0; i < n; i++) row[w[1 + 2 * i]!] = w[2 + 2 * i]!;
  }

  /** Copies (same value table) and translations (value by value) read the row before the writes. */
  private applyCopies(w: Int32Array, row: Int32Array): void {
    const n = w[0]!;
    const m = w[1 + 2 * n]!;
    const t = w[2 + 2 * n + 2 * m]!;
    const scratch = this.copyScratch;
    scratch.length = 0;
    for (let i = 0; i < m; i++) scratch.push(row[w[3 + 2 * n + 2 * i]!]!);
    for (let i = 0; i < t; i++) {
      const from = w[4 + 2 * n + 2 * m + 2 * i]!;
      const to = w[3 + 2 * n + 2 * m + 2 * i]!;
      scratch.push(this.layout.code(to, this.layout.valueAt(from, row[from]!)));
    }
    for (let i = 0; i < m; i++) row[w[2 + 2 * n + 2 * i]!] = scratch[i]!;
    for (let i = 0; i < t; i++) row[w[3 + 2 * n + 2 * m + 2 * i]!] = scratch[m + i]!;
  }

  // --- plans: per configuration and event ---

  /** The plans of a configuration, by event id (undefined: not built yet). */
  plansOf(config: Configuration): (Plan | null | undefined)[] {
    let byEvent = this.plans.get(config.id);
    if (!byEvent) this.plans.set(config.id, (byEvent = []));
    return byEvent;
  }

  /**
   * Builds the plan of an event in a configuration. Guards that read nothing (they depend on the
   * event and params only) are evaluated once on `row` and folded: a constant false candidate is
   * dropped, a constant true one needs no check. A selection without a parallel choice becomes a
   * chain (first enabled candidate wins).
   */
  private buildPlan(config: Configuration, eventId: number, row: Int32Array): Plan | null {
    const type = this.events[eventId]!.type;
    const selection = config.done ? null : this.selection(this.chart.root, config, type, eventId, row);
    if (selection === null) return NO_PLAN;
    const chain = chainOf(selection);
    return {
      selection,
      config,
      eventId,
      effects: new Map(),
      chain: chain ? Int32Array.from(chain) : null,
      chainGuards: chain ? Int32Array.from(chain, (c) => this.candGuard[c]!) : null,
      chainEffects: [],
      stepTrie: -1,
    };
  }

  /** Folds a candidate's guard: -1 unguarded (or constant true), -2 constant false, else its trie. */
  private foldedGuard(c: number, row: Int32Array): number {
    const g = this.candGuard[c]!;
    if (g < 0) return -1;
    const value = this.holds(g, row);
    if (this.tries.roots[g]! >= 0) return g; // it read fields: not a constant
    return value ? -1 : -2;
  }

  /** xstate's transitionNode for one node of the configuration; null when nothing can be selected. */
  private selection(
    node: ChartNode,
    config: Configuration,
    type: string,
    eventId: number,
    row: Int32Array,
  ): Selection | null {
    const own: number[] = [];
    for (const t of node.transitions.get(type) ?? []) {
      const c = this.candidate(t, eventId);
      const folded = this.foldedGuard(c, row);
      if (folded === -2) continue;
      if (folded === -1 && this.candGuard[c] !== -1) {
        // Constant true: the same transition, without a guard to check.
        own.push(this.unguarded(c));
        break;
      }
      own.push(c);
      if (folded === -1) break;
    }
    const kids: Selection[] = [];
    for (const child of childrenOf(node)) {
      if (!config.nodeSet.has(child)) continue;
      const kid = this.selection(child, config, type, eventId, row);
      if (kid) kids.push(kid);
    }
    if (own.length === 0 && kids.length === 0) return null;
    return { own: Int32Array.from(own), kids, parallel: node.type === 'parallel' };
  }

  private readonly unguardedIds = new Map<number, number>();

  /** A candidate id for the same transition with its (constant true) guard dropped. */
  private unguarded(c: number): number {
    let id = this.unguardedIds.get(c);
    if (id === undefined) {
      id = this.candTransition.length;
      this.candTransition.push(this.candTransition[c]!);
      this.candGuard.push(-1);
      this.unguardedIds.set(c, id);
    }
    return id;
  }

  private select(s: Selection, row: Int32Array, out: number[]): number {
    let n = 0;
    if (s.parallel) for (const kid of s.kids) n += this.select(kid, row, out);
    else if (s.kids.length > 0) n = this.select(s.kids[0]!, row, out);
    if (n > 0) return n;
    for (let i = 0; i < s.own.length; i++) {
      const c = s.own[i]!;
      const g = this.candGuard[c]!;
      if (g < 0 || this.holds(g, row)) {
        out.push(c);
        return 1;
      }
    }
    return 0;
  }

  /** The effect of a chain plan's i-th candidate (built on first use). */
  chainEffect(plan: Plan, i: number): Effect {
    let effect = plan.chainEffects[i];
    if (effect === undefined) effect = plan.chainEffects[i] = this.makeEffect(plan, [plan.chain![i]!]);
    return effect;
  }

  private makeEffect(plan: Plan, selected: readonly number[]): Effect {
    const { words, actions, nodesChanged } = this.chart.effect(
      plan.config,
      selected.map((c) => this.candTransition[c]!),
    );
    const tries: number[] = [];
    for (const { ref, owner } of actions) {
      if (this.actionKind(ref, owner) === 'assign') tries.push(this.actionTrie(ref, owner, plan.eventId));
    }
    const writes: number[] = [];
    words.forEach((w, k) => {
      if (w !== plan.config.words[k]) writes.push(this.wordBase + k, w);
    });
    return {
      changes: nodesChanged || tries.length > 0,
      words: Int32Array.from(writes),
      actions: Int32Array.from(tries),
    };
  }

  private effect(plan: Plan, selected: readonly number[]): Effect {
    const key = selected.length === 1 ? selected[0]! : selected.join(',');
    let effect = plan.effects.get(key);
    if (effect === undefined) {
      effect = this.makeEffect(plan, selected);
      plan.effects.set(key, effect);
    }
    return effect;
  }

  private apply(effect: Effect, source: Int32Array, target: Int32Array): void {
    for (let i = 0; i < source.length; i++) target[i] = source[i]!;
    const words = effect.words;
    for (let i = 0; i < words.length; i += 2) target[words[i]!] = words[i + 1]!;
    const actions = effect.actions;
    for (let i = 0; i < actions.length; i++) this.applyAction(actions[i]!, target);
  }

  /**
   * `stepIn` on packed rows (Packer.desc gives each field's bits): reads `source[0 .. words)`,
   * writes the successor to `target[at ..]`. 1 when it stepped, 0 when the event is disabled or
   * changes nothing, PACKED_MISS when only the interpreted step can tell (a plan not built yet, a
   * general selection, a copy between fields, or a code that does not fit its bits).
   *
   * A plan's step is tabulated once more as a whole: its combined trie reads the source fields
   * that the guards and actions of the chain read (each once) and ends in the step's outcome, 0
   * (no successor) or 1 + a delta (the fields the step writes and their codes). So a known step
   * is one trie walk and a few writes; an unknown one runs through the guard and action tries
   * (`stepChain`), which records the walk and adds it to the combined trie. A guard or action
   * meets a path its own trie does not know there and then: it runs on the row unpacked and is
   * tabulated, so learning a step needs no detour through the interpreted step.
   */
  stepPacked(
    plans: (Plan | null | undefined)[],
    source: Int32Array,
    words: number,
    eventId: number,
    target: Int32Array,
    at: number,
    desc: Int32Array,
    /** The packing's version (Packer.version): `desc` means something else when it changes. */
    version: number,
  ): number {
    const plan = plans[eventId];
    if (plan === null) return 0;
    if (plan === undefined || plan.chain === null) return PACKED_MISS;
    if (plan.stepTrie >= 0) {
      const outcome = this.tries.lookupPacked(plan.stepTrie, source, 0, desc);
      if (outcome === 0) return 0;
      if (outcome > 0) {
        if (desc !== this.masksDesc || version !== this.masksVersion) {
          this.masks.length = 0;
          this.masksDesc = desc;
          this.masksVersion = version;
        }
        let masks = this.masks[outcome - 1];
        if (masks === undefined) masks = this.masks[outcome - 1] = this.deltaMasks(outcome - 1, words, desc);
        if (masks === null) return PACKED_MISS;
        for (let w = 0; w < words; w++) target[at + w] = (source[w]! & masks[2 * w]!) | masks[2 * w + 1]!;
        return 1;
      }
    }
    return this.learnStep(plan, source, words, target, at, desc);
  }

  /** Per step delta, in the packing `masksDesc` at `masksVersion`: per word a keep mask and the bits set. */
  private readonly masks: (Int32Array | null | undefined)[] = [];
  private masksDesc: Int32Array | null = null;
  private masksVersion = -1;

  /** A delta as word masks in the packing of `desc` (null when a code does not fit its field). */
  private deltaMasks(delta: number, words: number, desc: Int32Array): Int32Array | null {
    const writes = this.stepDeltas[delta]!;
    let masks: Int32Array | null = new Int32Array(2 * words).fill(-1, 0, 2 * words);
    for (let w = 0; w < words; w++) masks[2 * w + 1] = 0;
    for (let k = 0; k < writes.length && masks !== null; k += 2) {
      const d = desc[writes[k]!]!;
      const code = writes[k + 1]!;
      const bits = d & 31;
      const w = d >>> 10;
      const shift = (d >>> 5) & 31;
      if (code >>> bits !== 0) masks = null;
      else {
        masks[2 * w] = masks[2 * w]! & ~(MASKS[bits]! << shift);
        masks[2 * w + 1] = (masks[2 * w + 1]! & ~(MASKS[bits]! << shift)) | (code << shift);
      }
    }
    return masks;
  }

  /** Step deltas of the combined tries: (field, code) pairs a step writes. */
  private readonly stepDeltas: Int32Array[] = [];
  private readonly stepDeltaIds = new Map<string, number>();

  /** `stepChain`, recording its reads; a known outcome is added to the plan's combined trie. */
  private learnStep(
    plan: Plan,
    source: Int32Array,
    words: number,
    target: Int32Array,
    at: number,
    desc: Int32Array,
  ): number {
    const reads: number[] = [];
    const writes: number[] = [];
    const status = this.stepChain(plan, source, words, target, at, desc, reads, writes);
    if (status === PACKED_MISS) return status;
    let outcome = 0;
    if (status === 1) {
      const delta: number[] = [];
      for (let k = 0; k < writes.length; k++) {
        const field = writes[k]!;
        if (writes.indexOf(field) < k) continue; // written twice: its final code once
        delta.push(field, readPacked(target, at, desc[field]!));
      }
      outcome = 1 + this.stepDelta(delta);
    }
    if (plan.stepTrie < 0) plan.stepTrie = this.stepTrieOf(plan);
    this.tries.insert(plan.stepTrie, reads, outcome, this.domainSize);
    return status;
  }

  /** Combined step tries by what the step does (its guards and effects), see `stepTrieOf`. */
  private readonly stepTries = new Map<string, number>();

  /**
   * A chain plan's combined trie. Plans whose chains have the same guards and the same effects
   * compute the same function of the row (an event of one region in configurations that differ in
   * other regions), so they share one trie and learn each path once.
   */
  private stepTrieOf(plan: Plan): number {
    const parts: string[] = [];
    for (let i = 0; i < plan.chain!.length; i++) {
      const effect = this.chainEffect(plan, i);
      parts.push(`${plan.chainGuards![i]}:${effect.changes}:${effect.words}:${effect.actions}`);
    }
    const key = parts.join('|');
    let trie = this.stepTries.get(key);
    if (trie === undefined) {
      trie = this.tries.create(
        `the step of ${this.events[plan.eventId]!.type} in ${JSON.stringify(plan.config.value)} (and configurations alike)`,
      );
      this.stepTries.set(key, trie);
    }
    return trie;
  }

  private stepDelta(delta: number[]): number {
    const key = delta.join(',');
    let id = this.stepDeltaIds.get(key);
    if (id === undefined) {
      id = this.stepDeltas.length;
      this.stepDeltaIds.set(key, id);
      this.stepDeltas.push(Int32Array.from(delta));
    }
    return id;
  }

  /**
   * A chain plan's step through its guard and action tries. `reads` gets the (field, code) pairs
   * of the source fields read (each once; a field the step wrote before reading it is not a
   * source read), `writes` the fields written, in order.
   */
  private stepChain(
    plan: Plan,
    source: Int32Array,
    words: number,
    target: Int32Array,
    at: number,
    desc: Int32Array,
    reads: number[],
    writes: number[],
  ): number {
    const tries = this.tries;
    const guards = plan.chainGuards!;
    for (let i = 0; i < guards.length; i++) {
      const g = guards[i]!;
      if (g >= 0) {
        let known = tries.lookupPackedTraced(g, source, 0, desc, reads, writes);
        if (known < 0) {
          // A path the guard's trie does not know: the guard itself decides, here (tabulated).
          this.holds(g, this.unpackTo(source, 0, desc));
          known = tries.lookupPackedTraced(g, source, 0, desc, reads, writes);
          assert(known >= 0, 'a guard just tabulated knows the row');
        }
        if (known === 0) continue;
      }
      const effect = this.chainEffect(plan, i);
      if (!effect.changes) return 0;
      for (let w = 0; w < words; w++) target[at + w] = source[w]!;
      const words_ = effect.words;
      for (let k = 0; k < words_.length; k += 2) {
        if (!writePackedAt(target, at, desc[words_[k]!]!, words_[k + 1]!)) return PACKED_MISS;
        writes.push(words_[k]!);
      }
      const actions = effect.actions;
      for (let a = 0; a < actions.length; a++) {
        let r = tries.lookupPackedTraced(actions[a]!, target, at, desc, reads, writes);
        if (r < 0) {
          // An action's path not known yet: run the action itself on the row so far (tabulated).
          this.tabulateAction(actions[a]!, this.unpackTo(target, at, desc));
          r = tries.lookupPackedTraced(actions[a]!, target, at, desc, reads, writes);
          assert(r >= 0, 'an action just tabulated knows the row');
        }
        const w = this.actionResults[r]!;
        const n = w[0]!;
        if (w[1 + 2 * n]! !== 0 || w[2 + 2 * n + 2 * w[1 + 2 * n]!]! !== 0) return PACKED_MISS;
        for (let j = 0; j < n; j++) {
          if (!writePackedAt(target, at, desc[w[1 + 2 * j]!]!, w[2 + 2 * j]!)) return PACKED_MISS;
          writes.push(w[1 + 2 * j]!);
        }
      }
      return 1;
    }
    return 0;
  }

  /**
   * One step: the event `eventId` on `source`, written to `target`. False when the event selects
   * no transition, or one that changes nothing (then xstate returns the same snapshot).
   */
  step(
    source: Int32Array,
    eventId: number,
    target: Int32Array,
    config = this.configuration(source),
  ): boolean {
    return this.stepIn(this.plansOf(config), config, source, eventId, target);
  }

  /** `step` with the configuration's plans looked up already (the hot loop does it once per state). */
  stepIn(
    plans: (Plan | null | undefined)[],
    config: Configuration,
    source: Int32Array,
    eventId: number,
    target: Int32Array,
  ): boolean {
    let plan = plans[eventId];
    if (plan === undefined) plan = plans[eventId] = this.buildPlan(config, eventId, source);
    if (plan === NO_PLAN) return false;
    const chain = plan.chain;
    if (chain !== null) {
      const guards = plan.chainGuards!;
      const tries = this.tries;
      for (let i = 0; i < chain.length; i++) {
        const g = guards[i]!;
        if (g >= 0) {
          const known = tries.lookup(g, source);
          if (known === 0 || (known < 0 && !this.holds(g, source))) continue;
        }
        const effect = this.chainEffect(plan, i);
        if (!effect.changes) return false;
        this.apply(effect, source, target);
        return true;
      }
      return false;
    }
    const selected = this.selected;
    selected.length = 0;
    if (this.select(plan.selection, source, selected) === 0) return false;
    const effect = this.effect(plan, selected);
    if (!effect.changes) return false;
    this.apply(effect, source, target);
    return true;
  }
}

/** What `stepPacked` returns when it needs the interpreted step (an unknown path, or no room). */
export const PACKED_MISS = -1;

/** The candidates of a selection in priority order, when no parallel node combines two regions. */
function chainOf(s: Selection): number[] | null {
  const live = s.kids;
  if (s.parallel && live.length > 1) return null;
  const inner = live.length === 1 ? chainOf(live[0]!) : [];
  if (inner === null) return null;
  return [...inner, ...s.own];
}

/** Writes a field's code into the packed row at `target[at ..]`; false when it does not fit. */
function writePackedAt(target: Int32Array, at: number, desc: number, code: number): boolean {
  const bits = desc & 31;
  if (code >>> bits !== 0) return false;
  const w = at + (desc >>> 10);
  const shift = (desc >>> 5) & 31;
  target[w] = (target[w]! & ~(MASKS[bits]! << shift)) | (code << shift);
  return true;
}

function collectFields(node: ShapeNode, out: number[]): void {
  if (node.kind === 'leaf') out.push(node.field);
  else for (const c of node.children) collectFields(c, out);
}

function sameShape(a: ShapeNode, b: ShapeNode): boolean {
  if (a.kind === 'leaf' || b.kind === 'leaf') return a.kind === b.kind;
  if (a.kind !== b.kind || a.children.length !== b.children.length) return false;
  if (a.kind === 'object' && b.kind === 'object' && a.keys.join() !== b.keys.join()) return false;
  return a.children.every((c, i) => sameShape(c, b.children[i]!));
}

/** The machine's initial snapshot (with the model's input), as xstate computes it. */
export function initialState(
  machine: AnyStateMachine,
  input: unknown,
): { value: StateValue; context: unknown } {
  const actor = createActor(machine, { input });
  const scope = (actor as unknown as { _actorScope: unknown })._actorScope;
  const snapshot = machine.getInitialSnapshot(scope as never, input);
  assert(snapshot.status === 'active' || snapshot.status === 'done', 'the initial snapshot is usable');
  return { value: snapshot.value, context: snapshot.context };
}

/**
 * Compiles `machine`, or throws UnsupportedMachineError naming the first construct it cannot hold.
 * With a symmetry, the fields it swaps share value tables (RowSymmetry needs that).
 */
/** How a parallel search codes values (layout.ts): alike in every worker. */
export interface CompileOptions {
  /** Integers and booleans as their own codes. */
  identityCodes?: boolean;
  /** A worker's value tables, from the coordinator; a value not in them is refused (UnseenValueError). */
  seeds?: readonly (readonly unknown[])[];
}

export function compileMachine(
  machine: AnyStateMachine,
  input?: unknown,
  symmetry?: SymmetrySpec,
  options: CompileOptions = {},
): CompiledMachine {
  return new CompiledMachine(machine, initialState(machine, input), symmetry, options);
}
