// The state configuration of an xstate v5 machine as "region words": one word per compound state
// node (0 = inactive, i + 1 = its i-th child is active); parallel nodes need none. So parallel
// regions, nested states and any mix of them are a few small integers in a row, and a region per
// host is a slice of words that symmetry can permute. Transition effects (exit set, entry set, the
// ordered actions) are computed here once per configuration and selection, following xstate's
// microstep (SCXML) exactly; machine features it does not model are refused, naming the state.
import type { AnyStateMachine, StateValue } from 'xstate';
import { assert } from '../../base/assert.ts';
import { UnsupportedMachineError } from './errors.ts';

// A minimal view of xstate's StateNode and TransitionDefinition (internal shapes, stable in v5).
export interface ChartNode {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  order: number;
  parent?: ChartNode;
  states: Record<string, ChartNode>;
  entry: unknown[];
  exit: unknown[];
  transitions: Map<string, TransitionDef[]>;
  always?: unknown[];
  after: unknown[];
  invoke: unknown[];
  initial?: { target: ChartNode[]; actions: unknown[] };
  machine: AnyStateMachine;
}

export interface TransitionDef {
  target?: ChartNode[];
  actions: unknown[];
  guard?: unknown;
  reenter: boolean;
  source: ChartNode;
  eventType: string;
}

/** An active configuration: its nodes in document order and its state value. */
export interface Configuration {
  id: number;
  words: Int32Array;
  nodes: ChartNode[];
  nodeSet: ReadonlySet<ChartNode>;
  value: StateValue;
  /** The machine is done (a top-level final state is active): no event is taken. */
  done: boolean;
}

/** What taking a set of transitions does: the new region words and the actions, in order. */
export interface TransitionEffect {
  words: Int32Array;
  /** [node the action belongs to (for messages), action reference] in execution order. */
  actions: { owner: ChartNode; ref: unknown }[];
  nodesChanged: boolean;
}

function refuse(node: ChartNode, what: string): never {
  throw new UnsupportedMachineError(`cannot compile state '${node.id}': ${what}`);
}

const childrenOf = (node: ChartNode) => Object.values(node.states).filter((s) => s.type !== 'history');

function isDescendant(child: ChartNode, parent: ChartNode): boolean {
  let marker = child;
  while (marker.parent && marker.parent !== parent) marker = marker.parent;
  return marker.parent === parent;
}

function properAncestors(node: ChartNode, upTo: ChartNode | undefined): ChartNode[] {
  const out: ChartNode[] = [];
  for (let n = node.parent; n && n !== upTo; n = n.parent) out.push(n);
  return out;
}

function checkNode(node: ChartNode, root: ChartNode): void {
  if (node.type === 'history') refuse(node, 'history states are not supported');
  if (node.always?.length) refuse(node, 'eventless (always) transitions are not supported');
  if (node.after.length) refuse(node, 'delayed (after) transitions are not supported');
  if (node.invoke.length) refuse(node, 'invoked actors are not supported');
  if (node.type === 'final' && !(node.parent === root && root.type === 'compound')) {
    refuse(node, 'final states below the top level raise done events, which are not supported');
  }
  for (const type of node.transitions.keys()) {
    if (type === '*' || type.endsWith('.*')) refuse(node, `wildcard event '${type}' is not supported`);
    if (type.startsWith('xstate.done.') || type.startsWith('xstate.error.'))
      refuse(node, `'${type}' transitions (onDone / onError) are not supported`);
  }
  if (Object.values(node.states).some((s) => s.type === 'history')) {
    refuse(Object.values(node.states).find((s) => s.type === 'history')!, 'history states are not supported');
  }
  for (const child of Object.values(node.states)) checkNode(child, root);
}

export class Statechart {
  readonly root: ChartNode;
  /** Compound nodes in document order; word k belongs to compounds[k]. */
  readonly compounds: ChartNode[] = [];
  readonly wordOf = new Map<ChartNode, number>();
  /** Per word: how many values it takes (children + 1 for "inactive"). */
  readonly radix: number[] = [];
  private readonly configs = new Map<number, Configuration>();
  readonly multipliers: number[] = [];

