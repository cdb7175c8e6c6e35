// Every catalogued bug's counterexample is 1-minimal: removing any single fault, or moving any one
// fault a millisecond earlier, loses the violation (the same invariant, still the bug's doing). A
// neighbour runs for the length the search space gives its schedule, as every generated run does.
// Checked here independently of the campaign's own fixed-point proof, on every fuzzable bug, at a
// pinned seed where the search finds it in a few schedules. fast-check's shrinking is skipped
// (shrinkRuns 0): local minimisation alone must reach the fixed point.
import { describe, expect, it } from 'vitest';
import { findModelBug } from '../models/bugs.ts';
import { runLengthOf } from '../properties/arbitraries/run-spec.ts';
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import type { InvariantId } from '../src/base/invariants.ts';
import { bugRunOptions, fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';
import { faultTimeMs } from '../src/check/fuzz/minimise.ts';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import { type RunSpec, runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';

/** Campaign seed and schedules per bug: found within them (pinned; the search is deterministic). */
const CASES: Record<string, { seed: number; runs: number }> = {
  'go-live-without-test-and-set': { seed: 1, runs: 5 },
  'output-before-ack': { seed: 7, runs: 5 },
  'go-live-without-replay': { seed: 1, runs: 5 },
  'skip-pending-io-reissue': { seed: 1, runs: 5 },
  'respawn-on-primary-host': { seed: 1, runs: 5 },
  'stale-primary-resumes': { seed: 2, runs: 5 },
  'continue-alone-without-test-and-set': { seed: 1, runs: 5 },
  'interrupt-late': { seed: 2, runs: 5 },
  'dma-misplaced': { seed: 1, runs: 5 },
  'time-unlogged': { seed: 1, runs: 5 },
  'output-not-suppressed': { seed: 1, runs: 5 },
  'output-released-before-ack': { seed: 7, runs: 5 },
  'log-entry-dropped': { seed: 1, runs: 5 },
  'log-entries-reordered': { seed: 1, runs: 5 },
  'ha-same-rack': { seed: 3, runs: 5 },
  'pending-disk-write-not-reissued': { seed: 1, runs: 5 },
  'client-address-not-moved': { seed: 1, runs: 5 },
  'heartbeat-timeout-below-replay-without-test-and-set': { seed: 2, runs: 5 },
  'storage-lost-on-one-hba': { seed: 4, runs: 5 },
  'primary-ignores-silent-secondary': { seed: 2, runs: 5 },
  'disk-retry-without-backoff': { seed: 1, runs: 80 },
  'keepalive-not-acked': { seed: 3, runs: 10 },
  'heartbeat-dated-at-send': { seed: 2, runs: 5 },
};

function violates(spec: RunSpec, bug: string | null, invariant: InvariantId): boolean {
  return runFt(runOptionsOf(spec, bug, 'events', [invariant])).violations.some(
    (v) => v.invariant === invariant,
  );
}

/** What "keeps the violation" means for a campaign with a bug: it breaks it, the system without does not. */
const keeps = (spec: RunSpec, bug: string, invariant: InvariantId) =>
  violates(spec, bug, invariant) && !violates(spec, null, invariant);

const runLengthUs = runLengthOf()!;

function withFaults(spec: RunSpec, faults: Record<string, unknown>[]): RunSpec {
  const neighbour = { ...spec, schedule: { ...spec.schedule, faults } };
  return { ...neighbour, durationUs: runLengthUs(neighbour) };
}

/** Bugs the fuzzer injects into the cluster: not those of the model checker's abstract environment. */
function injected(name: string): boolean {
  const { options, config } = bugRunOptions(name);
  return Object.keys(options).length + Object.keys(config).length > 0;
}
const FUZZED = fuzzableBugs().filter((bug) => injected(bug.name));

describe('every catalogued bug has a 1-minimal counterexample', () => {
  it('pins a case for every bug the fuzzer injects; the rest are model-environment bugs', () => {
    expect(Object.keys(CASES).sort()).toEqual(FUZZED.map((bug) => bug.name).sort());
    for (const bug of fuzzableBugs().filter((b) => !injected(b.name))) {
      expect(findModelBug(bug.name)?.environment, bug.name).toBeDefined();
    }
  });

  for (const bug of FUZZED) {
    it(bug.name, async () => {
      const { seed, runs } = CASES[bug.name]!;
      const result = await fuzzCampaign({
        seed,
        bug: bug.name,
        runs,
        invariants: bug.breaks,
        shrinkRuns: 0,
        outDir: null,
      });
      expect(result.found).toBe(true);
      if (!result.found) return;
      expect(result.minimal).toBe(true);
      expect(bug.breaks).toContain(result.violation.invariant);
      const { run: spec, expected } = result.traceFile;
      const faults = spec.schedule.faults;
      expect(spec.durationUs).toBe(runLengthUs(spec));
      expect(keeps(spec, bug.name, expected.invariant)).toBe(true);
      faults.forEach((fault, i) => {
        const without = withFaults(
          spec,
          faults.filter((_, j) => j !== i),
        );
        expect(keeps(without, bug.name, expected.invariant), `without fault ${i}`).toBe(false);
        const ms = faultTimeMs(fault);
        if (ms === 0) return;
        const earlier = withFaults(
          spec,
          faults.map((f, j) => (j === i ? { ...f, at: `${ms - 1}ms` } : f)),
        );
        expect(keeps(earlier, bug.name, expected.invariant), `fault ${i} at ${ms - 1}ms`).toBe(false);
      });
      expect(replayTraceFile(result.traceFile).reproduced).toBe(true);
      // Minimisation runs until its fixed point, whatever that takes: a count, not a clock.
    }, 600_000);
  }
});
