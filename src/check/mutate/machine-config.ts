// Reading and rewriting an xstate machine's configuration as data: the model mutants are small
// edits of `machine.config`, rebuilt with the machine's own `implementations`. Transitions are
// addressed by (state path, event, candidate index); targets are resolved to leaf state paths so
// a mutant can be described ("secondary.engaged PEER_SILENT [logAlreadyReplayed] → …") and so a
// retarget never points at the state the transition already goes to.
import { type AnyStateMachine, createMachine } from 'xstate';
import { assert } from '../../base/assert.ts';

/** A state node's config, as far as the mutants need it. */
export interface StateConfig {
  id?: string;
  initial?: string;
  states?: Record<string, StateConfig>;
  on?: Record<string, unknown>;
  entry?: unknown;
  exit?: unknown;
  always?: unknown;
  after?: unknown;
  [key: string]: unknown;
}

/** One candidate of a transition (xstate's TransitionConfig), after normalising strings. */
export interface Candidate {
  target?: string | string[];
  guard?: unknown;
  actions?: unknown;
  reenter?: boolean;
  [key: string]: unknown;
}

/** Where a transition candidate lives: the state it is defined on ([] = the root), event, index. */
export interface TransitionSite {
  state: string[];
  event: string;
  index: number;
  candidate: Candidate;
}

/** Deep copy of plain objects and arrays; functions (xstate's `and`/`not` guards) are shared. */
export function cloneConfig<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneConfig) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = cloneConfig(inner);
    return out as T;
  }
  return value;
}

/** A machine built from an edited config with the original machine's guards and actions. */
export function rebuild(machine: AnyStateMachine, config: StateConfig): AnyStateMachine {
  return createMachine(config as never, machine.implementations as never);
}

export function stateAt(root: StateConfig, path: readonly string[]): StateConfig {
  let node = root;
  for (const key of path) {
    const child = node.states?.[key];
    assert(child !== undefined, `no state ${path.join('.')}`);
    node = child;
  }
  return node;
}

/** Every state path in document order (the root is []). */
export function statePaths(root: StateConfig, prefix: string[] = []): string[][] {
  const paths = [prefix];
  for (const key of Object.keys(root.states ?? {})) {
    paths.push(...statePaths(root.states![key]!, [...prefix, key]));
  }
  return paths;
}

/** Paths of atomic (leaf) states, dotted. */
export function leafStates(root: StateConfig): string[] {
  return statePaths(root)
    .filter((p) => p.length > 0 && stateAt(root, p).states === undefined)
    .map((p) => p.join('.'));
}

/** The candidates of `on[event]` as objects: 'target' → { target }, one object → [it]. */
export function candidatesOf(value: unknown): Candidate[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((c) => (typeof c === 'string' ? { target: c } : (c as Candidate)));
}

/** Every transition candidate of the machine, in document order. */
export function transitionSites(root: StateConfig): TransitionSite[] {
  const sites: TransitionSite[] = [];
  for (const state of statePaths(root)) {
    const on = stateAt(root, state).on ?? {};
    for (const event of Object.keys(on)) {
      candidatesOf(on[event]).forEach((candidate, index) => {
        sites.push({ state, event, index, candidate });
      });
    }
  }
  return sites;
}

/** Descends initial states to a leaf. */
function leafOf(root: StateConfig, path: string[]): string[] {
  let node = stateAt(root, path);
  const out = [...path];
  while (node.states !== undefined) {
    assert(node.initial !== undefined, `compound state ${out.join('.')} has no initial state`);
    out.push(node.initial);
    node = node.states[node.initial]!;
  }
  return out;
}

/**
 * The leaf state a candidate defined on `source` leads to, dotted; null for a targetless
 * candidate (it stays where it is). Handles '#id.a.b', '.child' and sibling targets.
 */
export function resolveTarget(
  root: StateConfig,
  source: readonly string[],
  candidate: Candidate,
): string | null {
  const target = candidate.target;
  if (target === undefined) return null;
  assert(typeof target === 'string', 'mutants handle single targets only');
  let path: string[];
  if (target.startsWith('#')) {
    const [id, ...rest] = target.slice(1).split('.');
    assert(id === root.id, `target ${target} refers to another machine`);
    path = rest;
  } else if (target.startsWith('.')) {
    path = [...source, ...target.slice(1).split('.')];
  } else {
    assert(source.length > 0, `sibling target ${target} on the root`);
    path = [...source.slice(0, -1), ...target.split('.')];
  }
  return leafOf(root, path).join('.');
}

/** Names in a guard: 'g', { type: 'g' }, and(['a','b']) → 'a & b', not(g) → '!g'. */
export function guardText(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const g = guard as { name?: string; guards?: unknown[]; guard?: unknown };
    if (g.name === 'and' && g.guards) return g.guards.map(guardText).join(' & ');
    if (g.name === 'or' && g.guards) return `(${g.guards.map(guardText).join(' | ')})`;
    if (g.name === 'not' && g.guards) return `!(${g.guards.map(guardText).join(', ')})`;
    return g.name ?? 'fn';
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  return String(guard);
}

/** Action names: 'a', { type: 'a', params } → 'a(params)', lists joined. */
export function actionsOf(actions: unknown): unknown[] {
  if (actions === undefined) return [];
  return Array.isArray(actions) ? actions : [actions];
}

export function actionText(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && 'type' in action) {
    const params = (action as { params?: unknown }).params;
    return params === undefined ? String(action.type) : `${String(action.type)}(${JSON.stringify(params)})`;
  }
  return typeof action === 'function' ? (action.name ?? 'fn') : String(action);
}

/** One line: `EVENT [guard] → target / a, b` (target '·' when the candidate has none). */
export function candidateText(root: StateConfig, site: Omit<TransitionSite, 'index'>): string {
  const c = site.candidate;
  const guard = c.guard === undefined ? '' : ` [${guardText(c.guard)}]`;
  const target = resolveTarget(root, site.state, c) ?? '·';
  const reenter = c.reenter ? ' (reenter)' : '';
  const actions = actionsOf(c.actions).map(actionText);
  return `${site.event}${guard} → ${target}${reenter}${actions.length ? ` / ${actions.join(', ')}` : ''}`;
}

export function stateName(path: readonly string[]): string {
  return path.length === 0 ? '(root)' : path.join('.');
}
