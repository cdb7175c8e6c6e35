// Running a generated (or replayed) run spec so that nothing the system under test throws can
// crash the campaign: the generator only makes valid specs, so an exception while the spec is
// turned into a run — a configuration or schedule the system's own validation now refuses, a host
// that will not build — is an I0 finding like any other. Only ftcheck's own faults (CheckerError)
// get through.
import type { InvariantId } from '../../base/invariants.ts';
import { CheckerError } from '../monitors/checker-error.ts';
import { type FtRunResult, runFt, setupFailure } from '../monitors/ft-run.ts';
import { type RunSpec, runOptionsOf } from './run-spec.ts';

/**
 * The run of `spec` (with `bug`), ending at the first violation of any invariant or of `stopOn`,
 * or at `stopAtUs` of simulated time when given.
 */
export function runSpecChecked(
  spec: RunSpec,
  bug: string | null,
  stopOn: readonly InvariantId[] | 'any' = 'any',
  stopAtUs?: number,
): FtRunResult {
  try {
    const options = runOptionsOf(spec, bug, 'events', stopOn);
    return runFt(stopAtUs === undefined ? options : { ...options, stopAtUs });
  } catch (error) {
    if (error instanceof CheckerError) throw error;
    return setupFailure({ seed: spec.seed, guest: spec.guest, config: spec.config }, error);
  }
}
