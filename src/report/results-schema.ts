// Validation of results.json on read (merge of shard results, re-rendering reports): a malformed
// or foreign file is refused with an error naming the file and the first bad field. Shards come
// from other machines, so every field is checked, not only its type: a path a report links to or
// `merge` copies is a plain relative path inside the reports folder (no `..`, no absolute path, no
// scheme, no control or odd characters); a reproduce command is an ftcheck command; lists are
// bounded. Free text (messages, timeline text) may hold anything: every renderer escapes it.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import { type GateResults, RESULTS_VERSION } from '../check/results.ts';

const invariantIds = Object.keys(INVARIANTS) as [InvariantId, ...InvariantId[]];
const invariantId = z.enum(invariantIds);
const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const coverage = z.object({ covered: count, total: count });

/** Longest path, list and text a results file may hold (a shard beyond them is refused). */
const PATH_CHARS_MAX = 240;
const LIST_MAX = 10_000;
const TEXT_CHARS_MAX = 100_000;

/**
 * A file in the reports folder: segments of letters, digits, `.`, `_`, `-` separated by `/`, none
 * of them `.` or `..`, not starting with `/` — so it can be neither absolute, nor escape the
 * folder, nor carry a scheme (`javascript:`), a NUL, a lone surrogate or markup.
 */
export const REPORT_PATH =
  /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;
const reportPath = z
  .string()
  .max(PATH_CHARS_MAX)
  .regex(
    REPORT_PATH,
    'expected a relative path inside the reports folder (letters, digits, . _ - and /; no ..)',
  );
const diagramPath = (extension: string) =>
  reportPath.refine((path) => path.startsWith('diagrams/') && path.endsWith(extension), {
    message: `expected diagrams/<name>${extension}`,
  });

/** `ftcheck replay <path>` or `ftcheck explore <flags>`, optionally through npx. */
export const REPRODUCE_COMMAND =
  /^(?:npx )?ftcheck (?:replay|explore)(?: --?[A-Za-z0-9][A-Za-z0-9-]*| [A-Za-z0-9._/=-]+)*$/;
const text = z.string().max(TEXT_CHARS_MAX);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(LIST_MAX);

const invariantResult = z.object({
  verdict: z.enum(['hold', 'violated', 'not-checked']),
  checkedBy: list(text),
  counterexamples: list(reportPath),
  message: text.optional(),
});

const exploreResult = z.object({
  hosts: count,
  states: count,
  transitions: count,
  deadlocks: count,
  liveness: z.enum(['hold', 'violated']),
  violations: list(
    z.object({
      invariant: text,
      message: text,
      steps: count,
      counterexample: reportPath.optional(),
    }),
  ),
});

const conformanceResult = z.object({
  paths: count,
  passed: count,
  states: coverage,
  transitions: coverage,
  failures: list(z.object({ path: text, message: text })),
});

const fuzzResult = z.object({
  runs: count,
  planned: z.object({ seeds: count, runsPerSeed: count }),
  seeds: z.object({ first: z.number().int(), last: z.number().int() }),
  modelStates: coverage,
  modelTransitions: coverage,
  counterexamples: list(reportPath),
});

const bugResult = z.object({
  name: text,
  level: z.enum(['model', 'data-plane', 'cluster']),
  breaks: list(invariantId),
  status: z.enum(['caught', 'escaped', 'inconclusive', 'not-run']),
  caught: z.boolean(),
  invariant: invariantId.optional(),
  runs: count.optional(),
  runsPlanned: count.optional(),
  schedulesToFirstFailure: count.optional(),
  size: count.optional(),
  minimal: z.boolean().optional(),
  counterexample: reportPath.optional(),
  otherInvariants: list(z.object({ invariant: invariantId, run: count, message: text })).optional(),
});

const timingResult = z.object({
  startedAt: z.iso.datetime().optional(),
  totalSeconds: seconds,
  stages: z.record(text, seconds),
  explore: z.object({ seconds, statesPerSecond: z.number().nonnegative(), peakRssBytes: count }).optional(),
  fuzz: z.object({ seconds, schedulesPerSecond: z.number().nonnegative() }).optional(),
  bugs: z.record(text, seconds).optional(),
});

const timelineValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const timelineEvent = z.object({
  atMicros: z.number().nonnegative(),
  lane: text,
  kind: z.enum(['fault', 'role', 'output', 'message', 'lock', 'violation', 'note']),
  text,
  msg: z.number().int().nonnegative().optional(),
  to: text.optional(),
  from: text.optional(),
  lost: text.optional(),
  lanes: list(text).optional(),
  state: z.record(text, z.record(text, timelineValue)).optional(),
});

const counterexampleSummary = z.object({
  path: reportPath,
  invariant: invariantId,
  atMicros: z.number().nonnegative(),
  host: text.optional(),
  message: text,
  reproduce: z
    .string()
    .max(PATH_CHARS_MAX * 2)
    .regex(REPRODUCE_COMMAND, 'expected an ftcheck replay or explore command'),
  mermaid: text,
  timeline: list(timelineEvent),
});

const mutantEntry = z.object({
  id: text,
  level: z.enum(['model', 'implementation']),
  status: z.enum(['killed', 'survived', 'equivalent', 'crashed', 'inconclusive']),
  operator: text,
  location: text,
  diff: text.optional(),
  changes: list(text).optional(),
  killedBy: z.object({ detector: text, invariant: text.nullable(), property: text }).optional(),
  wouldBreak: text.optional(),
  crash: text.optional(),
  reproduce: text.optional(),
});

const mutationLevel = z.object({
  score: z.object({
    total: count,
    killed: count,
    survived: count,
    equivalent: count,
    crashed: count,
    inconclusive: count,
    score: z.number().min(0).max(1).nullable(),
  }),
  settings: z.record(text, z.union([z.number(), text, z.boolean()])),
  mutants: list(mutantEntry),
});

const mutationReport = z.object({
  version: z.literal(1),
  model: mutationLevel.optional(),
  implementation: mutationLevel.optional(),
});

/** The schema of results.json; its inferred type equals `GateResults` (checked in the tests). */
export const gateResultsSchema = z.object({
  $schema: z.string().optional(),
  version: z.literal(RESULTS_VERSION),
  tool: z.object({ name: z.literal('ftcheck'), version: text }),
  git: z.object({ commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/) }).optional(),
  config: z.object({
    hosts: count,
    guests: list(text),
    budgetSeconds: z.number().positive().optional(),
    seed: z.number().int(),
    shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
    bugs: list(text),
    campaign: z.object({
      fuzzSeeds: z.number().int().positive(),
      fuzzRuns: z.number().int().positive(),
      bugRuns: z.number().int().positive(),
      bugSeed: z.number().int(),
      shrinkRuns: count,
    }),
  }),
  verdict: z.enum(['pass', 'fail', 'inconclusive', 'interrupted', 'error']),
  stages: list(
    z.object({
      name: text,
      status: z.enum(['complete', 'inconclusive', 'interrupted', 'not-run', 'error']),
    }),
  ),
  invariants: z.record(invariantId, invariantResult),
  explore: exploreResult.optional(),
  conformance: conformanceResult.optional(),
  fuzz: fuzzResult.optional(),
  bugs: list(bugResult).optional(),
  mutation: mutationReport.optional(),
  counterexamples: list(counterexampleSummary),
  diagrams: list(z.object({ name: text, svg: diagramPath('.svg'), mermaid: diagramPath('.mmd') })),
  figures: z.record(text, z.union([z.number(), text])),
  timing: timingResult,
});

/** A results file that is unreadable, not JSON, or not a valid `GateResults`. */
export class ResultsError extends Error {
  override name = 'ResultsError';
  constructor(
    readonly file: string,
    /** Dotted path of the first bad field ('' when the file as a whole is bad). */
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field === '' ? '' : `field '${field}': `}${detail}`);
  }
}

/** Validates parsed JSON as `GateResults`; `source` names it in the error. */
export function parseResults(value: unknown, source: string): GateResults {
  const version = (value as { version?: unknown } | null)?.version;
  if (value !== null && typeof value === 'object' && version !== RESULTS_VERSION) {
    throw new ResultsError(
      source,
      'version',
      `unsupported results version ${JSON.stringify(version)} (this ftcheck reads version ${RESULTS_VERSION})`,
    );
  }
  const parsed = gateResultsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw new ResultsError(source, field, issue.message);
}

/** Reads and validates a results.json file. Throws `ResultsError` naming the file and field. */
export async function readResults(path: string): Promise<GateResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ResultsError(path, '', `cannot read the file (${reason})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(path, '', `not valid JSON (${(error as Error).message})`);
  }
  return parseResults(value, path);
}
