// ftcheck.config.json / ftcheck.config.ts: validated at the door; flags override it.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DurationError, parseDurationMicros } from '../base/duration.ts';
import { GUEST_WORKLOADS } from '../cluster/workloads.ts';
import { importTypeScriptConfig } from './config-ts.ts';
import { type IntRange, UsageError } from './context.ts';

/** A UTF-8 byte-order mark some editors write at the start of a file; JSON.parse refuses it. */
export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

const duration = z.string().refine(
  (text) => {
    try {
      parseDurationMicros(text, 'duration');
      return true;
    } catch (error) {
      if (error instanceof DurationError) return false;
      throw error;
    }
  },
  { message: 'expected a duration like 250ms, 2s or 5m' },
);

/** Ranges a config field and its flag share, so a value means the same wherever it comes from. */
export const RANGES = {
  /** Hosts of the model check (the gate's and `ftcheck explore`'s). */
  hosts: { min: 2, max: 6 },
  seed: { min: 0, max: 0xffff_ffff },
  workers: { min: 1, max: 64 },
} as const satisfies Record<string, IntRange>;

/** Most worker threads the default picks: each holds its own cluster simulation (~200 MB). */
const DEFAULT_WORKERS_MAX = 8;

/**
 * The gate's worker threads when neither `--workers` nor the config says: one per CPU (at most
 * DEFAULT_WORKERS_MAX), or FTCHECK_WORKERS when set (the test suite runs in parallel itself and
 * sets it to 1). Never part of a verdict: results are the same with any number of workers.
 */
export function defaultWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.FTCHECK_WORKERS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) {
    return Math.min(RANGES.workers.max, Math.max(RANGES.workers.min, Number(fromEnv)));
  }
  return Math.max(1, Math.min(availableParallelism(), DEFAULT_WORKERS_MAX));
}

/** A wall-clock budget: at least a second, at most a day. */
export const BUDGET_MICROS = { min: 1_000_000, max: 86_400_000_000 } as const;
const BUDGET_RULE = 'a duration between 1s and 24h';

const budget = duration.refine(
  (text) => {
    try {
      const micros = parseDurationMicros(text, 'budget');
      return micros >= BUDGET_MICROS.min && micros <= BUDGET_MICROS.max;
    } catch {
      return true; // not a duration at all: the rule above already says so
    }
  },
  { message: `expected ${BUDGET_RULE}` },
);

/** Parses a budget flag (`--budget 4m`) to microseconds within BUDGET_MICROS, naming the flag. */
export function parseBudgetFlag(flag: string, text: string): number {
  let micros: number;
  try {
    micros = parseDurationMicros(text, flag);
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(error.message);
    throw error;
  }
  if (micros < BUDGET_MICROS.min || micros > BUDGET_MICROS.max) {
    throw new UsageError(`${flag} must be ${BUDGET_RULE}, got '${text}'`);
  }
  return micros;
}

export const configSchema = z
  .object({
    /** Hosts in the simulated cluster and in the exhaustive model check. */
    hosts: z.number().int().min(RANGES.hosts.min).max(RANGES.hosts.max).default(3),
    /**
     * Guests the fuzz campaign runs (those with a client workload). The bug self-test ignores it:
     * it checks the checkers on the whole space, whatever campaign the user asked for.
     */
    guests: z
      .array(z.enum(GUEST_WORKLOADS))
      .min(1)
      .default([...GUEST_WORKLOADS]),
    /**
     * Wall-clock ceiling of the whole gate (none by default). Reaching it stops the gate with the
     * verdict 'inconclusive' (exit 4), never 'fail': the verdict is decided by `campaign`.
     */
    budget: budget.optional(),
    /** The fixed campaign (defaults in src/check/gate/campaign-plan.ts). */
    campaign: z
      .object({
        fuzzSeeds: z.number().int().min(1).max(100_000).optional(),
        fuzzRuns: z.number().int().min(1).max(1_000_000).optional(),
        bugRuns: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .default({}),
    seed: z.number().int().min(RANGES.seed.min).max(RANGES.seed.max).default(1),
    /** Worker threads of the gate's fuzz campaign; default: defaultWorkers(). */
    workers: z.number().int().min(RANGES.workers.min).max(RANGES.workers.max).optional(),
    /** Seeded bugs to switch on (the gate then must fail): names from `ftcheck bugs`. */
    bugs: z.array(z.string()).default([]),
    /** Protocol timeouts, in simulated time. */
    timeouts: z
      .object({
        heartbeat: duration.default('1s'),
        logging: duration.default('1s'),
      })
      .strict()
      .default({ heartbeat: '1s', logging: '1s' }),
    /** Where reports go. */
    out: z.string().default('reports'),
  })
  .strict();

export type FtcheckConfig = z.infer<typeof configSchema>;
/** What a config file may say (every field optional; defaults as documented above). */
export type FtcheckConfigInput = z.input<typeof configSchema>;

export const CONFIG_FILES = ['ftcheck.config.json', 'ftcheck.config.ts'];

/** Validates a config object; the error names each bad field. */
export function parseConfig(raw: unknown, source: string): FtcheckConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new UsageError(`${source}: invalid configuration\n  ${problems.join('\n  ')}`);
}

/** Loads the config file given, or the first of CONFIG_FILES in `dir`, or the defaults. */
export async function loadConfig(dir: string, explicitPath?: string): Promise<FtcheckConfig> {
  const path = explicitPath
    ? resolve(explicitPath)
    : CONFIG_FILES.map((f) => resolve(dir, f)).find(existsSync);
  if (!path) return parseConfig({}, 'defaults');
  if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
  if (path.endsWith('.ts')) return parseConfig(await importTypeScriptConfig(path), path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(stripBom(text));
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(raw, path);
}
