// `ftcheck mutate`: how strong are ftcheck's own detectors? Model mutants of the protocol machines
// go through the exhaustive model check and a fixed-run fuzz campaign; implementation mutants of
// src/lockstep and src/cluster (StrykerJS) go through `ftcheck fuzz --runs N --seed S`. Reports
// the mutation score and every survivor with its diff. Exit 0, or 1 when a score is below
// --min-score, 2 on bad input, 3 when ftcheck itself crashed on some mutant (reports are written
// first, and the crash is listed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzCampaign } from '../../../properties/fuzz-campaign.ts';
import { MODEL_MUTANT_OPERATORS, type ModelMutant, modelMutants } from '../../check/mutate/model-mutants.ts';
import { runModelMutants } from '../../check/mutate/model-runner.ts';
import { scoreText } from '../../check/mutate/outcome.ts';
import {
  levelReport,
  MUTATION_REPORT_VERSION,
  type MutantEntry,
  type MutationReport,
  modelEntry,
} from '../../check/mutate/report.ts';
import { selectMutants } from '../../check/mutate/select.ts';
import { runStryker, StrykerUnavailableError } from '../../check/mutate/stryker-runner.ts';
import { parseShard, type Shard, ShardError } from '../../check/shard.ts';
import { mutationMarkdown } from '../../report/mutation-md.ts';
import { type CliIo, EXIT_INTERNAL, EXIT_VIOLATION, parsePositiveInt, UsageError } from '../context.ts';
import { parseMinScore } from '../min-score.ts';
import { createProgress } from '../progress.ts';
import type { CommandRegistrar } from './index.ts';

interface MutateFlags {
  level: string;
  hosts: string;
  runs: string;
  seed: string;
  only?: string[];
  operators?: string;
  sample?: string;
  shard?: string;
  minScore?: string;
  list?: boolean;
  everyDetector?: boolean;
  shrinkBudgetMs: string;
  implRuns: string;
  implSample?: string;
  incremental: boolean;
  out: string;
  json?: boolean;
}

export const MODEL_RUNS_DEFAULT = 100;
export const IMPL_RUNS_DEFAULT = 20;
const SHRINK_MS_DEFAULT = 10_000;

interface Parsed {
  levels: ('model' | 'implementation')[];
  hosts: number;
  runs: number;
  seed: number;
  shard?: Shard;
  sample?: number;
  minScore?: number;
  shrinkBudgetMs: number;
  implRuns: number;
  implSample?: number;
}

function parseFlags(flags: MutateFlags): Parsed {
  const levels = { model: ['model'], implementation: ['implementation'], all: ['model', 'implementation'] }[
    flags.level
  ] as Parsed['levels'] | undefined;
  if (levels === undefined)
    throw new UsageError(`--level must be model, implementation or all, got '${flags.level}'`);
  const hosts = parsePositiveInt('--hosts', flags.hosts);
  if (hosts < 2 || hosts > 6) throw new UsageError(`--hosts must be between 2 and 6, got ${hosts}`);
  if (!/^\d+$/.test(flags.runs))
    throw new UsageError(`--runs must be a non-negative integer, got '${flags.runs}'`);
  if (!/^\d+$/.test(flags.seed) || Number(flags.seed) > 0x7fff_ffff) {
    throw new UsageError(`--seed must be an integer in 0..2147483647, got '${flags.seed}'`);
  }
  let shard: Shard | undefined;
  try {
    shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(error.message);
    throw error;
  }
  const operators = flags.operators?.split(',').map((o) => o.trim());
  for (const op of operators ?? []) {
    if (!(MODEL_MUTANT_OPERATORS as readonly string[]).includes(op)) {
      throw new UsageError(
        `--operators: unknown operator '${op}' (known: ${MODEL_MUTANT_OPERATORS.join(', ')})`,
      );
    }
  }
  return {
    levels,
    hosts,
    runs: Number(flags.runs),
    seed: Number(flags.seed),
    shard,
    sample: flags.sample === undefined ? undefined : parsePositiveInt('--sample', flags.sample),
    minScore: flags.minScore === undefined ? undefined : parseMinScore(flags.minScore),
    shrinkBudgetMs: parsePositiveInt('--shrink-budget-ms', flags.shrinkBudgetMs),
    implRuns: parsePositiveInt('--impl-runs', flags.implRuns),
    implSample:
      flags.implSample === undefined ? undefined : parsePositiveInt('--impl-sample', flags.implSample),
  };
}