  constructor(readonly machine: AnyStateMachine) {
    this.root = machine.root as unknown as ChartNode;
    checkNode(this.root, this.root);
    const visit = (node: ChartNode) => {
      if (node.type === 'compound') {
        this.wordOf.set(node, this.compounds.length);
        this.compounds.push(node);
        this.radix.push(childrenOf(node).length + 1);
      }
      for (const child of childrenOf(node)) visit(child);
    };
    visit(this.root);
    let m = 1;
    for (const r of this.radix) {
      this.multipliers.push(m);
      m *= r;
    }
    if (m > Number.MAX_SAFE_INTEGER) {
      throw new UnsupportedMachineError(`the machine has too many regions to number its configurations`);
    }
  }

  get wordCount(): number {
    return this.compounds.length;
  }

  /** A configuration seen before, by id (undefined when not seen yet). */
  configurationById(id: number): Configuration | undefined {
    return this.configs.get(id);
  }

  /** The configuration whose words are `row[offset .. offset + wordCount)`. */
  configurationAt(row: Int32Array, offset: number): Configuration {
    let id = 0;
    for (let k = 0; k < this.multipliers.length; k++) id += row[offset + k]! * this.multipliers[k]!;
    return this.configs.get(id) ?? this.makeConfiguration(id, row.slice(offset, offset + this.wordCount));
  }

  private makeConfiguration(id: number, words: Int32Array): Configuration {
    const nodes: ChartNode[] = [];
    const visit = (node: ChartNode) => {
      nodes.push(node);
      if (node.type === 'compound') {
        const w = words[this.wordOf.get(node)!]!;
        assert(w > 0, `compound state '${node.id}' is active with an active child`);
        visit(childrenOf(node)[w - 1]!);
      } else if (node.type === 'parallel') {
        for (const child of childrenOf(node)) visit(child);
      }
    };
    visit(this.root);
    nodes.sort((a, b) => a.order - b.order);
    const nodeSet = new Set(nodes);
    const config: Configuration = {
      id,
      words,
      nodes,
      nodeSet,
      value: this.valueOf(this.root, nodeSet) as StateValue,
      done: nodes.some((n) => n.type === 'final' && n.parent === this.root),
    };
    this.configs.set(id, config);
    return config;
  }

  /** The state value xstate gives this configuration (xstate's getValueFromAdj). */
  private valueOf(node: ChartNode, active: ReadonlySet<ChartNode>): StateValue | Record<string, never> {
    const children = childrenOf(node).filter((c) => active.has(c));
    if (children.length === 0) return {};
    if (node.type === 'compound') {
      const child = children[0]!;
      if (child.type === 'atomic' || child.type === 'final') return child.key;
    }
    const value: Record<string, unknown> = {};
    for (const child of children) value[child.key] = this.valueOf(child, active);
    return value as StateValue;
  }

  /** Region words of a state value (as xstate's snapshots carry it). */
  wordsOf(value: StateValue): Int32Array {
    const words = new Int32Array(this.wordCount);
    const visit = (node: ChartNode, v: unknown) => {
      if (node.type === 'compound') {
        const key = typeof v === 'string' ? v : Object.keys(v as object)[0]!;
        const children = childrenOf(node);
        const index = children.findIndex((c) => c.key === key);
        assert(index >= 0, `state value ${JSON.stringify(value)} names a child of '${node.id}'`);
        words[this.wordOf.get(node)!] = index + 1;
        visit(children[index]!, typeof v === 'string' ? {} : (v as Record<string, unknown>)[key]);
      } else if (node.type === 'parallel') {
        for (const child of childrenOf(node)) visit(child, (v as Record<string, unknown>)[child.key] ?? {});
      }
    };
    visit(this.root, value);
    return words;
  }

  /** Taking `transitions` (as selected by xstate) in configuration `config`. */
  effect(config: Configuration, transitions: readonly TransitionDef[]): TransitionEffect {
    const nodes = new Set(config.nodes);
    const filtered = removeConflicting(transitions, nodes);
    const actions: TransitionEffect['actions'] = [];
    const exit = exitSet(filtered, nodes).sort((a, b) => b.order - a.order);
    for (const s of exit) {
      for (const ref of s.exit) actions.push({ owner: s, ref });
      nodes.delete(s);
    }
    for (const t of filtered) for (const ref of t.actions) actions.push({ owner: t.source, ref });
    const toEnter = new Set<ChartNode>();
    const defaultEntry = new Set<ChartNode>();
    entrySet(filtered, defaultEntry, toEnter);
    for (const s of [...toEnter].sort((a, b) => a.order - b.order)) {
      nodes.add(s);
      for (const ref of s.entry) actions.push({ owner: s, ref });
      if (defaultEntry.has(s) && s.initial)
        for (const ref of s.initial.actions) actions.push({ owner: s, ref });
    }
    const words = new Int32Array(this.wordCount);
    this.compounds.forEach((c, k) => {
      if (!nodes.has(c)) return;
      const index = childrenOf(c).findIndex((child) => nodes.has(child));
      assert(index >= 0, `an active compound state '${c.id}' keeps an active child`);
      words[k] = index + 1;
    });
    const nodesChanged = nodes.size !== config.nodes.length || config.nodes.some((n) => !nodes.has(n));
    return { words, actions, nodesChanged };
  }
}

