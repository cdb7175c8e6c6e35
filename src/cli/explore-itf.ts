// Writing a model counterexample as an ITF file beside the others (`ftcheck explore`, its swarm,
// and `ftcheck merge` of swarm shards): `<out>/explore-<label>-<property>.itf.json`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterContext } from '../../models/clusterState.ts';
import type { Violation } from '../check/explorer/explore.ts';
import { type ItfOptions, toItf } from '../check/explorer/itf.ts';
import { thrownLine } from '../check/explorer/thrown.ts';
import type { TraceStep } from '../check/explorer/trace.ts';

export function writeItf(
  outDir: string,
  model: string,
  violation: Violation,
  label: string,
  vars: ItfOptions<ClusterContext>['vars'],
): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `explore-${label}-${violation.property}.itf.json`);
  const trace = violation.trace as readonly TraceStep<ClusterContext>[];
  // A step that threw has no state after it: the ITF ends before it and its description names it.
  const what = violation.thrown ? `then ${thrownLine(violation.thrown)}` : violation.description;
  const itf = toItf(trace, model, `${violation.property}: ${what}`, { vars });
  writeFileSync(path, `${JSON.stringify(itf, null, 2)}\n`);
  return path;
}
