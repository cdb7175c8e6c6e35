// Counterexample trace files: versioned JSON holding everything needed to reproduce a violation
// exactly — the run spec (config, guest, workload, fault schedule, simulation seed), the seeded
// bug, the fast-check seed and path that found it, and the violation expected on replay. Validated
// on load with an error that names the bad field; written atomically (a reader never sees half).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import { formatPath } from '../sim/fault-schedule.ts';
import { bugRunOptions, UnknownBugError } from './fuzz/bug-injection.ts';
import { checkRunSpec, type RunSpec, RunSpecError, runSpecSchema } from './fuzz/run-spec.ts';

export const TRACE_FILE_FORMAT = 'ftcheck-counterexample';
export const TRACE_FILE_VERSION = 1;
export const COUNTEREXAMPLES_DIR = 'reports/counterexamples';

export interface ExpectedViolation {
  invariant: InvariantId;
  atMicros: number;
  host?: string;
  vm?: string;
  message: string;
}

export interface TraceFile {
  format: typeof TRACE_FILE_FORMAT;
  version: typeof TRACE_FILE_VERSION;
  /** The seeded bug the run was made with; null for the system as shipped. */
  bug: string | null;
  run: RunSpec;
  /** How fast-check found it: `fc.check(property, { seed, path })` replays the shrunk case. */
  fastCheck: { seed: number; path: string };
  expected: ExpectedViolation;
  /**
   * Search figures: runs until the first failure, fast-check's shrink steps, accepted local
   * minimisation steps, faults before / after shrinking, and whether the schedule is 1-minimal
   * (removing any fault or moving one a millisecond earlier loses the violation). `fastCheck.path`
   * replays fast-check's shrunk case; `run` is that case after local minimisation.
   */
  search: {
    runsToFailure: number;
    shrinks: number;
    localSteps?: number;
    faultsFound: number;
    faultsShrunk: number;
    minimal?: boolean;
  };
}

const invariantIds = Object.keys(INVARIANTS) as [InvariantId, ...InvariantId[]];
const count = z.number().int().min(0);

const traceFileSchema = z.strictObject({
  format: z.literal(TRACE_FILE_FORMAT),
  version: z.literal(TRACE_FILE_VERSION),
  bug: z.string().min(1).nullable(),
  run: runSpecSchema,
  fastCheck: z.strictObject({ seed: z.number().int(), path: z.string().regex(/^(\d+(:\d+)*)?$/) }),
  expected: z.strictObject({
    invariant: z.enum(invariantIds),
    atMicros: count,
    host: z.string().optional(),
    vm: z.string().optional(),
    message: z.string(),
  }),
  search: z.strictObject({
    runsToFailure: count,
    shrinks: count,
    localSteps: count.optional(),
    faultsFound: count,
    faultsShrunk: count,
    minimal: z.boolean().optional(),
  }),
});

export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** Validates parsed JSON as a trace file; throws TraceFileError naming the field. */
export function parseTraceFile(json: unknown, source = 'trace'): TraceFile {
  const parsed = traceFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length === 0 ? source : `${source}: ${formatPath(issue.path)}`;
    throw new TraceFileError(`${where}: ${describe(issue)}`);
  }
  const file = parsed.data as TraceFile;
  try {
    checkRunSpec(file.run);
    if (file.bug !== null) bugRunOptions(file.bug);
  } catch (error) {
    if (error instanceof RunSpecError) throw new TraceFileError(`${source}: ${error.message}`);
    if (error instanceof UnknownBugError) throw new TraceFileError(`${source}: bug: ${error.message}`);
    throw error;
  }
  return file;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_value') return `expected ${issue.values.map(String).join('|')}`;
  return issue.message;
}

/** Reads and validates a trace file; every failure (missing, not JSON, bad field) is a TraceFileError. */
export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TraceFileError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // an editor's byte-order mark
  } catch (error) {
    throw new TraceFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseTraceFile(json, path);
}

export function serialiseTraceFile(file: TraceFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

let tmpCounter = 0;

/** Writes the trace file through a temporary file and a rename (synchronous: callable mid-search). */
export function writeTraceFileAtomic(path: string, file: TraceFile): void {
  writeTextAtomic(path, serialiseTraceFile(file));
}

/** Writes `text` through a temporary file and a rename: a reader never sees half a file. */
export function writeTextAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  tmpCounter += 1;
  const tmpPath = `${path}.tmp-${process.pid}-${tmpCounter}`;
  try {
    writeFileSync(tmpPath, text, 'utf8');
    renameSync(tmpPath, path);
  } catch (error) {
    rmSync(tmpPath, { force: true });
    throw error;
  }
}

/** A stable file name: the bug (or "system") and the campaign's fast-check seed. */
export function traceFileName(bug: string | null, fastCheckSeed: number): string {
  const seed = fastCheckSeed < 0 ? `m${-fastCheckSeed}` : String(fastCheckSeed);
  return `${bug ?? 'system'}-seed${seed}.json`;
}
