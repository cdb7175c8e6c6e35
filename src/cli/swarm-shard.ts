// Shard files of a swarm (`ftcheck explore --swarm K --shard i/n --out DIR`): the records of the
// members the shard ran (their plans, figures, first violation or witnesses as events, coverage
// sketches) with what fixes them — the model's bounds, the swarm's seed, K and cap, ftcheck's
// version. `ftcheck merge` reads them back as untrusted input: every field is validated (an error
// names the file and the field), shards must be of one swarm and hold each member once, each
// record's plan must be the one its member index gives, and every counterexample and witness is
// replayed on the model (summarizeSwarm) before it is believed. No timings: a shard file is a
// function of its inputs, byte for byte.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SWARM_MEMBERS_MAX, type SwarmConfig } from '../check/explorer/swarm.ts';
import {
  DEPTH_LIMIT_MAX,
  DEPTH_LIMIT_MIN,
  type MemberRecord,
  planMember,
  STRATEGIES,
} from '../check/explorer/swarmMember.ts';
import { EXACT_FINGERPRINTS_MAX, HLL_REGISTERS } from '../check/explorer/swarmSketch.ts';
import { SHARDS_MAX } from '../check/shard.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';

export const SWARM_SHARD_FORMAT = 'ftcheck-explore-swarm-shard';
export const SWARM_SHARD_VERSION = 1;

/** The cluster model a shard explored (the flags of `ftcheck explore`). */
export interface SwarmShardModel {
  name: string;
  hosts: number;
  entries: number;
  crashes: number;
  partitions: number;
  storageLosses: number;
  bug: string | null;
}

export interface SwarmShardFile {
  format: typeof SWARM_SHARD_FORMAT;
  version: typeof SWARM_SHARD_VERSION;
  tool: { name: 'ftcheck'; version: string };
  model: SwarmShardModel;
  swarm: SwarmConfig;
  shard: { index: number; count: number };
  /** The members this shard ran, ascending. */
  members: MemberRecord[];
}

/** Longest counterexample or witness a shard may carry (a member's trace is at most its depth). */
const EVENTS_MAX = 1_000_000;
const TEXT_MAX = 200;
const base64 = (bytesMax: number) =>
  z
    .string()
    .max(4 * Math.ceil(bytesMax / 3))
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const count = z.number().int().nonnegative();
const text = z.string().max(TEXT_MAX);
const eventSchema = z
  .object({ type: text })
  .catchall(z.union([text, z.number(), z.boolean(), z.null()]))
  .refine((e) => Object.keys(e).length <= 16, { message: 'an event has at most 16 fields' });
const events = z.array(eventSchema).max(EVENTS_MAX);

const recordSchema = z.strictObject({
  member: z
    .number()
    .int()
    .min(0)
    .max(SWARM_MEMBERS_MAX - 1),
  seed: z.number().int().min(0).max(0xffff_ffff),
  strategy: z.enum(STRATEGIES as [string, ...string[]]),
  depthLimit: z.number().int().min(DEPTH_LIMIT_MIN).max(DEPTH_LIMIT_MAX).nullable(),
  states: z.number().int().positive(),
  transitions: count,
  expanded: count,
  depth: count,
  end: z.enum(['exhausted', 'capped', 'violation', 'depth-limit']),
  violation: z.strictObject({ kind: z.enum(['invariant', 'deadlock']), property: text, events }).nullable(),
  witnesses: z.array(z.strictObject({ property: text, events })).max(1000),
  sketch: z.strictObject({
    states: count,
    exact: base64(EXACT_FINGERPRINTS_MAX * 8).nullable(),
    hll: base64(HLL_REGISTERS),
  }),
});

const shardSchema = z.strictObject({
  format: z.literal(SWARM_SHARD_FORMAT),
  version: z.literal(SWARM_SHARD_VERSION),
  tool: z.strictObject({ name: z.literal('ftcheck'), version: text }),
  model: z.strictObject({
    name: text,
    hosts: z.number().int().min(2).max(6),
    entries: z.number().int().min(1).max(7),
    crashes: z.number().int().min(0).max(7),
    partitions: z.number().int().min(0).max(7),
    storageLosses: z.number().int().min(0).max(7),
    bug: text.nullable(),
  }),
  swarm: z.strictObject({
    members: z.number().int().min(1).max(SWARM_MEMBERS_MAX),
    seed: z.number().int().min(0).max(0xffff_ffff),
    maxStates: z.number().int().positive(),
    symmetry: z.boolean(),
  }),
  shard: z.strictObject({
    index: z.number().int().min(1).max(SHARDS_MAX),
    count: z.number().int().min(1).max(SHARDS_MAX),
  }),
  members: z.array(recordSchema).max(SWARM_MEMBERS_MAX),
});

