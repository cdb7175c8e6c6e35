// The one bug catalog: every seeded bug ftcheck knows, at every level. Each must be caught by
// some checker (DESIGN.md: "every checker must be shown able to fail").

import { MODEL_BUGS } from '../../../models/bugs.ts';
import type { SeededBug } from '../../base/invariants.ts';
import { CLUSTER_BUGS } from '../../cluster/cluster-bugs.ts';
import { DATA_PLANE_BUGS } from '../../lockstep/bugs.ts';

/** Protocol-model bugs, caught by the exhaustive explorer (`ftcheck explore --bug NAME`). */
const modelBugs: readonly SeededBug[] = MODEL_BUGS.map(({ name, level, breaks, description }) => ({
  name,
  level,
  breaks,
  description,
}));

/**
 * Every level: protocol-model bugs (explorer), data-plane bugs (src/lockstep/bugs.ts: lockstep
 * checks and the fuzzer) and cluster bugs (src/cluster/cluster-bugs.ts: the fuzzer).
 */
export const BUG_CATALOG: readonly SeededBug[] = [...modelBugs, ...DATA_PLANE_BUGS, ...CLUSTER_BUGS];

export function findBug(name: string): SeededBug | undefined {
  return BUG_CATALOG.find((bug) => bug.name === name);
}
