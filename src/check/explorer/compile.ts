// Compiles an xstate v5 machine into a step function over (leaf index, plain context): a table of
// candidate transitions per leaf state and event type, with the exit / transition / entry actions
// of each resolved once. Guards and `assign` actions are the machine's own implementations. It
// supports what explicit-state models need and refuses, with an error naming the state, what it
// does not handle: parallel and history states, eventless (`always`) and delayed transitions,
// invoked actors, wildcard events, nested final states, and actions other than assign / emit / log.
// `verifyCompiled` (verify.ts) checks it against `machine.transition` on random walks.
import type { AnyStateMachine, EventObject, StateValue } from 'xstate';
import { assert } from '../../base/assert.ts';

type Context = Record<string, unknown>;
type Guard = (context: Context, event: EventObject) => boolean;
type Action = (context: Context, event: EventObject) => Context;

// A minimal view of xstate's StateNode and TransitionDefinition (internal shapes, stable in v5).
interface Node {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  parent?: Node;
  states: Record<string, Node>;
  entry: unknown[];
  exit: unknown[];
  transitions: Map<string, TransitionDef[]>;
  always?: unknown[];
  after: unknown[];
  invoke: unknown[];
  initial?: { target: Node[]; actions: unknown[] };
  machine: AnyStateMachine;
}
interface TransitionDef {
  target?: Node[];
  actions: unknown[];
  guard?: unknown;
  reenter: boolean;
  source: Node;
}

/** Opaque to callers: what `candidatesFor` returns and `stepWith` takes. */
export type CandidateList = readonly Candidate[];

interface Candidate {
  guard: Guard | null;
  actions: Action[];
  /** Leaf index after the transition; -1 = stay (targetless). */
  target: number;
}

export interface CompiledMachine {
  leafIds: readonly string[];
  leafValues: readonly StateValue[];
  initialLeaf: number;
  initialContext: Context;
  /** Leaves that are top-level final states (the machine is done there). */
  finalLeaf: Uint8Array;
  /** Applies an event; false when disabled or without effect (as xstate returns the same snapshot). */
  step(leaf: number, context: Context, event: EventObject, out: { leaf: number; context: Context }): boolean;
  /** The candidate transitions of a leaf for an event type (null when none), for `stepWith`. */
  candidatesFor(leaf: number, type: string): CandidateList | null;
  /** `step` with the candidates looked up already (the hot loop caches them per event list). */
  stepWith(
    candidates: CandidateList | null,
    leaf: number,
    context: Context,
    event: EventObject,
    out: { leaf: number; context: Context },
  ): boolean;
  leafOf(value: StateValue): number;
}

export class UnsupportedMachineError extends Error {
  override name = 'UnsupportedMachineError';
}

function refuse(node: Node, what: string): never {
  throw new UnsupportedMachineError(`cannot compile state '${node.id}': ${what} (use the generic engine)`);
}

function checkNode(node: Node): void {
  if (node.type === 'parallel') refuse(node, 'parallel states are not supported');
  if (node.type === 'history') refuse(node, 'history states are not supported');
  if (node.always?.length) refuse(node, 'eventless (always) transitions are not supported');
  if (node.after.length) refuse(node, 'delayed (after) transitions are not supported');
  if (node.invoke.length) refuse(node, 'invoked actors are not supported');
  if (node.type === 'final' && node.parent?.parent) refuse(node, 'nested final states raise done events');
  for (const type of node.transitions.keys()) {
    if (type === '*' || type.endsWith('.*')) refuse(node, `wildcard event '${type}' is not supported`);
  }
  for (const child of Object.values(node.states)) checkNode(child);
}

function ancestors(node: Node): Node[] {
  const chain: Node[] = [];
  for (let n: Node | undefined = node; n; n = n.parent) chain.push(n);
  return chain; // leaf first, root last
}

const isDescendant = (child: Node, parent: Node) => ancestors(child).slice(1).includes(parent);

