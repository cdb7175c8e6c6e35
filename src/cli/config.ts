// ftcheck.config.json / ftcheck.config.ts: validated at the door; flags override it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DurationError, parseDurationMicros } from '../base/duration.ts';
import { importTypeScriptConfig } from './config-ts.ts';
import { UsageError } from './context.ts';

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

export const GUEST_NAMES = ['crc', 'kvstore', 'ledger', 'clock'] as const;

export const configSchema = z
  .object({
    /** Hosts in the simulated cluster and in the exhaustive model check. */
    hosts: z.number().int().min(2).max(5).default(3),
    /** Guests the fuzz campaign runs. */
    guests: z.array(z.enum(GUEST_NAMES)).min(1).default(['kvstore', 'ledger']),
    /** Wall-clock budget of the whole gate. */
    budget: duration.default('4m'),
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
    workers: z.number().int().min(1).max(64).default(1),
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
