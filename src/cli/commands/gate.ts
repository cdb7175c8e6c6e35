// `ftcheck` with no subcommand (and `npm start`): the full gate. Exhaustive model check →
// conformance paths on the emulator → fuzz campaign → bug-catalog self-test → reports.
// Exit 0 all hold, 1 a property is violated (or a seeded bug escaped), 2 usage error, 3 internal
// error, 4 inconclusive (the `--budget` ceiling stopped it before its fixed campaign was done),
// 130 interrupted by SIGINT or SIGTERM (every report and counterexample so far is on disk).
import type { Command } from 'commander';
import { toolVersion } from '../../base/package-root.ts';
import { didYouMean } from '../../base/suggest.ts';
import { fuzzableBugs } from '../../check/fuzz/bug-injection.ts';
import { GATE_CAMPAIGN_DEFAULT } from '../../check/gate/campaign-plan.ts';
import { type GateOptions, type GateStage, runGate } from '../../check/gate/gate.ts';
import type { GateResults } from '../../check/results.ts';
import { parseShard, ShardError } from '../../check/shard.ts';
import { writeReports } from '../../report/write-reports.ts';
import { defaultWorkers, type FtcheckConfig, loadConfig, parseBudgetFlag, RANGES } from '../config.ts';
import {
  type CliIo,
  EXIT_INCONCLUSIVE,
  EXIT_INTERNAL,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_VIOLATION,
  type IntRange,
  parseIntInRange,
  prepareOutputDir,
  UsageError,
} from '../context.ts';
import { gateProgress } from '../gate/gate-progress.ts';
import { GATE_STAGES } from '../gate/stages.ts';
import { parseMinScore } from '../min-score.ts';
import { createProgress } from '../progress.ts';
import { gitCommit } from '../provenance.ts';
import { onStopSignals } from '../stop-signals.ts';
import type { CommandRegistrar } from './index.ts';

interface GateFlags {
  config?: string;
  budget?: string;
  seed?: string;
  hosts?: string;
  workers?: string;
  fuzzSeeds?: string;
  fuzzRuns?: string;
  bugRuns?: string;
  shard?: string;
  minScore?: string;
  stages?: string;
  bug?: string[];
  out?: string;
  json?: boolean;
}

/** The fixed campaign: defaults, then the config file, then flags. */
function campaignOf(config: FtcheckConfig, flags: GateFlags): GateOptions['campaign'] {
  const count = (flag: string, value: string | undefined, fromConfig: number | undefined, base: number) =>
    value === undefined ? (fromConfig ?? base) : parseIntInRange(flag, value, CAMPAIGN_COUNT);
  return {
    fuzzSeeds: count(
      '--fuzz-seeds',
      flags.fuzzSeeds,
      config.campaign.fuzzSeeds,
      GATE_CAMPAIGN_DEFAULT.fuzzSeeds,
    ),
    fuzzRuns: count('--fuzz-runs', flags.fuzzRuns, config.campaign.fuzzRuns, GATE_CAMPAIGN_DEFAULT.fuzzRuns),
    bugRuns: count('--bug-runs', flags.bugRuns, config.campaign.bugRuns, GATE_CAMPAIGN_DEFAULT.bugRuns),
    bugSeed: GATE_CAMPAIGN_DEFAULT.bugSeed,
    shrinkRuns: GATE_CAMPAIGN_DEFAULT.shrinkRuns,
  };
}

const CAMPAIGN_COUNT: IntRange = { min: 1, max: 1_000_000 };

