// Walks an xstate v5 machine definition (machine.root) into a plain graph of states and
// transitions — nested, parallel, final and history states; events, guards (with params) and
// actions by name — which the Mermaid and DOT writers render.
import type { AnyStateMachine } from 'xstate';

export interface StateInfo {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  parent: string | null;
  children: string[];
  initial: string | null;
  tags: string[];
  entry: string[];
  exit: string[];
}

export interface TransitionInfo {
  source: string;
  event: string;
  targets: string[];
  guard: string | null;
  actions: string[];
  reenter: boolean;
}

export interface MachineGraph {
  id: string;
  root: string;
  states: Map<string, StateInfo>;
  transitions: TransitionInfo[];
}

interface NodeLike {
  id: string;
  key: string;
  type: StateInfo['type'];
  parent?: NodeLike;
  states: Record<string, NodeLike>;
  tags: string[];
  entry: unknown[];
  exit: unknown[];
  initial?: { target: NodeLike[] };
  transitions: Map<string, { target?: NodeLike[]; guard?: unknown; actions: unknown[]; reenter: boolean }[]>;
  always?: { target?: NodeLike[]; guard?: unknown; actions: unknown[]; reenter: boolean }[];
}

const paramsText = (params: unknown) =>
  params === undefined
    ? ''
    : `(${Object.entries(params as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ')})`;

/** A readable name for an action or guard reference: its type, or its builtin kind. */
export function refName(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'function') {
    const f = ref as { type?: string; guards?: unknown[]; guard?: unknown; name?: string };
    if (f.type === 'xstate.emit') return 'emit';
    if (f.type === 'xstate.assign') return 'assign';
    if (Array.isArray(f.guards)) {
      const kind = (f as unknown as { check: { name: string } }).check.name
        .replace(/^check/, '')
        .toLowerCase();
      return f.guards.map(refName).join(kind === 'or' ? ' || ' : ' && ');
    }
    if (f.guard !== undefined) return `!${refName(f.guard)}`;
    return f.type ?? (f.name || 'inline');
  }
  if (ref && typeof ref === 'object' && 'type' in ref) {
    const r = ref as { type: string; params?: unknown };
    return `${r.type}${typeof r.params === 'function' ? '(…)' : paramsText(r.params)}`;
  }
  return 'inline';
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states = new Map<string, StateInfo>();
  const transitions: TransitionInfo[] = [];
  const visit = (node: NodeLike) => {
    const children = Object.values(node.states);
    states.set(node.id, {
      id: node.id,
      key: node.key,
      type: node.type,
      parent: node.parent?.id ?? null,
      children: children.map((c) => c.id),
      initial: node.type === 'compound' ? (node.initial?.target[0]?.id ?? null) : null,
      tags: [...node.tags],
      entry: node.entry.map(refName),
      exit: node.exit.map(refName),
    });
    const defs = [
      ...node.transitions.entries(),
      ...(node.always ? [['(always)', node.always] as const] : []),
    ];
    for (const [event, list] of defs) {
      for (const t of list) {
        transitions.push({
          source: node.id,
          event,
          targets: (t.target ?? []).map((x) => x.id),
          guard: t.guard === undefined ? null : refName(t.guard),
          actions: t.actions.map(refName),
          reenter: t.reenter,
        });
      }
    }
    for (const child of children) visit(child);
  };
  const root = machine.root as unknown as NodeLike;
  visit(root);
  return { id: machine.id, root: root.id, states, transitions };
}

/**
 * A leaf state with more than this many transitions back to itself lists them inside its box, as
 * UML draws internal transitions (`EVENT [guard] / action`), instead of as a fan of loops whose
 * labels overlap: the environment model is one state with a self-loop per kind of step.
 */
export const SELF_LOOPS_DRAWN_MAX = 3;

/** Whether a transition stays in its leaf source state (a self-loop, or no target at all). */
export function staysInSource(graph: MachineGraph, t: TransitionInfo): boolean {
  const source = graph.states.get(t.source);
  if (source === undefined || source.children.length > 0) return false;
  return t.targets.length === 0 || (t.targets.length === 1 && t.targets[0] === t.source);
}

/** The self-loops each state lists inside its box (states with more than SELF_LOOPS_DRAWN_MAX). */
export function internalTransitions(graph: MachineGraph): Map<string, TransitionInfo[]> {
  const bySource = new Map<string, TransitionInfo[]>();
  for (const t of graph.transitions) {
    if (!staysInSource(graph, t)) continue;
    const list = bySource.get(t.source) ?? [];
    list.push(t);
    bySource.set(t.source, list);
  }
  for (const [source, list] of bySource) if (list.length <= SELF_LOOPS_DRAWN_MAX) bySource.delete(source);
  return bySource;
}
