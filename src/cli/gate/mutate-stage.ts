// The gate's mutation stage: a small fixed sample of model mutants — one per kind of kill the
// explorer makes (I2, I3, I4, a deadlock), one only the fuzz campaign kills, one for the HA
// service and one equivalent mutant — through the same detectors as `ftcheck mutate`. Counts
// decide (2-host model, a few fuzz runs), so it is cheap and its result never depends on time.
// `npm run mutate` runs the full set; `--min-score` makes the gate fail below a threshold.
import { join, relative } from 'node:path';
import { fuzzCampaign } from '../../../properties/fuzz-campaign.ts';
import type { GateStage } from '../../check/gate/gate.ts';
import { findModelMutant, type ModelMutant } from '../../check/mutate/model-mutants.ts';
import { runModelMutants } from '../../check/mutate/model-runner.ts';
import { scoreText } from '../../check/mutate/outcome.ts';
import { levelReport, MUTATION_REPORT_VERSION, modelEntry } from '../../check/mutate/report.ts';

export const GATE_MUTANTS = [
  'agent~negate-guard~primary.engaged~OUTPUT_READY.0',
  'agent~drop-guard~failed~REPAIR.0',
  'agent~drop-guard~secondary.goingLive.acquiringLock~LOCK_GRANTED.0',
  'agent~drop-action~idle~SPAWN_SECONDARY.0~requestSnapshot',
  'agent~drop-action~primary.engaged~HEARTBEAT_DUE.0~sendHeartbeat',
  'ha~negate-guard~selecting~CANDIDATE.0',
  'agent~drop-guard~primary.engaged~PEER_SILENT.0',
] as const;
const GATE_MUTANT_HOSTS = 2;
const GATE_MUTANT_RUNS = 20;

export const mutateStage: GateStage = {
  name: 'mutate',
  async run(context) {
    const { options } = context;
    const mutants = GATE_MUTANTS.map((id) => findModelMutant(id)).filter(
      (m): m is ModelMutant => m !== undefined,
    );
    const outDir = join(options.reportsDir, 'counterexamples', 'mutants');
    const results = runModelMutants(mutants, {
      hosts: GATE_MUTANT_HOSTS,
      seed: options.seed,
      runs: GATE_MUTANT_RUNS,
      fuzz: ({ bug, seed, runs }) => fuzzCampaign({ bug, seed, runs, outDir, shrinkBudgetMs: 0 }),
      replayCommand: (tracePath) => `npx ftcheck replay ${relative(options.reportsDir, tracePath)}`,
    });
    const model = levelReport(results.map(modelEntry), {
      mutants: `${mutants.length} fixed (of ${GATE_MUTANTS.length} listed; npm run mutate runs all)`,
      hosts: GATE_MUTANT_HOSTS,
      'fuzz runs': GATE_MUTANT_RUNS,
      seed: options.seed,
    });
    context.results.mutation = { version: MUTATION_REPORT_VERSION, model };
    options.log(`mutate: ${scoreText(model.score)}`);
    return 'complete';
  },
};
