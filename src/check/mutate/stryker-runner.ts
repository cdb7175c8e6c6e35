// Implementation mutants with StrykerJS: runs Stryker (stryker.config.mjs: command runner →
// src/check/mutate/stryker/detect.mjs → `ftcheck fuzz --runs N --seed S`) on all of src/lockstep
// and src/cluster, on one shard of their files, or on a seeded sample of source lines (Stryker's
// mutation ranges), incrementally; then reads Stryker's JSON report and judges every mutant the way
// ftcheck counts: a kill is the detector's exit 1, a FTCHECK-CRASH line is a crash of ftcheck,
// and Stryker's Timeout (its wall-clock timer) is inconclusive, never a kill.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type { InvariantId } from '../../base/invariants.ts';
import { hashString } from '../../base/prng.ts';
import type { Shard } from '../shard.ts';
import type { MutantEntry } from './report.ts';
import { sampleIndices } from './select.ts';

export const STRYKER_CONFIG = 'stryker.config.mjs';
export const STRYKER_REPORT = 'reports/mutate/stryker.json';
export const SCOPE = ['src/lockstep', 'src/cluster'];
/** Seeded-bug strategies: only active under --bug, so their mutants say nothing. */
const EXCLUDED = new Set(['src/lockstep/bugs.ts', 'src/cluster/cluster-bugs.ts']);

export class StrykerUnavailableError extends Error {
  override name = 'StrykerUnavailableError';
}

export interface StrykerRunOptions {
  /** The repository root (where stryker.config.mjs is). */
  root: string;
  runs: number;
  seed: number;
  /** Mutate only these many seeded-sampled source lines (undefined: every line). */
  sampleLines?: number;
  shard?: Shard;
  /** Reuse earlier results of unchanged code (Stryker's incremental mode). Default true. */
  incremental?: boolean;
  /** Where Stryker's progress goes. */
  log: (line: string) => void;
}

/** Every file in scope, sorted (the unit a shard is made of). */
export function scopeFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = `${dir}/${name}`;
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !EXCLUDED.has(path)) files.push(path);
    }
  };
  for (const dir of SCOPE) walk(dir);
  return files;
}

/** Source lines that can carry a mutant: not blank, not a comment, not an import or a type. */
function codeLines(root: string, file: string): number[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const skip = /^\s*($|\/\/|\/\*|\*|import\b|export\s+(type|interface)\b|type\b|interface\b|}\s*$)/;
  return lines.flatMap((text, i) => (skip.test(text) ? [] : [i + 1]));
}

/** Stryker `mutate` patterns: whole files, or `file:L-L` ranges of a seeded line sample. */
export function mutatePatterns(
  root: string,
  options: Pick<StrykerRunOptions, 'sampleLines' | 'shard' | 'seed'>,
): string[] {
  let files = scopeFiles(root);
  const shard = options.shard;
  if (shard !== undefined) files = files.filter((_, i) => i % shard.count === shard.index - 1);
  if (options.sampleLines === undefined) return files;
  const lines = files.flatMap((file) => codeLines(root, file).map((line) => `${file}:${line}-${line}`));
  return sampleIndices(lines.length, options.sampleLines, options.seed).map((i) => lines[i]!);
}

function strykerBin(root: string): string {
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('@stryker-mutator/core/package.json');
    return join(pkg, '..', 'bin', 'stryker.js');
  } catch {
    throw new StrykerUnavailableError(
      'implementation mutants need the dev dependency @stryker-mutator/core (run npm ci in a clone of ftcheck)',
    );
  }
}

function incrementalFile(options: StrykerRunOptions): string {
  const parts = [
    ...(options.sampleLines === undefined ? [] : [`sample${options.sampleLines}-seed${options.seed}`]),
    ...(options.shard ? [`shard${options.shard.index}of${options.shard.count}`] : []),
    `runs${options.runs}`,
  ];
  return `reports/mutate/stryker-incremental-${parts.join('-')}.json`;
}

