// `ftcheck` with no subcommand (and `npm start`): the full gate. Exhaustive model check →
// conformance paths on the emulator → fuzz campaign → bug-catalog self-test → reports.
// Exit 0 all hold, 1 a property is violated (or a seeded bug escaped), 2 usage error, 3 internal
// error, 130 interrupted by Ctrl-C (the partial report and counterexamples are on disk).
import type { Command } from 'commander';
import { toolVersion } from '../../base/package-root.ts';
import { didYouMean } from '../../base/suggest.ts';
import { fuzzableBugs } from '../../check/fuzz/bug-injection.ts';
import { type GateOptions, type GateStage, runGate } from '../../check/gate/gate.ts';
import type { GateResults } from '../../check/results.ts';
import { parseShard, ShardError } from '../../check/shard.ts';
import { writeReports } from '../../report/write-reports.ts';
import { type FtcheckConfig, loadConfig, parseBudgetFlag, RANGES } from '../config.ts';
import {
  type CliIo,
  EXIT_INTERNAL,
  EXIT_OK,
  EXIT_VIOLATION,
  type IntRange,
  parseIntInRange,
  prepareOutputDir,
  UsageError,
} from '../context.ts';
import { GATE_STAGES } from '../gate/stages.ts';
import { parseMinScore } from '../min-score.ts';
import { gitCommit } from '../provenance.ts';
import type { CommandRegistrar } from './index.ts';

export const EXIT_INTERRUPTED = 130;

interface GateFlags {
  config?: string;
  budget?: string;
  seed?: string;
  hosts?: string;
  workers?: string;
  shard?: string;
  minScore?: string;
  stages?: string;
  bug?: string[];
  out?: string;
  json?: boolean;
}

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
    budgetSeconds: Math.round(
      parseBudgetFlag(flags.budget === undefined ? 'budget' : '--budget', budget) / 1e6,
    ),
    workers: int('--workers', flags.workers, RANGES.workers, config.workers),
    bugs,
    ...(shard ? { shard } : {}),
    ...(flags.minScore === undefined ? {} : { minScore: parseMinScore(flags.minScore) }),
    reportsDir: prepareOutputDir(flags.out === undefined ? 'out' : '--out', flags.out ?? config.out),
    toolVersion: toolVersion(),
    tty,
    log: (line) => io.err(line),
  };
}

function printVerdict(results: GateResults, written: string[], io: CliIo, json: boolean): void {
  if (json) {
    io.out(
      JSON.stringify({ verdict: results.verdict, invariants: results.invariants, reports: written }, null, 2),
    );
    return;
  }
  io.out(`ftcheck gate: ${results.verdict.toUpperCase()} in ${results.durationSeconds}s`);
  for (const [id, r] of Object.entries(results.invariants))
    io.out(`  ${id} ${r.verdict}${r.message ? ` — ${r.message}` : ''}`);
  const escaped = (results.bugs ?? []).filter((b) => !b.caught).map((b) => b.name);
  if (results.bugs)
    io.out(
      `  bug catalog: ${results.bugs.length - escaped.length}/${results.bugs.length} caught${escaped.length ? ` (escaped: ${escaped.join(', ')})` : ''}`,
    );
  for (const c of results.counterexamples)
    io.out(`  counterexample ${c.invariant}: ${c.path}  (${c.reproduce})`);
  io.out(`reports: ${written.join(', ')}`);
}

function exitCodeOf(results: GateResults): number {
  if (results.verdict === 'pass') return EXIT_OK;
  if (results.verdict === 'fail') return EXIT_VIOLATION;
  if (results.verdict === 'interrupted') return EXIT_INTERRUPTED;
  return EXIT_INTERNAL;
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
  const options = gateOptions(config, flags, io, process.stderr.isTTY === true);
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    io.err(
      'ftcheck: interrupted — finishing the current step and writing a partial report (Ctrl-C again to quit now)',
    );
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const commit = gitCommit(process.cwd());
    const results = {
      ...(await runGate(stages, options, abort.signal)),
      ...(commit ? { git: { commit } } : {}),
    };
    const written = await writeReports(results, options.reportsDir);
    printVerdict(results, written, io, flags.json === true);
    return exitCodeOf(results);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addGateOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'configuration file (default: ftcheck.config.json or .ts in the working directory)',
    )
    .option('--budget <duration>', 'wall-clock budget of the whole gate, e.g. 4m (default 4m)')
    .option('--seed <n>', 'base seed of the campaign (default 1)')
    .option('--hosts <n>', 'hosts in the model check (2-6, default 3)')
    .option('--workers <n>', 'worker threads for the fuzz campaign (default 1)')
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