function selectModelMutants(flags: MutateFlags, parsed: Parsed): ModelMutant[] {
  const selected = selectMutants(modelMutants(), {
    only: flags.only,
    operators: flags.operators?.split(',').map((o) => o.trim()),
    sample: parsed.sample,
    seed: parsed.seed,
    shard: parsed.shard,
  });
  if (selected.length === 0 && flags.only !== undefined) {
    throw new UsageError(
      `--only ${flags.only.join(' ')}: no model mutant matches (see ftcheck mutate --list)`,
    );
  }
  return selected;
}

function runModelLevel(flags: MutateFlags, parsed: Parsed, io: CliIo): MutationReport['model'] {
  const mutants = selectModelMutants(flags, parsed);
  const outDir = join(flags.out, 'mutate', 'counterexamples');
  const progress = flags.json
    ? null
    : createProgress({
        label: 'mutate model',
        total: mutants.length,
        unit: 'mutants',
        tty: process.stderr.isTTY === true,
        write: (line) => io.err(line),
      });
  const results = runModelMutants(
    mutants,
    {
      hosts: parsed.hosts,
      seed: parsed.seed,
      runs: parsed.runs,
      everyDetector: flags.everyDetector === true,
      fuzz: ({ bug, seed, runs }) =>
        fuzzCampaign({ bug, seed, runs, outDir, shrinkBudgetMs: parsed.shrinkBudgetMs }),
    },
    (result, index) => {
      progress?.update(index + 1, result.status === 'killed' ? '' : `${result.status} ${result.id}`);
      if (result.status === 'crashed') io.err(`mutate: FTCHECK CRASHED on ${result.id}: ${result.crash}`);
    },
  );
  progress?.finish();
  const settings = {
    mutants: `${mutants.length} of ${modelMutants().length}`,
    hosts: parsed.hosts,
    'fuzz runs': parsed.runs,
    seed: parsed.seed,
    ...(parsed.shard ? { shard: `${parsed.shard.index}/${parsed.shard.count}` } : {}),
  };
  return levelReport(results.map(modelEntry), settings);
}

function runImplementationLevel(
  flags: MutateFlags,
  parsed: Parsed,
  io: CliIo,
): MutationReport['implementation'] {
  let mutants: MutantEntry[];
  try {
    mutants = runStryker({
      root: process.cwd(),
      runs: parsed.implRuns,
      seed: parsed.seed,
      sampleLines: parsed.implSample,
      shard: parsed.shard,
      incremental: flags.incremental,
      log: (line) => io.err(line),
    });
  } catch (error) {
    if (error instanceof StrykerUnavailableError) throw new UsageError(error.message);
    throw error;
  }
  for (const m of mutants.filter((x) => x.status === 'crashed')) {
    io.err(`mutate: FTCHECK CRASHED on ${m.id}: ${m.crash}`);
  }
  const settings = {
    scope: 'src/lockstep, src/cluster',
    detector: `ftcheck fuzz --runs ${parsed.implRuns} --seed ${parsed.seed}`,
    ...(parsed.implSample ? { 'sampled lines': parsed.implSample } : {}),
    ...(parsed.shard ? { shard: `${parsed.shard.index}/${parsed.shard.count}` } : {}),
  };
  return levelReport(mutants, settings);
}

function writeReports(out: string, report: MutationReport): string[] {
  mkdirSync(out, { recursive: true });
  const json = join(out, 'mutation.json');
  const md = join(out, 'mutation.md');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, `${mutationMarkdown(report, '#').join('\n')}\n`);
  return [json, md];
}