/** Config file first, then flags on top; every value validated with a message naming it. */
export function gateOptions(config: FtcheckConfig, flags: GateFlags, io: CliIo, tty: boolean): GateOptions {
  const bugs = flags.bug && flags.bug.length > 0 ? flags.bug : config.bugs;
  const known = new Set(fuzzableBugs().map((b) => b.name));
  for (const bug of bugs) {
    if (!known.has(bug)) throw new UsageError(`unknown bug '${bug}' (see \`ftcheck bugs\`)`);
  }
  let shard: GateOptions['shard'];
  try {
    shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(`--shard: ${error.message}`);
    throw error;
  }
  // Flags are held to the config file's ranges (config.ts RANGES, BUDGET_MICROS).
  const int = (flag: string, text: string | undefined, range: IntRange, fallback: number) =>
    text === undefined ? fallback : parseIntInRange(flag, text, range);
  const budget = flags.budget === undefined ? config.budget : flags.budget;
  return {
    hosts: int('--hosts', flags.hosts, RANGES.hosts, config.hosts),
    guests: config.guests,
    seed: int('--seed', flags.seed, RANGES.seed, config.seed),
    ...(budget === undefined
      ? {}
      : { budgetSeconds: parseBudgetFlag(flags.budget === undefined ? 'budget' : '--budget', budget) / 1e6 }),
    campaign: campaignOf(config, flags),
    workers: int('--workers', flags.workers, RANGES.workers, config.workers ?? defaultWorkers()),
    bugs,
    ...(shard ? { shard } : {}),
    ...(flags.minScore === undefined ? {} : { minScore: parseMinScore(flags.minScore) }),
    reportsDir: prepareOutputDir(flags.out === undefined ? 'out' : '--out', flags.out ?? config.out),
    toolVersion: toolVersion(),
    tty,
    log: (line) => io.err(line),
  };
}

/** Why the gate stopped early, in words, for the last line. */
function stopNote(results: GateResults): string {
  const cut = results.stages.filter((stage) => stage.status !== 'complete' && stage.status !== 'error');
  if (cut.length === 0) return '';
  const names = cut.map((stage) => `${stage.name} ${stage.status}`).join(', ');
  if (results.verdict === 'inconclusive')
    return ` — the ${results.config.budgetSeconds}s ceiling stopped the campaign before its fixed counts (${names}); nothing failed`;
  return ` (${names})`;
}

function printVerdict(results: GateResults, written: string[], io: CliIo, json: boolean): void {
  if (json) {
    io.out(
      JSON.stringify(
        {
          verdict: results.verdict,
          exitCode: exitCodeOf(results),
          stages: results.stages,
          invariants: results.invariants,
          reports: written,
        },
        null,
        2,
      ),
    );
    return;
  }
  for (const [id, r] of Object.entries(results.invariants))
    io.out(`  ${id} ${r.verdict}${r.message ? ` — ${r.message}` : ''}`);
  const bugs = results.bugs ?? [];
  if (bugs.length > 0) {
    const listed = (status: string) => bugs.filter((b) => b.status === status).map((b) => b.name);
    const parts = (['escaped', 'inconclusive', 'not-run'] as const)
      .map((status) => [status, listed(status)] as const)
      .filter(([, names]) => names.length > 0)
      .map(([status, names]) => `${status}: ${names.join(', ')}`);
    io.out(
      `  bug catalog: ${listed('caught').length}/${bugs.length} caught${parts.length ? ` (${parts.join('; ')})` : ''}`,
    );
    for (const bug of bugs.filter((b) => b.status === 'escaped' && b.otherInvariants))
      io.out(
        `    ${bug.name}: caught by ${bug.otherInvariants!.map((o) => o.invariant).join(', ')}, declared ${bug.breaks.join(', ')} (does not count)`,
      );
  }
  for (const c of results.counterexamples)
    io.out(`  counterexample ${c.invariant}: ${c.path}  (${c.reproduce})`);
  io.out(`reports: ${written.join(', ')}`);
  io.out(
    `ftcheck gate: ${results.verdict.toUpperCase()} (exit ${exitCodeOf(results)}) in ${results.timing.totalSeconds}s${stopNote(results)}`,
  );
}

function exitCodeOf(results: GateResults): number {
  switch (results.verdict) {
    case 'pass':
      return EXIT_OK;
    case 'fail':
      return EXIT_VIOLATION;
    case 'inconclusive':
      return EXIT_INCONCLUSIVE;
    case 'interrupted':
      return EXIT_INTERRUPTED;
    case 'error':
      return EXIT_INTERNAL;
  }
}

