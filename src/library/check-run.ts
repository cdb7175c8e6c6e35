// `checkRun` / `assertRunHolds`: one fault-tolerant run on the simulated cluster, judged against
// every invariant — the building block of a user's own fast-check property over `runSpecArb()`.
import { INVARIANT_PROPERTIES, judgeRun } from '../../properties/invariant-properties.ts';
import { type RunSpec, runOptionsOf } from '../check/fuzz/run-spec.ts';
import { runFt } from '../check/monitors/ft-run.ts';
import type { ExpectedViolation } from '../check/trace-file.ts';

export interface CheckRunOptions {
  /** A seeded bug to switch on (names from `ftcheck bugs`); default none. */
  bug?: string | null;
}

/** Runs the spec and returns its first invariant violation, or null when every invariant holds. */
export function checkRun(spec: RunSpec, options: CheckRunOptions = {}): ExpectedViolation | null {
  return judgeRun(runFt(runOptionsOf(spec, options.bug ?? null)), INVARIANT_PROPERTIES);
}

export class RunCheckFailure extends Error {
  override name = 'RunCheckFailure';
  constructor(
    message: string,
    readonly violation: ExpectedViolation,
    readonly spec: RunSpec,
  ) {
    super(message);
  }
}

/** Throws a RunCheckFailure naming the invariant, the simulated time and the host when one breaks. */
export function assertRunHolds(spec: RunSpec, options: CheckRunOptions = {}): void {
  const violation = checkRun(spec, options);
  if (violation === null) return;
  const where = violation.host ? ` on ${violation.host}` : '';
  throw new RunCheckFailure(
    `${violation.invariant} violated at ${violation.atMicros} µs${where}: ${violation.message}`,
    violation,
    spec,
  );
}
