// Temporal properties on the explored graph.
// - `reachable` (AG(from → EF goal)): a backward search from the goal states over reversed edges.
// - `eventually` (from ~> goal under weak fairness of actions): in the graph without goal states,
//   the strongly connected components (Tarjan, iterative) that are fair — every fair action enabled
//   in all of the component's states is taken by one of its inner edges — together with dead ends
//   (states without successors) are where a run can avoid the goal forever; a backward search
//   marks every goal-free state that can reach one. A `from` state so marked is a violation, and
//   its counterexample is a lasso: the BFS stem, a goal-free path into the component, and a cycle
//   that takes every action continuously enabled along it (so the cycle itself is a fair run).
import { assert } from '../../base/assert.ts';
import type { GrowableInt32 } from './growable.ts';

/** The explored graph in CSR form: edges of state s are edgeStart[s] .. edgeStart[s + 1]. */
export interface Graph {
  count: number;
  edgeStart: GrowableInt32;
  edges: GrowableInt32;
  /** The action (global event id) of each edge; needed for fairness. */
  edgeAction?: GrowableInt32;
  actionCount: number;
  /** Per action: 1 when weak fairness applies to it (default: all). */
  fair?: Uint8Array;
}

/** Reverse adjacency, restricted to states where `keep` is 1 (all states when null). */
function reverseOf(g: Graph, keep: Uint8Array | null) {
  const start = new Int32Array(g.count + 1);
  for (let s = 0; s < g.count; s++) {
    if (keep && !keep[s]) continue;
    for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
      const t = g.edges.get(e);
      if (!keep || keep[t]) start[t + 1]!++;
    }
  }
  for (let i = 0; i < g.count; i++) start[i + 1]! += start[i]!;
  const sources = new Int32Array(start[g.count]!);
  const fill = start.slice(0, g.count);
  for (let s = 0; s < g.count; s++) {
    if (keep && !keep[s]) continue;
    for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
      const t = g.edges.get(e);
      if (!keep || keep[t]) sources[fill[t]!++] = s;
    }
  }
  return { start, sources };
}

/** Marks every state that can reach a seed state, moving only through states where `keep` is 1. */
function backwardClosure(g: Graph, seeds: Uint8Array, keep: Uint8Array | null): Uint8Array {
  const { start, sources } = reverseOf(g, keep);
  const marked = new Uint8Array(g.count);
  const queue = new Int32Array(g.count);
  let tail = 0;
  for (let s = 0; s < g.count; s++) {
    if (seeds[s]) {
      marked[s] = 1;
      queue[tail++] = s;
    }
  }
  for (let head = 0; head < tail; head++) {
    const t = queue[head]!;
    for (let r = start[t]!; r < start[t + 1]!; r++) {
      const s = sources[r]!;
      if (marked[s]) continue;
      marked[s] = 1;
      queue[tail++] = s;
    }
  }
  return marked;
}

/** AG(from → EF goal): the first (shallowest) `from` state that cannot reach a goal, or -1. */
export function checkReachable(g: Graph, from: Uint8Array, goal: Uint8Array): number {
  const canReach = backwardClosure(g, goal, null);
  for (let i = 0; i < g.count; i++) if (from[i] && !canReach[i]) return i;
  return -1;
}

/** Strongly connected components of the states where `keep` is 1 (iterative Tarjan). */
export function components(g: Graph, keep: Uint8Array): { id: Int32Array; count: number } {
  const n = g.count;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const id = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callState = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let sp = 0;
  let next = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (!keep[root] || index[root] !== -1) continue;
    let depth = 0;
    callState[0] = root;
    callEdge[0] = g.edgeStart.get(root);
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callState[depth]!;
      const end = g.edgeStart.get(v + 1);
      let e = callEdge[depth]!;
      let descended = false;
      for (; e < end; e++) {
        const w = g.edges.get(e);
        if (!keep[w]) continue;
        if (index[w] === -1) {
          callEdge[depth] = e + 1;
          depth++;
          callState[depth] = w;
          callEdge[depth] = g.edgeStart.get(w);
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        }
        if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          id[w] = count;
        } while (w !== v);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const parent = callState[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { id, count };
}

export interface Lasso {
  /** States from the initial state to the violating `from` state (BFS stem excluded: see `from`). */
  from: number;
  /** Goal-free path from `from` to the cycle's first state (or the dead end), `from` included. */
  path: number[];
  /** Actions taken along `path` (one fewer than states). */
  pathActions: number[];
  /** The cycle: states from its first state back to it (first = last), or empty for a dead end. */
  cycle: number[];
  cycleActions: number[];
}

interface Fairness {
  scc: Int32Array;
  fair: Uint8Array;
  /** Per fair component: the actions enabled in all of its states. */
  required: Map<number, number[]>;
}

function enabledActions(g: Graph, s: number, seen: Int32Array, stamp: number, out: number[]): void {
  out.length = 0;
  for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
    const a = g.edgeAction!.get(e);
    if (seen[a] !== stamp) {
      seen[a] = stamp;
      out.push(a);
    }
  }
}

