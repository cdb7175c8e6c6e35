// `ftcheck fuzz [--runs N] [--budget 60s] [--seed S] [--bug NAME] [--workers N] [--json]`: a
// fault-fuzzing campaign of N schedules on the simulated cluster, on worker threads (one per CPU by
// default; the result is the same with any number). Exit 0 when nothing was found, 1 with the path
// of the counterexample trace file (shrunk to a 1-minimal schedule, replayable with `ftcheck
// replay`), 2 on bad input, 4 when the `--budget` ceiling stopped it before N schedules with
// nothing found, 130 on SIGINT/SIGTERM (a counterexample found so far is on disk: its path is
// printed; the trace file is written before shrinking starts).

import { COMPONENT_CHECKS } from '../../../properties/components/checks.ts';
import { type ComponentFinding, runComponentChecks } from '../../../properties/components/component-check.ts';
import { writeComponentFile } from '../../../properties/components/component-file.ts';
import { fuzzCampaignAsync } from '../../../properties/fuzz-campaign.ts';
import { parseDurationMicros } from '../../base/duration.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { type ModelCoverage, ModelCoverageTracker } from '../../check/conformance/model-coverage.ts';
import { bugRunOptions, fuzzableBugs, UnknownBugError } from '../../check/fuzz/bug-injection.ts';
import { type CampaignResult, FAST_CHECK_SHRINK_RUNS_MAX } from '../../check/fuzz/campaign.ts';
import { StopFlag } from '../../check/gate/stop-flag.ts';
import { COUNTEREXAMPLES_DIR } from '../../check/trace-file.ts';
import { defaultWorkers, parseBudgetFlag, RANGES } from '../config.ts';
import {
  type CliIo,
  checkOutputDir,
  EXIT_INCONCLUSIVE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_VIOLATION,
  parseIntInRange,
  parsePositiveInt,
  UsageError,
} from '../context.ts';
import { runStripedFuzz } from '../gate/fuzz-stripes.ts';
import { createProgress } from '../progress.ts';
import { onStopSignals } from '../stop-signals.ts';
import type { CommandRegistrar } from './index.ts';

interface FuzzFlags {
  budget?: string;
  runs?: string;
  seed: string;
  bug?: string;
  out: string;
  shrinkBudget?: string;
  shrinkRuns?: string;
  workers?: string;
  json?: boolean;
}

/** Schedules a campaign runs unless `--runs` says otherwise (about 40 s at 12 schedules/s). */
export const FUZZ_RUNS_DEFAULT = 500;

export const registerFuzz: CommandRegistrar = (program, io, setExit) => {
  program
    .command('fuzz')
    .description('fuzz fault schedules on the simulated cluster; shrink and save any counterexample')
    .option('--runs <n>', `schedules to run (default ${FUZZ_RUNS_DEFAULT})`)
    .option(
      '--budget <duration>',
      'wall-clock ceiling, e.g. 60s (default none): reaching it with nothing found exits 4, inconclusive',
    )
    .option('--seed <n>', 'fast-check seed of the campaign', '1')
    .option(
      '--bug <name>',
      'inject a seeded bug from the catalog and search for a violation of what it is declared to break',
    )
    .option('--out <dir>', 'folder for counterexample trace files', COUNTEREXAMPLES_DIR)
    .option(
      '--shrink-budget <duration>',
      'wall-clock ceiling of shrinking (default none): reaching it saves the counterexample as not minimal; 0 skips shrinking',
    )
    .option(
      '--shrink-runs <n>',
      `candidate runs of fast-check's shrinking (default ${FAST_CHECK_SHRINK_RUNS_MAX}; 0 skips it): local minimisation to a 1-minimal schedule follows either way`,
    )
    .option(
      '--workers <n>',
      'worker threads of the search (default: one per CPU, at most 8); the result does not depend on it',
    )
    .option('--json', 'print one JSON object')
    .action(async (flags: FuzzFlags) => {
      // The data plane's parts on their own first (a second or two): a part that breaks under
      // inputs the cluster never gives it is a finding before any schedule runs. A seeded bug's
      // search is about the cluster: it skips them.
      if (flags.bug === undefined) {
        const seed = parseIntInRange('--seed', flags.seed, RANGES.seed);
        checkOutputDir('--out', flags.out);
        const components = runComponentChecks(COMPONENT_CHECKS, seed);
        if (components.finding !== null) {
          const path = writeComponentFile(flags.out, components.finding);
          reportComponent(components.finding, path, flags, io);
          setExit(EXIT_VIOLATION);
          return;
        }
      }
      const { result, coverage } = await runFuzz(flags, io);
      report(result, coverage, flags, io);
      setExit(exitCodeOf(result));
    });
};

