// Component checks: fast-check properties of the data plane's parts on their own, under inputs the
// cluster never produces (a transport more hostile than the simulated networks, stream cuts in
// every place). A part that is correct only because of how today's cluster happens to drive it is
// a latent bug: `ftcheck fuzz` and the gate run these before the cluster campaign, with the
// campaign's seed and a fixed number of runs, and a failure is a finding like any other — shrunk
// by fast-check, saved as a counterexample file that `ftcheck replay` re-runs exactly (seed and
// fast-check path).
import fc from 'fast-check';
import { AssertionError } from '../../src/base/assert.ts';
import type { InvariantId } from '../../src/base/invariants.ts';

export interface ComponentCheck {
  /** Short name, used in file names and reports. */
  name: string;
  /** The part checked (source file and classes). */
  component: string;
  /** What the cluster's invariant rests on this part for. */
  invariant: InvariantId;
  /** What must hold, in a sentence. */
  claim: string;
  /** The property: throws (or fails an assertion inside the part) when the claim does not hold. */
  property: () => fc.IProperty<never[]> | fc.IProperty<unknown[]>;
}

export interface ComponentFinding {
  check: string;
  component: string;
  /** I0 when an assertion inside the part failed, else the check's invariant. */
  invariant: InvariantId;
  message: string;
  seed: number;
  /** fast-check's path to the shrunk counterexample (with the seed, it replays exactly). */
  path: string;
  /** The shrunk input, as fast-check prints it. */
  counterexample: string;
  runsToFailure: number;
  shrinks: number;
}

export interface ComponentChecksResult {
  /** Property runs made (every check's, up to the first failure). */
  runs: number;
  /** Checks that ran all their runs without a failure. */
  passed: string[];
  finding: ComponentFinding | null;
}

/** Runs of each check per campaign: a second or two in all. */
export const COMPONENT_RUNS_DEFAULT = 200;

function findingOf(check: ComponentCheck, details: fc.RunDetails<unknown[]>, seed: number): ComponentFinding {
  const error = details.errorInstance;
  const assertion = error instanceof AssertionError;
  const text = error instanceof Error ? error.message : String(error);
  return {
    check: check.name,
    component: check.component,
    invariant: assertion ? 'I0' : check.invariant,
    message: assertion
      ? `an assertion failed inside ${check.component}: ${text} (component check ${check.name}: ${check.claim})`
      : `${check.component}: ${text} (component check ${check.name}: ${check.claim})`,
    seed,
    path: details.counterexamplePath ?? '',
    counterexample: fc.stringify(details.counterexample),
    runsToFailure: details.numRuns,
    shrinks: details.numShrinks,
  };
}

/**
 * Every check in order, `runs` runs each with `seed`, until the first failure (shrunk). Stops
 * between checks when `stopped()` says so (the result then lists only the checks that ran).
 */
export function runComponentChecks(
  checks: readonly ComponentCheck[],
  seed: number,
  runs: number = COMPONENT_RUNS_DEFAULT,
  stopped: () => boolean = () => false,
): ComponentChecksResult {
  let total = 0;
  const passed: string[] = [];
  for (const check of checks) {
    if (stopped()) break;
    const details = fc.check(check.property() as fc.IProperty<unknown[]>, { seed, numRuns: runs });
    total += details.numRuns;
    if (!details.failed) {
      passed.push(check.name);
      continue;
    }
    return { runs: total, passed, finding: findingOf(check, details, seed) };
  }
  return { runs: total, passed, finding: null };
}

/** Re-runs the shrunk counterexample of a finding: the failure now, or null when it holds. */
export function replayComponentFinding(
  check: ComponentCheck,
  finding: Pick<ComponentFinding, 'seed' | 'path'>,
): ComponentFinding | null {
  const details = fc.check(check.property() as fc.IProperty<unknown[]>, {
    seed: finding.seed,
    path: finding.path,
    numRuns: 1,
    endOnFailure: true,
  });
  return details.failed ? findingOf(check, details, finding.seed) : null;
}