// --- xstate's microstep, without history (src/stateUtils.ts in xstate v5) ---

function targetsOf(t: TransitionDef): ChartNode[] {
  return t.target ?? [];
}

function domainOf(t: TransitionDef): ChartNode | undefined {
  const targets = targetsOf(t);
  if (!t.reenter && targets.every((x) => x === t.source || isDescendant(x, t.source))) return t.source;
  const all = [...targets, t.source];
  const [head, ...tail] = all;
  for (const ancestor of properAncestors(head!, undefined)) {
    if (tail.every((s) => isDescendant(s, ancestor))) return ancestor;
  }
  if (t.reenter) return undefined;
  return t.source.machine.root as unknown as ChartNode;
}

function exitSet(transitions: readonly TransitionDef[], nodes: ReadonlySet<ChartNode>): ChartNode[] {
  const out = new Set<ChartNode>();
  for (const t of transitions) {
    if (!t.target?.length) continue;
    const domain = domainOf(t);
    if (t.reenter && t.source === domain) out.add(domain);
    for (const s of nodes) if (domain && isDescendant(s, domain)) out.add(s);
  }
  return [...out];
}

function removeConflicting(transitions: readonly TransitionDef[], nodes: ReadonlySet<ChartNode>) {
  const filtered = new Set<TransitionDef>();
  for (const t1 of transitions) {
    let preempted = false;
    const remove = new Set<TransitionDef>();
    for (const t2 of filtered) {
      const a = exitSet([t1], nodes);
      const b = new Set(exitSet([t2], nodes));
      if (a.some((s) => b.has(s))) {
        if (isDescendant(t1.source, t2.source)) remove.add(t2);
        else {
          preempted = true;
          break;
        }
      }
    }
    if (!preempted) {
      for (const t of remove) filtered.delete(t);
      filtered.add(t1);
    }
  }
  return [...filtered];
}

function entrySet(
  transitions: readonly TransitionDef[],
  defaultEntry: Set<ChartNode>,
  toEnter: Set<ChartNode>,
) {
  for (const t of transitions) {
    const domain = domainOf(t);
    for (const s of targetsOf(t)) {
      if (t.source !== s || t.source !== domain || t.reenter) {
        toEnter.add(s);
        defaultEntry.add(s);
      }
      addDescendants(s, defaultEntry, toEnter);
    }
    for (const s of targetsOf(t)) {
      const ancestors = properAncestors(s, domain);
      if (domain?.type === 'parallel') ancestors.push(domain);
      addAncestors(toEnter, defaultEntry, ancestors, !t.source.parent && t.reenter ? undefined : domain);
    }
  }
}

function addDescendants(node: ChartNode, defaultEntry: Set<ChartNode>, toEnter: Set<ChartNode>): void {
  if (node.type === 'compound') {
    const [initial] = node.initial!.target;
    toEnter.add(initial!);
    defaultEntry.add(initial!);
    addDescendants(initial!, defaultEntry, toEnter);
    addAncestors(toEnter, defaultEntry, properAncestors(initial!, node), undefined);
  } else if (node.type === 'parallel') {
    for (const child of childrenOf(node)) {
      if (![...toEnter].some((s) => isDescendant(s, child))) {
        toEnter.add(child);
        defaultEntry.add(child);
        addDescendants(child, defaultEntry, toEnter);
      }
    }
  }
}

function addAncestors(
  toEnter: Set<ChartNode>,
  defaultEntry: Set<ChartNode>,
  ancestors: readonly ChartNode[],
  domain: ChartNode | undefined,
): void {
  for (const anc of ancestors) {
    if (!domain || isDescendant(anc, domain)) toEnter.add(anc);
    if (anc.type === 'parallel') {
      for (const child of childrenOf(anc)) {
        if (![...toEnter].some((s) => isDescendant(s, child))) {
          toEnter.add(child);
          addDescendants(child, defaultEntry, toEnter);
        }
      }
    }
  }
}

export { childrenOf, isDescendant };