function list(flags: MutateFlags, parsed: Parsed, io: CliIo): void {
  for (const m of selectModelMutants(flags, parsed)) {
    io.out(
      flags.json
        ? JSON.stringify({ id: m.id, operator: m.operator, location: m.location, diff: m.diff })
        : m.id,
    );
  }
}

export const registerMutate: CommandRegistrar = (program, io, setExit) => {
  program
    .command('mutate')
    .description("measure the detectors: mutate the protocol and count what ftcheck's checks kill")
    .option('--level <level>', 'model | implementation | all', 'model')
    .option('--hosts <n>', 'hosts of the explored model (2-6)', '3')
    .option(
      '--runs <n>',
      'fuzz runs per model mutant the explorer did not kill (0: explorer only)',
      String(MODEL_RUNS_DEFAULT),
    )
    .option('--seed <n>', 'fast-check seed of every fuzz campaign (and of --sample)', '1')
    .option('--only <ids...>', 'model mutant ids, or patterns with * (see --list)')
    .option(
      '--operators <list>',
      `model mutant operators, comma separated (${MODEL_MUTANT_OPERATORS.join(', ')})`,
    )
    .option('--sample <n>', 'a seeded sample of n model mutants')
    .option('--shard <i/n>', 'the i-th of n disjoint parts of the selected mutants')
    .option(
      '--every-detector',
      'fuzz model mutants the explorer already killed too (looks for checker crashes)',
    )
    .option(
      '--shrink-budget-ms <n>',
      'wall-clock cap of shrinking a kill (does not change any verdict)',
      String(SHRINK_MS_DEFAULT),
    )
    .option(
      '--impl-runs <n>',
      'fuzz runs per implementation mutant (ftcheck fuzz --runs)',
      String(IMPL_RUNS_DEFAULT),
    )
    .option(
      '--impl-sample <n>',
      'mutate only n source lines of src/lockstep and src/cluster, chosen with --seed',
    )
    .option(
      '--no-incremental',
      "rerun every implementation mutant (default: reuse Stryker's earlier results)",
    )
    .option('--min-score <percent>', 'exit 1 when a mutation score is below this')
    .option('--list', 'print the selected model mutant ids and exit')
    .option('--out <dir>', 'folder for mutation.json, mutation.md and counterexamples', 'reports')
    .option('--json', 'print the report as JSON')
    .action((flags: MutateFlags) => {
      const parsed = parseFlags(flags);
      if (flags.list) {
        list(flags, parsed, io);
        return;
      }
      const report: MutationReport = { version: MUTATION_REPORT_VERSION };
      if (parsed.levels.includes('model')) report.model = runModelLevel(flags, parsed, io);
      if (parsed.levels.includes('implementation')) {
        report.implementation = runImplementationLevel(flags, parsed, io);
      }
      const written = writeReports(flags.out, report);
      if (flags.json) io.out(JSON.stringify(report, null, 2));
      else summarise(report, written, io);
      const levels = [report.model, report.implementation].filter((l) => l !== undefined);
      if (levels.some((l) => l.score.crashed > 0)) setExit(EXIT_INTERNAL);
      else if (parsed.minScore !== undefined && levels.some((l) => (l.score.score ?? 1) < parsed.minScore!)) {
        setExit(EXIT_VIOLATION);
      }
    });
};

function summarise(report: MutationReport, written: string[], io: CliIo): void {
  for (const [name, level] of [
    ['model', report.model],
    ['implementation', report.implementation],
  ] as const) {
    if (level === undefined) continue;
    io.out(`mutate ${name}: ${scoreText(level.score)}`);
    for (const m of level.mutants.filter((x) => x.status !== 'killed' && x.status !== 'equivalent')) {
      io.out(`  ${m.status.padEnd(9)} ${m.id}${m.crash ? `: ${m.crash}` : ''}`);
    }
  }
  io.out(`reports: ${written.join(', ')}`);
}
