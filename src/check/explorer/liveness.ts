// Liveness on the explored graph ("from every reachable `from` state a `goal` state is
// reachable"): a backward breadth-first search from all goal states over reversed edges marks
// every state that can reach a goal; the first (so shallowest) unmarked `from` state is the witness.
import type { Engine } from './engine.ts';
import type { GrowableInt32 } from './growable.ts';
import type { ReachabilityProperty } from './types.ts';

/** Returns the index of a `from` state that cannot reach any goal, or -1 when the property holds. */
export function checkReachability<C>(
  engine: Engine<C>,
  edgeStart: GrowableInt32,
  edges: GrowableInt32,
  property: ReachabilityProperty<C>,
): number {
  const count = engine.count();
  // Reverse adjacency in CSR form.
  const inDegree = new Int32Array(count + 1);
  for (let e = 0; e < edges.length; e++) inDegree[edges.get(e) + 1]!++;
  for (let i = 0; i < count; i++) inDegree[i + 1]! += inDegree[i]!;
  const reverse = new Int32Array(edges.length);
  const fill = inDegree.slice(0, count);
  for (let source = 0; source < count; source++) {
    for (let e = edgeStart.get(source); e < edgeStart.get(source + 1); e++) {
      const target = edges.get(e);
      reverse[fill[target]!++] = source;
    }
  }
  const canReach = new Uint8Array(count);
  const queue = new Int32Array(count);
  let tail = 0;
  const from = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const state = engine.state(i);
    if (property.from(state)) from[i] = 1;
    if (property.goal(state)) {
      canReach[i] = 1;
      queue[tail++] = i;
    }
  }
  for (let head = 0; head < tail; head++) {
    const target = queue[head]!;
    for (let r = inDegree[target]!; r < inDegree[target + 1]!; r++) {
      const source = reverse[r]!;
      if (canReach[source]) continue;
      canReach[source] = 1;
      queue[tail++] = source;
    }
  }
  for (let i = 0; i < count; i++) if (from[i] && !canReach[i]) return i;
  return -1;
}