function exitCodeOf(result: CampaignResult): number {
  if (result.stopped === 'interrupted') return EXIT_INTERRUPTED;
  if (result.found) return EXIT_VIOLATION;
  return result.stopped === 'ceiling' ? EXIT_INCONCLUSIVE : EXIT_OK;
}

/** The invariants the named bug is declared to break (what its search counts as a find). */
function declaredInvariants(bug: string): InvariantId[] | undefined {
  try {
    bugRunOptions(bug);
  } catch (error) {
    if (error instanceof UnknownBugError) throw new UsageError(`--bug: ${error.message}`);
    throw error;
  }
  // A model mutant's id (`ftcheck mutate`) is injected like a bug but declares nothing: any invariant.
  return fuzzableBugs().find((known) => known.name === bug)?.breaks;
}

async function runFuzz(
  flags: FuzzFlags,
  io: CliIo,
): Promise<{ result: CampaignResult; coverage: ModelCoverage }> {
  const seed = parseIntInRange('--seed', flags.seed, RANGES.seed);
  const runs = flags.runs === undefined ? FUZZ_RUNS_DEFAULT : parsePositiveInt('--runs', flags.runs);
  const budgetMs =
    flags.budget === undefined ? undefined : Math.floor(parseBudgetFlag('--budget', flags.budget) / 1000);
  checkOutputDir('--out', flags.out);
  const shrinkBudgetMs =
    flags.shrinkBudget === undefined ? undefined : parseShrinkBudgetMs(flags.shrinkBudget);
  const shrinkRuns =
    flags.shrinkRuns === undefined
      ? undefined
      : parseIntInRange('--shrink-runs', flags.shrinkRuns, { min: 0, max: 1_000_000 });
  const workers =
    flags.workers === undefined
      ? defaultWorkers()
      : parseIntInRange('--workers', flags.workers, RANGES.workers);
  const bug = flags.bug ?? null;
  const invariants = bug === null ? undefined : declaredInvariants(bug);
  const tracker = new ModelCoverageTracker();
  // Handlers first: from here on a signal stops the campaign cleanly instead of killing it.
  const stop = new StopFlag();
  const stopSignals = onStopSignals((signal) => {
    io.err(`ftcheck fuzz: ${signal} — stopping after the current schedule (send it again to quit at once)`);
    stop.request('interrupted');
  });
  const progress = flags.json
    ? null
    : createProgress({
        label: 'fuzz',
        total: runs,
        unit: 'schedules',
        tty: process.stderr.isTTY === true,
        write: (line) => io.err(line),
      });
  const campaign = {
    seed,
    bug,
    runs,
    ...(budgetMs === undefined ? {} : { budgetMs }),
    ...(shrinkBudgetMs === undefined ? {} : { shrinkBudgetMs }),
    ...(shrinkRuns === undefined ? {} : { shrinkRuns }),
    ...(invariants === undefined ? {} : { invariants }),
    outDir: flags.out,
  };
  const onRun = (done: number) => progress?.update(done, '', done);
  try {
    const result =
      workers > 1
        ? await runStripedFuzz({
            workers,
            campaign,
            stop,
            onRun,
            onCoverage: (covered) => tracker.addRun(covered),
          })
        : await fuzzCampaignAsync({
            ...campaign,
            stop: () => stop.reason,
            onResult: (_spec, run) => tracker.add(run.trace.entries),
            onRun,
          });
    progress?.finish();
    return { result, coverage: tracker.coverage() };
  } finally {
    stopSignals();
  }
}

