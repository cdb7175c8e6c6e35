// The one bug catalog: every seeded bug ftcheck knows, at every level. Each must be caught by
// some checker (DESIGN.md: "every checker must be shown able to fail").

import { MODEL_BUGS } from '../../../models/bugs.ts';
import type { SeededBug } from '../../base/invariants.ts';

/** Protocol-model bugs, caught by the exhaustive explorer (`ftcheck explore --bug NAME`). */
const modelBugs: readonly SeededBug[] = MODEL_BUGS.map(({ name, level, breaks, description }) => ({
  name,
  level,
  breaks,
  description,
}));

// Data-plane bugs (src/lockstep/bugs.ts) and cluster bugs join here as their checkers land:
// add `...DATA_PLANE_BUGS` etc. to the array below.
export const BUG_CATALOG: readonly SeededBug[] = [...modelBugs];

export function findBug(name: string): SeededBug | undefined {
  return BUG_CATALOG.find((bug) => bug.name === name);
}
