// A conformance path whose run broke an invariant is a counterexample like a fuzzed one: its
// schedule is minimised to a 1-minimal one (the same local minimisation the fuzz campaign uses),
// written as a trace file that `ftcheck replay` reproduces, under counterexamples/conformance/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INVARIANT_PROPERTIES, judgeRun } from '../../../properties/invariant-properties.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { minimiseScheduleAsync } from '../../check/fuzz/minimise.ts';
import { runSpecChecked } from '../../check/fuzz/run-checked.ts';
import { faultCount, type RunSpec } from '../../check/fuzz/run-spec.ts';
import type { StopReason } from '../../check/gate/stop-flag.ts';
import { type ExpectedViolation, type TraceFile, writeTraceFileAtomic } from '../../check/trace-file.ts';

export const CONFORMANCE_COUNTEREXAMPLES_DIR = 'conformance';

/** The run's failure of `invariant` as the fuzz judge words it, or null. */
function judgeOne(spec: RunSpec, bug: string | null, invariant: InvariantId): ExpectedViolation | null {
  const properties = INVARIANT_PROPERTIES.filter((p) => p.id === invariant);
  return judgeRun(runSpecChecked(spec, bug, [invariant]), properties);
}

/** File name of a path's counterexample: its index and what it covers, as a safe slug. */
function fileName(index: number, covers: string): string {
  const slug = covers
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `path${String(index).padStart(2, '0')}-${slug}.json`;
}

/**
 * Minimises and writes the counterexample; null when the violation does not reproduce through the
 * fuzz judge (it always should: the same monitors judge both).
 */
export async function conformanceCounterexample(
  reportsDir: string,
  index: number,
  covers: string,
  spec: RunSpec,
  bug: string | null,
  invariant: InvariantId,
  stop: () => StopReason | null,
): Promise<{ path: string; violation: ExpectedViolation } | null> {
  const found = judgeOne(spec, bug, invariant);
  if (found === null) return null;
  const keeps = (candidate: RunSpec) => judgeOne(candidate, bug, invariant);
  const minimised = await minimiseScheduleAsync({ spec, keeps, stop });
  const violation = minimised.last ?? found;
  const file: TraceFile = {
    format: 'ftcheck-counterexample',
    version: 1,
    bug,
    run: minimised.spec,
    fastCheck: { seed: 0, path: '' },
    expected: violation,
    search: {
      runsToFailure: index + 1,
      shrinks: 0,
      localSteps: minimised.steps,
      faultsFound: faultCount(spec),
      faultsShrunk: faultCount(minimised.spec),
      minimal: minimised.minimal,
    },
  };
  const dir = join(reportsDir, 'counterexamples', CONFORMANCE_COUNTEREXAMPLES_DIR);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, fileName(index, covers));
  writeTraceFileAtomic(path, file);
  return { path, violation };
}