/** Runs Stryker; returns the mutants of its JSON report, judged. */
export function runStryker(options: StrykerRunOptions): MutantEntry[] {
  if (!existsSync(join(options.root, STRYKER_CONFIG))) {
    throw new StrykerUnavailableError(`no ${STRYKER_CONFIG} in ${options.root}: run from a clone of ftcheck`);
  }
  const patterns = mutatePatterns(options.root, options);
  const args = [strykerBin(options.root), 'run', STRYKER_CONFIG, '--mutate', patterns.join(',')];
  if (options.incremental !== false)
    args.push('--incremental', '--incrementalFile', incrementalFile(options));
  options.log(
    `mutate implementation: stryker on ${patterns.length} ${options.sampleLines ? 'sampled lines' : 'files'}`,
  );
  const child = spawnSync(process.execPath, args, {
    cwd: options.root,
    env: {
      ...process.env,
      FTCHECK_MUTATE_RUNS: String(options.runs),
      FTCHECK_MUTATE_SEED: String(options.seed),
    },
    // Stryker's own log goes to stderr: stdout carries only ftcheck's report (`--json` parses).
    stdio: ['ignore', 2, 'inherit'],
  });
  if (child.status !== 0) {
    throw new Error(
      `stryker ended with ${child.status === null ? `signal ${child.signal}` : `exit ${child.status}`}`,
    );
  }
  return judgeReport(JSON.parse(readFileSync(join(options.root, STRYKER_REPORT), 'utf8')), options.root);
}

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface StrykerReport {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

/** The original text a mutant replaces (report positions are 1-based). */
function originalText(source: string, m: ReportMutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  const first = lines[start.line - 1]!.slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = lines[end.line - 1]!.slice(0, end.column - 1);
  return [first, ...middle, last].join('\n');
}

/** A unified diff of the mutated lines. */
export function mutantDiff(file: string, source: string, m: ReportMutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  const before = lines.slice(start.line - 1, end.line);
  const mutatedText =
    lines[start.line - 1]!.slice(0, start.column - 1) +
    (m.replacement ?? '') +
    lines[end.line - 1]!.slice(end.column - 1);
  const cap = (l: string[]) => (l.length > 12 ? [...l.slice(0, 12), '…'] : l);
  return [
    `--- ${file}:${start.line}`,
    ...cap(before).map((l) => `- ${l}`),
    ...cap(mutatedText.split('\n')).map((l) => `+ ${l}`),
  ].join('\n');
}

const DETECT = /FTCHECK-DETECT killed (\{.*\})/;
const CRASH = /FTCHECK-CRASH ([^\n]*)/;

function judge(m: ReportMutant): Pick<MutantEntry, 'status' | 'killedBy' | 'crash'> | null {
  const reason = m.statusReason ?? '';
  switch (m.status) {
    case 'Killed': {
      const crash = CRASH.exec(reason);
      if (crash)
        return { status: 'crashed', crash: `${crash[1]} ${reason.split('\n').slice(1, 4).join(' ')}`.trim() };
      const found = DETECT.exec(reason);
      if (!found)
        return { status: 'crashed', crash: `the detector gave no verdict: ${reason.slice(0, 300)}` };
      const finding = JSON.parse(found[1]!) as { invariant: InvariantId | null; message: string };
      return {
        status: 'killed',
        killedBy: { detector: 'fuzz', invariant: finding.invariant, property: finding.message.slice(0, 200) },
      };
    }
    case 'Survived':
    case 'NoCoverage':
      return { status: 'survived' };
    case 'Timeout':
      return { status: 'inconclusive' };
    case 'RuntimeError':
    case 'CompileError':
      return { status: 'crashed', crash: `stryker ${m.status}: ${reason.slice(0, 300)}` };
    default:
      return null; // Ignored / Pending: not part of this run
  }
}

/** Every mutant of a Stryker JSON report as a MutantEntry (diff kept for those not killed). */
export function judgeReport(report: StrykerReport, root: string): MutantEntry[] {
  const entries: MutantEntry[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const name = relative(root, join(root, file));
    for (const m of mutants) {
      const verdict = judge(m);
      if (verdict === null) continue;
      const at = `${name}:${m.location.start.line}:${m.location.start.column}`;
      const detailed = verdict.status !== 'killed';
      entries.push({
        // Stable across runs (Stryker's own ids are not): position, operator, replacement.
        id: `${name}:${m.location.start.line}:${m.location.start.column}~${m.mutatorName}~${hashString(m.replacement ?? '').toString(36)}`,
        level: 'implementation',
        operator: m.mutatorName,
        location: at,
        ...verdict,
        ...(detailed ? { diff: mutantDiff(name, source, m) } : {}),
        ...(verdict.status === 'survived'
          ? {
              wouldBreak: `\`${originalText(source, m).slice(0, 80)}\` → \`${(m.replacement ?? '').slice(0, 80)}\` changes nothing a fuzz run checks`,
            }
          : {}),
      });
    }
  }
  return entries;
}
