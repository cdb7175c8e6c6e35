// Validation of results.json on read (merge of shard results, re-rendering reports): a malformed
// or foreign file is refused with an error naming the file and the first bad field.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import { type GateResults, RESULTS_VERSION } from '../check/results.ts';

const invariantIds = Object.keys(INVARIANTS) as [InvariantId, ...InvariantId[]];
const invariantId = z.enum(invariantIds);
const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const coverage = z.object({ covered: count, total: count });

const invariantResult = z.object({
  verdict: z.enum(['hold', 'violated', 'not-checked']),
  checkedBy: z.array(z.string()),
  counterexamples: z.array(z.string()),
  message: z.string().optional(),
});

const exploreResult = z.object({
  hosts: count,
  states: count,
  transitions: count,
  seconds,
  statesPerSecond: z.number().nonnegative(),
  peakRssBytes: count,
  deadlocks: count,
  liveness: z.enum(['hold', 'violated']),
  violations: z.array(
    z.object({
      invariant: z.string(),
      message: z.string(),
      steps: count,
      counterexample: z.string().optional(),
    }),
  ),
});

const conformanceResult = z.object({
  paths: count,
  passed: count,
  states: coverage,
  transitions: coverage,
  failures: z.array(z.object({ path: z.string(), message: z.string() })),
});

const fuzzResult = z.object({
  runs: count,
  seconds,
  schedulesPerSecond: z.number().nonnegative(),
  seeds: z.object({ first: z.number().int(), last: z.number().int() }),
  modelStates: coverage,
  modelTransitions: coverage,
  counterexamples: z.array(z.string()),
});

const bugResult = z.object({
  name: z.string(),
  level: z.enum(['model', 'data-plane', 'cluster']),
  breaks: z.array(invariantId),
  caught: z.boolean(),
  invariant: z.string().optional(),
  seconds,
  size: count.optional(),
  counterexample: z.string().optional(),
});

const timelineValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const timelineEvent = z.object({
  atMicros: z.number().nonnegative(),
  lane: z.string(),
  kind: z.enum(['fault', 'role', 'output', 'message', 'lock', 'violation', 'note']),
  text: z.string(),
  msg: z.number().int().nonnegative().optional(),
  to: z.string().optional(),
  from: z.string().optional(),
  lost: z.string().optional(),
  lanes: z.array(z.string()).optional(),
  state: z.record(z.string(), z.record(z.string(), timelineValue)).optional(),
});

const counterexampleSummary = z.object({
  path: z.string(),
  invariant: invariantId,
  atMicros: z.number().nonnegative(),
  host: z.string().optional(),
  message: z.string(),
  reproduce: z.string(),
  mermaid: z.string(),
  timeline: z.array(timelineEvent),
});

/** The schema of results.json; its inferred type equals `GateResults` (checked in the tests). */
export const gateResultsSchema = z.object({
  version: z.literal(RESULTS_VERSION),
  tool: z.object({ name: z.literal('ftcheck'), version: z.string() }),
  config: z.object({
    hosts: count,
    guests: z.array(z.string()),
    budgetSeconds: seconds,
    seed: z.number().int(),
    shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
    bugs: z.array(z.string()),
  }),
  verdict: z.enum(['pass', 'fail', 'error', 'interrupted']),
  invariants: z.record(invariantId, invariantResult),
  explore: exploreResult.optional(),
  conformance: conformanceResult.optional(),
  fuzz: fuzzResult.optional(),
  bugs: z.array(bugResult).optional(),
  counterexamples: z.array(counterexampleSummary),
  diagrams: z.array(z.object({ name: z.string(), svg: z.string(), mermaid: z.string() })),
  figures: z.record(z.string(), z.union([z.number(), z.string()])),
  durationSeconds: seconds,
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
