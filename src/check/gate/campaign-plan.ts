// The default gate campaign (`npm start`, `ftcheck` with no command), in one place. Every count
// that decides the verdict is here; nothing the gate decides depends on wall-clock time, so the
// same tree gives the same verdict and the same reports on a quiet laptop and a loaded CI runner.
// The README's gate section states these figures: change both together.
import { FAST_CHECK_SHRINK_RUNS_MAX } from '../fuzz/campaign.ts';
import type { GateCampaign } from '../results.ts';

/** Fuzz stage: this many seeds (chunks k = 0…n−1, seed `--seed + k` unsharded)… */
export const GATE_FUZZ_SEEDS = 12;
/** …each a fast-check campaign of this many generated schedules (each goes on 3.2 s or more after its last fault). */
export const GATE_FUZZ_RUNS_PER_SEED = 100;
/**
 * Bug self-test: every fuzzed seeded bug gets this many schedules, at a fixed seed (not `--seed`:
 * the self-test checks the checkers, whatever campaign the user asked for). The slowest bug needs
 * far fewer (see the README); the margin keeps a change of the generators from turning a bug that
 * is still caught into an escape.
 */
export const GATE_BUG_RUNS = 300;
export const GATE_BUG_SEED = 1;
/**
 * fast-check shrinking of each counterexample, in candidate runs; local minimisation to a
 * 1-minimal schedule follows whatever this is (src/check/fuzz/minimise.ts).
 */
export const GATE_SHRINK_RUNS = FAST_CHECK_SHRINK_RUNS_MAX;

export const GATE_CAMPAIGN_DEFAULT: GateCampaign = {
  fuzzSeeds: GATE_FUZZ_SEEDS,
  fuzzRuns: GATE_FUZZ_RUNS_PER_SEED,
  bugRuns: GATE_BUG_RUNS,
  bugSeed: GATE_BUG_SEED,
  shrinkRuns: GATE_SHRINK_RUNS,
};