function parseShrinkBudgetMs(text: string): number {
  if (text === '0') return 0;
  try {
    return Math.floor(parseDurationMicros(text, '--shrink-budget') / 1000);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function stoppedText(result: CampaignResult): string {
  if (result.stopped === 'interrupted') return 'interrupted';
  return result.stopped === 'ceiling' ? 'stopped by the --budget ceiling' : '';
}

function reportComponent(finding: ComponentFinding, path: string, flags: FuzzFlags, io: CliIo): void {
  if (flags.json) {
    io.out(
      JSON.stringify({
        counterexample: path,
        runs: 0,
        stopped: null,
        exitCode: EXIT_VIOLATION,
        invariant: finding.invariant,
        bug: null,
        seed: finding.seed,
        component: finding.check,
        message: finding.message,
        runsToFailure: finding.runsToFailure,
        shrinks: finding.shrinks,
        incidental: [],
      }),
    );
    return;
  }
  io.out(`fuzz: component check ${finding.check} failed (${finding.invariant}): ${finding.message}`);
  io.out(
    `  found after ${finding.runsToFailure} runs of the check, before any schedule; shrunk in ${finding.shrinks} steps to: ${finding.counterexample}`,
  );
  io.out(`  counterexample: ${path}`);
  io.out(`  reproduce: ftcheck replay ${path}`);
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
        stopped: result.stopped,
        exitCode: exitCodeOf(result),
        schedulesPerSecond: rate,
        invariant: result.found ? result.violation.invariant : null,
        bug: flags.bug ?? null,
        seed: Number(flags.seed),
        modelCoverage,
        incidental: result.incidental,
        ...(result.found
          ? {
              atMicros: result.violation.atMicros,
              host: result.violation.host ?? null,
              message: result.violation.message,
              runsToFailure: result.runsToFailure,
              timeToFirstFailureMs: Math.round(result.timeToFirstFailureMs),
              shrinks: result.shrinks,
              localSteps: result.localSteps,
              minimal: result.minimal,
              faults: result.traceFile.search.faultsShrunk,
            }
          : {}),
      }),
    );
    return;
  }
  const coverageLine = `  model coverage: ${modelCoverage.states} agent states, ${modelCoverage.transitions} transitions`;
  const stopped = stoppedText(result);
  for (const other of result.incidental.filter((v) => !v.alsoWithoutBug))
    io.out(
      `  also met (not what ${flags.bug} is declared to break): ${other.message} (schedule ${other.run})`,
    );
  if (!result.found) {
    const verdict =
      result.stopped === null
        ? 'no violation'
        : `no violation so far, ${stopped}${result.stopped === 'ceiling' ? ': inconclusive' : ''}`;
    io.out(`fuzz: ${result.runs} schedules, ${verdict} (${rate} schedules/s)`);
    io.out(coverageLine);
    return;
  }
  io.out(`fuzz: ${result.violation.message}`);
  const shrunk = result.minimal
    ? `shrunk to a 1-minimal schedule of ${result.traceFile.search.faultsShrunk} fault(s) (${result.shrinks} fast-check + ${result.localSteps} local steps)`
    : `shrinking ${stopped}: the saved schedule (${result.traceFile.search.faultsShrunk} fault(s)) is not minimal`;
  io.out(`  found after ${result.runsToFailure} schedules; ${shrunk}`);
  io.out(coverageLine);
  io.out(`  counterexample: ${result.tracePath}`);
  io.out(`  reproduce: ftcheck replay ${result.tracePath}`);
}
