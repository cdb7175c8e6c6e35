// `ftcheck fuzz [--budget 60s | --runs N] [--seed S] [--bug NAME] [--json]`: a fault-fuzzing
// campaign on the simulated cluster. Exit 0 when nothing was found, 1 with the path of the
// counterexample trace file (shrunk, replayable with `ftcheck replay`), 2 on bad input.
import { fuzzCampaign } from '../../../properties/fuzz-campaign.ts';
import { parseDurationMicros } from '../../base/duration.ts';
import { type ModelCoverage, ModelCoverageTracker } from '../../check/conformance/model-coverage.ts';
import { bugRunOptions, UnknownBugError } from '../../check/fuzz/bug-injection.ts';
import type { CampaignResult } from '../../check/fuzz/campaign.ts';
import { COUNTEREXAMPLES_DIR } from '../../check/trace-file.ts';
import { parseBudgetFlag, RANGES } from '../config.ts';
import {
  type CliIo,
  checkOutputDir,
  EXIT_VIOLATION,
  parseIntInRange,
  parsePositiveInt,
  UsageError,
} from '../context.ts';
import { createProgress } from '../progress.ts';
import type { CommandRegistrar } from './index.ts';

interface FuzzFlags {
  budget?: string;
  runs?: string;
  seed: string;
  bug?: string;
  out: string;
  shrinkBudget?: string;
  json?: boolean;
}

export const FUZZ_BUDGET_DEFAULT = '60s';

export const registerFuzz: CommandRegistrar = (program, io, setExit) => {
  program
    .command('fuzz')
    .description('fuzz fault schedules on the simulated cluster; shrink and save any counterexample')
    .option(
      '--budget <duration>',
      `wall-clock search budget, e.g. 60s or 10m (default ${FUZZ_BUDGET_DEFAULT})`,
    )
    .option('--runs <n>', 'number of schedules to run instead of a time budget')
    .option('--seed <n>', 'fast-check seed of the campaign', '1')
    .option('--bug <name>', 'inject a seeded bug from the catalog')
    .option('--out <dir>', 'folder for counterexample trace files', COUNTEREXAMPLES_DIR)
    .option(
      '--shrink-budget <duration>',
      'wall-clock cap of shrinking a counterexample, 0 for none (default 60s)',
    )
    .option('--json', 'print one JSON object')
    .action((flags: FuzzFlags) => {
      const { result, coverage } = runFuzz(flags, io);
      report(result, coverage, flags, io);
      if (result.found) setExit(EXIT_VIOLATION);
    });
};

function runFuzz(flags: FuzzFlags, io: CliIo): { result: CampaignResult; coverage: ModelCoverage } {
  if (flags.budget !== undefined && flags.runs !== undefined) {
    throw new UsageError('give either --budget or --runs, not both');
  }
  const seed = parseIntInRange('--seed', flags.seed, RANGES.seed);
  const runs = flags.runs === undefined ? undefined : parsePositiveInt('--runs', flags.runs);
  const budgetMs =
    runs === undefined
      ? Math.floor(parseBudgetFlag('--budget', flags.budget ?? FUZZ_BUDGET_DEFAULT) / 1000)
      : undefined;
  checkOutputDir('--out', flags.out);
  const shrinkBudgetMs =
    flags.shrinkBudget === undefined ? undefined : parseShrinkBudgetMs(flags.shrinkBudget);
  const bug = flags.bug ?? null;
  if (bug !== null) {
    try {
      bugRunOptions(bug);
    } catch (error) {
      if (error instanceof UnknownBugError) throw new UsageError(`--bug: ${error.message}`);
      throw error;
    }
  }
  const progress = flags.json
    ? null
    : createProgress({
        label: 'fuzz',
        total: runs ?? Math.ceil((budgetMs ?? 0) / 1000),
        unit: runs === undefined ? 's' : 'schedules',
        ...(runs === undefined ? { countUnit: 'schedules' } : {}),
        tty: process.stderr.isTTY === true,
        write: (line) => io.err(line),
      });
  const started = performance.now();
  const tracker = new ModelCoverageTracker();
  const result = fuzzCampaign({
    seed,
    bug,
    runs,
    budgetMs,
    shrinkBudgetMs,
    outDir: flags.out,
    onResult: (_spec, run) => tracker.add(run.trace.entries),
    onRun: (done: number) =>
      progress?.update(
        runs === undefined ? Math.floor((performance.now() - started) / 1000) : done,
        '',
        done,
      ),
  });
  progress?.finish();
  return { result, coverage: tracker.coverage() };
}

function parseShrinkBudgetMs(text: string): number {
  if (text === '0') return 0;
  try {
    return Math.floor(parseDurationMicros(text, '--shrink-budget') / 1000);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function report(result: CampaignResult, coverage: ModelCoverage, flags: FuzzFlags, io: CliIo): void {
  const rate = Number(result.schedulesPerSecond.toFixed(2));
  const modelCoverage = {
    states: `${coverage.states.covered.length}/${coverage.states.total}`,
    transitions: `${coverage.transitions.covered.length}/${coverage.transitions.total}`,
  };
  if (flags.json) {
    io.out(
      JSON.stringify({
        counterexample: result.found ? result.tracePath : null,
        runs: result.runs,
        schedulesPerSecond: rate,
        invariant: result.found ? result.violation.invariant : null,
        bug: flags.bug ?? null,
        seed: Number(flags.seed),
        modelCoverage,
        ...(result.found
          ? {
              atMicros: result.violation.atMicros,
              host: result.violation.host ?? null,
              message: result.violation.message,
              timeToFirstFailureMs: Math.round(result.timeToFirstFailureMs),
              shrinks: result.shrinks,
              faults: result.traceFile.search.faultsShrunk,
            }
          : {}),
      }),
    );
    return;
  }
  const coverageLine = `  model coverage: ${modelCoverage.states} agent states, ${modelCoverage.transitions} transitions`;
  if (!result.found) {
    io.out(`fuzz: ${result.runs} schedules, no violation (${rate} schedules/s)`);
    io.out(coverageLine);
    return;
  }
  io.out(`fuzz: ${result.violation.message}`);
  io.out(
    `  found after ${result.runsToFailure} schedules; shrunk in ${result.shrinks} steps to ${result.traceFile.search.faultsShrunk} fault(s)`,
  );
  io.out(coverageLine);
  io.out(`  counterexample: ${result.tracePath}`);
  io.out(`  reproduce: ftcheck replay ${result.tracePath}`);
}