function initialLeafOf(node: Node, entered: Node[]): Node {
  let n = node;
  while (n.type === 'compound') {
    const target = n.initial?.target;
    assert(target && target.length === 1, `state '${n.id}' needs one initial child`);
    if (n.initial!.actions.length) refuse(n, 'actions on initial transitions are not supported');
    n = target[0]!;
    entered.push(n);
  }
  return n;
}

function resolveAction(machine: AnyStateMachine, node: Node, ref: unknown): Action | null {
  const named =
    typeof ref === 'string' ? ref : typeof ref === 'object' && ref ? (ref as { type: string }).type : null;
  const impl = (named ? machine.implementations.actions[named] : ref) as
    | ({ type?: string; assignment?: unknown; resolve?: unknown } & ((...a: unknown[]) => unknown))
    | undefined;
  if (named && !impl) refuse(node, `action '${named}' is not implemented`);
  const params =
    typeof ref === 'object' && ref && 'params' in ref ? (ref as { params: unknown }).params : undefined;
  if (typeof params === 'function') refuse(node, 'dynamic action params are not supported');
  if (!impl || !('resolve' in impl)) return null; // a custom side effect: no state change
  if (impl.type === 'xstate.emit' || impl.type === 'xstate.log') return null;
  if (impl.type !== 'xstate.assign') refuse(node, `action '${impl.type}' is not supported`);
  const assignment = impl.assignment as
    | ((args: { context: Context; event: EventObject }, params: unknown) => Context)
    | Record<string, unknown>;
  if (typeof assignment === 'function') {
    return (context, event) => ({ ...context, ...assignment({ context, event }, params) });
  }
  const keys = Object.keys(assignment);
  return (context, event) => {
    const next = Object.assign({}, context);
    for (const key of keys) {
      const value = assignment[key];
      next[key] = typeof value === 'function' ? value({ context, event }, params) : value;
    }
    return next;
  };
}

function resolveGuard(machine: AnyStateMachine, node: Node, ref: unknown): Guard | null {
  if (ref === undefined) return null;
  const named =
    typeof ref === 'string' ? ref : typeof ref === 'object' && ref ? (ref as { type: string }).type : null;
  const impl = (named ? machine.implementations.guards[named] : ref) as
    | (((args: unknown, params: unknown) => boolean) & { check?: unknown; stateValue?: unknown })
    | undefined;
  if (!impl) refuse(node, `guard '${named}' is not implemented`);
  if (typeof impl !== 'function') return resolveGuard(machine, node, impl);
  const params =
    typeof ref === 'object' && ref && 'params' in ref ? (ref as { params: unknown }).params : undefined;
  if (typeof params === 'function') refuse(node, 'dynamic guard params are not supported');
  if ('stateValue' in impl) refuse(node, 'stateIn guards are not supported');
  if (typeof impl.check === 'function') {
    // Built-in combinators (and / or / not) evaluate their operands through the machine.
    const check = impl.check as (snapshot: unknown, args: unknown, self: unknown) => boolean;
    const snapshot = { machine };
    return (context, event) => check(snapshot, { context, event }, impl);
  }
  // One argument object per guard, reused: guards are pure and do not keep their arguments.
  const args = { context: {} as Context, event: { type: '' } as EventObject };
  return (context, event) => {
    args.context = context;
    args.event = event;
    return impl(args, params);
  };
}

function leavesOf(node: Node, out: Node[]): Node[] {
  const children = Object.values(node.states);
  if (children.length === 0) out.push(node);
  for (const child of children) leavesOf(child, out);
  return out;
}

function stateValueOf(leaf: Node): StateValue {
  const keys = ancestors(leaf)
    .slice(0, -1)
    .map((n) => n.key);
  let value: StateValue = keys[0]!;
  for (const key of keys.slice(1)) value = { [key]: value };
  return value;
}

function domainOf(t: TransitionDef): Node {
  const targets = t.target!;
  if (!t.reenter && targets.every((x) => x === t.source || isDescendant(x, t.source))) {
    if (targets.includes(t.source)) refuse(t.source, 'a transition to its own state needs reenter: true');
    return t.source;
  }
  const all = [...targets, t.source];
  const common = ancestors(targets[0]!)
    .slice(1)
    .find((a) => a.type === 'compound' && all.every((x) => isDescendant(x, a)));
  assert(common, `transition from '${t.source.id}' has a common ancestor`);
  return common;
}