/** A shard file that is unreadable, malformed or inconsistent; names the file and the field. */
export class SwarmShardError extends Error {
  override name = 'SwarmShardError';
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field === '' ? '' : `field '${field}': `}${detail}`);
  }
}

/** The file name of shard i/n of a swarm over a model labelled `label` (e.g. `h3-output-before-ack`). */
export function shardFileName(label: string, shard: { index: number; count: number }): string {
  return `explore-swarm-${label}-shard-${shard.index}-of-${shard.count}.json`;
}

export async function writeSwarmShard(dir: string, label: string, file: SwarmShardFile): Promise<string> {
  const path = join(dir, shardFileName(label, file.shard));
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`);
  return path;
}

/** Whether parsed JSON claims to be a swarm shard (so `merge` knows which reader to use). */
export function isSwarmShard(json: unknown): boolean {
  return (json as { format?: unknown } | null)?.format === SWARM_SHARD_FORMAT;
}

/** Validates parsed JSON as a shard file, field by field and record by record. */
export function parseSwarmShard(json: unknown, source: string): SwarmShardFile {
  const parsed = shardSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const detail =
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : issue.message;
    throw new SwarmShardError(source, issue.path.map(String).join('.'), detail);
  }
  const file = parsed.data as SwarmShardFile;
  const { swarm, shard } = file;
  const fail = (field: string, detail: string): never => {
    throw new SwarmShardError(source, field, detail);
  };
  if (shard.index > shard.count) fail('shard.index', `must be at most shard.count (${shard.count})`);
  file.members.forEach((r, i) => {
    const at = `members.${i}`;
    if (r.member >= swarm.members) fail(`${at}.member`, `must be below swarm.members (${swarm.members})`);
    if (r.member % shard.count !== shard.index - 1)
      fail(`${at}.member`, `member ${r.member} is not in shard ${shard.index}/${shard.count}`);
    if (i > 0 && file.members[i - 1]!.member >= r.member)
      fail(`${at}.member`, 'members must be distinct and ascending');
    const plan = planMember(swarm.seed, r.member);
    for (const key of ['seed', 'strategy', 'depthLimit'] as const) {
      if (r[key] !== plan[key])
        fail(`${at}.${key}`, `member ${r.member} of seed ${swarm.seed} has ${key} ${plan[key]}`);
    }
    if (r.sketch.states !== r.states) fail(`${at}.sketch.states`, `must equal states (${r.states})`);
    if ((r.end === 'violation') !== (r.violation !== null))
      fail(`${at}.violation`, "is given exactly when end is 'violation'");
    if (r.expanded > r.states) fail(`${at}.expanded`, `must be at most states (${r.states})`);
  });
  return file;
}

export async function readSwarmShard(path: string): Promise<SwarmShardFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SwarmShardError(path, '', `cannot read the file as JSON (${reason})`);
  }
  return parseSwarmShard(json, path);
}

/** Checks that shards belong to one swarm and hold each member once; returns their records, by member. */
export function mergeShardRecords(
  shards: readonly { file: string; shard: SwarmShardFile }[],
): MemberRecord[] {
  const first = shards[0]!;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const owner = new Map<number, string>();
  for (const { file, shard } of shards) {
    for (const key of ['tool', 'model', 'swarm'] as const) {
      if (!same(shard[key], first.shard[key]))
        throw new SwarmShardError(file, key, `differs from ${first.file}: shards of one swarm only`);
    }
    if (shard.shard.count !== first.shard.shard.count)
      throw new SwarmShardError(file, 'shard.count', `differs from ${first.file}`);
    for (const r of shard.members) {
      const other = owner.get(r.member);
      if (other !== undefined)
        throw new SwarmShardError(file, 'members', `member ${r.member} is also in ${other}`);
      owner.set(r.member, file);
    }
  }
  return shards.flatMap((s) => s.shard.members).sort((a, b) => a.member - b.member);
}