function fairComponents(g: Graph, keep: Uint8Array): Fairness {
  const { id: scc, count } = components(g, keep);
  const members: number[][] = Array.from({ length: count }, () => []);
  for (let s = 0; s < g.count; s++) if (scc[s]! >= 0) members[scc[s]!]!.push(s);
  const fair = new Uint8Array(count);
  const required = new Map<number, number[]>();
  const enabledCount = new Int32Array(g.actionCount);
  const internal = new Uint8Array(g.actionCount);
  const seen = new Int32Array(g.actionCount);
  let stamp = 0;
  const actions: number[] = [];
  for (let c = 0; c < count; c++) {
    const states = members[c]!;
    let nontrivial = states.length > 1;
    const touched: number[] = [];
    for (const s of states) {
      enabledActions(g, s, seen, ++stamp, actions);
      for (const a of actions) {
        if (enabledCount[a] === 0) touched.push(a);
        enabledCount[a]!++;
      }
      for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
        const t = g.edges.get(e);
        if (scc[t] !== c) continue;
        internal[g.edgeAction!.get(e)] = 1;
        if (t === s) nontrivial = true;
      }
    }
    const always = touched.filter((a) => enabledCount[a] === states.length && (!g.fair || g.fair[a] === 1));
    if (nontrivial && always.every((a) => internal[a] === 1)) {
      fair[c] = 1;
      required.set(c, always);
    }
    for (const a of touched) {
      enabledCount[a] = 0;
      internal[a] = 0;
    }
  }
  return { scc, fair, required };
}

/** Shortest path (BFS) from `start` to a state satisfying `isEnd`, through states `inside` allows. */
function bfsPath(
  g: Graph,
  start: number,
  inside: (s: number) => boolean,
  isEnd: (s: number) => boolean,
): { states: number[]; actions: number[] } | null {
  const parent = new Map<number, [number, number]>([[start, [-1, -1]]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    if (isEnd(s)) {
      const states = [s];
      const actions: number[] = [];
      for (let cur = s; parent.get(cur)![0] >= 0; cur = parent.get(cur)![0]) {
        states.push(parent.get(cur)![0]);
        actions.push(parent.get(cur)![1]);
      }
      return { states: states.reverse(), actions: actions.reverse() };
    }
    for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
      const t = g.edges.get(e);
      if (parent.has(t) || !inside(t)) continue;
      parent.set(t, [s, g.edgeAction!.get(e)]);
      queue.push(t);
    }
  }
  return null;
}