/**
 * `--stages fuzz` / `--stages explore,conformance,bugs`: a CI matrix runs the seed-independent
 * stages once and only the fuzz campaign on every shard; `ftcheck merge` combines them.
 */
export function selectStages(list: string | undefined): GateStage[] {
  if (list === undefined) return GATE_STAGES;
  const names = GATE_STAGES.map((stage) => stage.name);
  const wanted = list.split(',').map((name) => name.trim());
  for (const name of wanted) {
    if (!names.includes(name)) {
      throw new UsageError(
        `--stages: unknown stage '${name}'${didYouMean(name, names)} (stages: ${names.join(', ')})`,
      );
    }
  }
  return GATE_STAGES.filter((stage) => wanted.includes(stage.name));
}

async function runGateCommand(flags: GateFlags, io: CliIo): Promise<number> {
  const config = await loadConfig(process.cwd(), flags.config);
  const stages = selectStages(flags.stages);
  const tty = process.stderr.isTTY === true && flags.json !== true;
  const options = gateOptions(config, flags, io, tty);
  const names = stages.map((stage) => stage.name);
  const bar = tty
    ? gateProgress(
        names,
        createProgress({ label: 'gate', total: names.length, unit: 'stages', tty: true, write: io.err }),
        io.err,
      )
    : null;
  if (bar !== null) options.log = bar.log;
  const abort = new AbortController();
  const stopSignals = onStopSignals((signal) => {
    io.err(
      `ftcheck: ${signal} — stopping at the next check and writing every report (send it again to quit at once)`,
    );
    abort.abort();
  });
  try {
    const commit = gitCommit(process.cwd());
    const results = {
      ...(await runGate(stages, options, abort.signal)),
      ...(commit ? { git: { commit } } : {}),
    };
    bar?.finish();
    const written = await writeReports(results, options.reportsDir);
    printVerdict(results, written, io, flags.json === true);
    return exitCodeOf(results);
  } finally {
    stopSignals();
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addGateOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'configuration file (default: ftcheck.config.json or .ts in the working directory)',
    )
    .option(
      '--budget <duration>',
      'wall-clock ceiling, e.g. 4m (default none): reaching it gives inconclusive (exit 4), never fail',
    )
    .option('--seed <n>', 'base seed of the fuzz campaign (default 1)')
    .option(
      '--fuzz-seeds <n>',
      `seeds (chunks) of the fuzz campaign (default ${GATE_CAMPAIGN_DEFAULT.fuzzSeeds})`,
    )
    .option('--fuzz-runs <n>', `schedules per fuzz seed (default ${GATE_CAMPAIGN_DEFAULT.fuzzRuns})`)
    .option(
      '--bug-runs <n>',
      `schedules per seeded bug in the self-test (default ${GATE_CAMPAIGN_DEFAULT.bugRuns})`,
    )
    .option('--hosts <n>', 'hosts in the model check (2-6, default 3)')
    .option(
      '--workers <n>',
      'worker threads for the fuzz campaign and bug self-test (default: one per CPU, at most 8)',
    )
    .option('--shard <i/n>', 'run shard i of n of the seed space (CI matrix); combine with `ftcheck merge`')
    .option(
      '--stages <list>',
      `run only these stages, comma-separated (${GATE_STAGES.map((s) => s.name).join(', ')}); default all`,
    )
    .option('--bug <name>', 'switch on a seeded bug (the gate must then fail); repeatable', collect)
    .option('--min-score <percent>', 'fail when the mutation score of the sampled mutants is below this')
    .option('--out <dir>', 'reports folder (default reports)')
    .option('--json', 'print the verdict as JSON');
}

export const registerGate: CommandRegistrar = (program, io, setExit) => {
  addGateOptions(program).action(async (flags: GateFlags) => setExit(await runGateCommand(flags, io)));
  addGateOptions(
    program.command('gate').description('run the full gate (the default when no command is given)'),
  ).action(async (flags: GateFlags) => setExit(await runGateCommand(flags, io)));
};