function compileTransition(
  machine: AnyStateMachine,
  leaf: Node,
  t: TransitionDef,
  leafIndex: Map<Node, number>,
) {
  const resolve = (refs: unknown[], node: Node) =>
    refs.map((r) => resolveAction(machine, node, r)).filter((a): a is Action => a !== null);
  const guard = resolveGuard(machine, t.source, t.guard);
  if (!t.target || t.target.length === 0) {
    return { guard, actions: resolve(t.actions, t.source), target: -1 };
  }
  if (t.target.length !== 1) refuse(t.source, 'multiple targets need parallel states');
  const domain = domainOf(t);
  const reenterDomain = t.reenter && t.source === domain;
  const active = ancestors(leaf);
  const exited = active.filter((n) => isDescendant(n, domain) || (reenterDomain && n === domain));
  const entered: Node[] = [];
  const target = t.target[0]!;
  const path = ancestors(target).filter((n) => isDescendant(n, domain));
  if (reenterDomain) entered.push(domain);
  entered.push(...path.reverse());
  const targetLeaf = initialLeafOf(target, entered);
  const index = leafIndex.get(targetLeaf);
  assert(index !== undefined, `leaf '${targetLeaf.id}' is indexed`);
  const actions = [
    ...exited.flatMap((n) => resolve(n.exit, n)),
    ...resolve(t.actions, t.source),
    ...entered.flatMap((n) => resolve(n.entry, n)),
  ];
  return { guard, actions, target: index };
}

/** Compiles `machine`, or throws UnsupportedMachineError naming the first unsupported feature. */
export function compileMachine(machine: AnyStateMachine, initialContext: Context): CompiledMachine {
  const root = machine.root as unknown as Node;
  checkNode(root);
  const leaves = leavesOf(root, []);
  const leafIndex = new Map(leaves.map((leaf, i) => [leaf, i]));
  const table: Map<string, Candidate[]>[] = leaves.map((leaf) => {
    const byType = new Map<string, Candidate[]>();
    for (const node of ancestors(leaf)) {
      for (const [type, defs] of node.transitions) {
        const list = byType.get(type) ?? [];
        for (const def of defs) list.push(compileTransition(machine, leaf, def, leafIndex));
        byType.set(type, list);
      }
    }
    return byType;
  });
  const finalLeaf = Uint8Array.from(leaves.map((l) => (l.type === 'final' ? 1 : 0)));
  const leafValues = leaves.map(stateValueOf);
  const keys = leafValues.map((v) => JSON.stringify(v));
  const rootLeaf = initialLeafOf(root, []);
  const candidatesFor = (leaf: number, type: string): CandidateList | null =>
    finalLeaf[leaf] ? null : (table[leaf]!.get(type) ?? null);
  const stepWith: CompiledMachine['stepWith'] = (candidates, leaf, context, event, out) => {
    if (candidates === null) return false;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (c.guard !== null && !c.guard(context, event)) continue;
      let next = context;
      for (let a = 0; a < c.actions.length; a++) next = c.actions[a]!(next, event);
      const target = c.target < 0 ? leaf : c.target;
      // Like machine.transition: a step that changes neither state nor context is no step.
      if (target === leaf && next === context) return false;
      out.leaf = target;
      out.context = next;
      return true;
    }
    return false;
  };
  return {
    leafIds: leaves.map((l) => l.id),
    leafValues,
    initialLeaf: leafIndex.get(rootLeaf)!,
    initialContext,
    finalLeaf,
    leafOf(value) {
      const found = keys.indexOf(JSON.stringify(value));
      assert(found >= 0, `state value ${JSON.stringify(value)} is a leaf of the machine`);
      return found;
    },
    step: (leaf, context, event, out) => stepWith(candidatesFor(leaf, event.type), leaf, context, event, out),
    candidatesFor,
    stepWith,
  };
}