/** A fair cycle in component `c` from and back to `entry`. */
function fairCycle(g: Graph, f: Fairness, c: number, entry: number): { states: number[]; actions: number[] } {
  const inC = (s: number) => f.scc[s] === c;
  // Waypoints: actions to take (≥ 0) or states to visit (as -state - 1), in order.
  const waypoints: number[] = [...f.required.get(c)!];
  const seen = new Int32Array(g.actionCount);
  let stamp = 0;
  const scratch: number[] = [];
  for (let round = 0; round <= g.actionCount + 1; round++) {
    const states = [entry];
    const actions: number[] = [];
    let cur = entry;
    const append = (p: { states: number[]; actions: number[] }) => {
      states.push(...p.states.slice(1));
      actions.push(...p.actions);
      cur = p.states.at(-1)!;
    };
    for (const w of waypoints) {
      if (w < 0) {
        append(bfsPath(g, cur, inC, (s) => s === -w - 1)!);
        continue;
      }
      const hasEdge = (s: number) => {
        for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
          if (g.edgeAction!.get(e) === w && inC(g.edges.get(e))) return true;
        }
        return false;
      };
      append(bfsPath(g, cur, inC, hasEdge)!);
      for (let e = g.edgeStart.get(cur); e < g.edgeStart.get(cur + 1); e++) {
        if (g.edgeAction!.get(e) === w && inC(g.edges.get(e))) {
          append({ states: [cur, g.edges.get(e)], actions: [w] });
          break;
        }
      }
    }
    if (actions.length === 0) {
      // Take any inner edge, so the cycle has at least one step.
      for (let e = g.edgeStart.get(cur); e < g.edgeStart.get(cur + 1); e++) {
        if (inC(g.edges.get(e))) {
          append({ states: [cur, g.edges.get(e)], actions: [g.edgeAction!.get(e)] });
          break;
        }
      }
    }
    if (cur !== entry) append(bfsPath(g, cur, inC, (s) => s === entry)!);
    // Actions enabled in every state of this cycle must be taken on it.
    const counts = new Map<number, number>();
    for (const s of states.slice(1)) {
      enabledActions(g, s, seen, ++stamp, scratch);
      for (const a of scratch) counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    const taken = new Set(actions);
    const missing = [...counts]
      .filter(([a, n]) => n === states.length - 1 && !taken.has(a) && (!g.fair || g.fair[a] === 1))
      .map(([a]) => a);
    if (missing.length === 0) return { states, actions };
    const a = missing[0]!;
    const members = [...f.scc.keys()].filter((s) => f.scc[s] === c);
    const withEdge = members.some((s) => {
      for (let e = g.edgeStart.get(s); e < g.edgeStart.get(s + 1); e++) {
        if (g.edgeAction!.get(e) === a && inC(g.edges.get(e))) return true;
      }
      return false;
    });
    if (withEdge) waypoints.push(a);
    else {
      const disabled = members.find((s) => {
        enabledActions(g, s, seen, ++stamp, scratch);
        return !scratch.includes(a);
      });
      assert(disabled !== undefined, 'a fair component disables every action it cannot take');
      waypoints.push(-disabled - 1);
    }
  }
  throw new Error('fair cycle construction did not converge');
}

/**
 * `from ~> goal` under weak fairness. Returns null when it holds, else a lasso from the shallowest
 * violating `from` state (states are numbered in BFS order, so the lowest index is shallowest).
 */
export function checkEventually(g: Graph, from: Uint8Array, goal: Uint8Array): Lasso | null {
  assert(g.edgeAction !== undefined, 'eventually needs edge actions');
  const free = new Uint8Array(g.count);
  for (let s = 0; s < g.count; s++) free[s] = goal[s] ? 0 : 1;
  const f = fairComponents(g, free);
  const seeds = new Uint8Array(g.count);
  for (let s = 0; s < g.count; s++) {
    if (!free[s]) continue;
    const deadEnd = g.edgeStart.get(s) === g.edgeStart.get(s + 1);
    if (deadEnd || f.fair[f.scc[s]!]) seeds[s] = 1;
  }
  const bad = backwardClosure(g, seeds, free);
  let start = -1;
  for (let s = 0; s < g.count && start < 0; s++) if (from[s] && bad[s]) start = s;
  if (start < 0) return null;
  const toSeed = bfsPath(
    g,
    start,
    (s) => bad[s] === 1,
    (s) => seeds[s] === 1,
  )!;
  const end = toSeed.states.at(-1)!;
  if (g.edgeStart.get(end) === g.edgeStart.get(end + 1)) {
    return { from: start, path: toSeed.states, pathActions: toSeed.actions, cycle: [], cycleActions: [] };
  }
  const cycle = fairCycle(g, f, f.scc[end]!, end);
  return {
    from: start,
    path: toSeed.states,
    pathActions: toSeed.actions,
    cycle: cycle.states,
    cycleActions: cycle.actions,
  };
}
