// `ftcheck merge` of swarm shards (`ftcheck explore --swarm K --shard i/n`): validates each shard
// (swarm-shard.ts), replays its counterexamples on the model its bounds name, checks that the
// shards are of one swarm with no member twice, runs again the member a pass would rest on, and
// prints the swarm's result exactly as one unsharded run would (the union's coverage, the first
// violation by member index), writing the counterexample's ITF into `--out`. Exit as `explore --swarm`: 1 violation, 0 a member exhausted
// the space, 4 inconclusive; 2 when a shard is malformed or hostile (naming the file and field).
import { readFile } from 'node:fs/promises';
import { clusterModelFromOptions } from '../../models/clusterModel.ts';
import { toolVersion } from '../base/package-root.ts';
import { summarizeSwarm } from '../check/explorer/swarm.ts';
import { planMember, runMember } from '../check/explorer/swarmMember.ts';
import { SwarmRecordError } from '../check/explorer/swarmReplay.ts';
import type { ExplorerModel } from '../check/explorer/types.ts';
import { type CliIo, UsageError } from './context.ts';
import { report } from './explore-swarm.ts';
import {
  isSwarmShard,
  mergeShardRecords,
  parseSwarmShard,
  SwarmShardError,
  type SwarmShardFile,
} from './swarm-shard.ts';

/** Parsed JSON of each file, or null for a file that is not JSON (the results reader reports it). */
export async function peekJson(files: readonly string[]): Promise<unknown[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        return JSON.parse(await readFile(file, 'utf8')) as unknown;
      } catch {
        return null;
      }
    }),
  );
}

/** Whether these files are swarm shards (all of them), gate results (none), or a mix (refused). */
export function swarmShardFiles(files: readonly string[], parsed: readonly unknown[]): boolean {
  const shards = parsed.map(isSwarmShard);
  if (shards.every((s) => !s)) return false;
  const other = files.find((_, i) => !shards[i]);
  if (other !== undefined)
    throw new UsageError(
      `cannot merge: ${other} is not an explore swarm shard, unlike ${files[shards.indexOf(true)]}`,
    );
  return true;
}

function model(file: string, shard: SwarmShardFile) {
  const { name, ...options } = shard.model;
  let built: ReturnType<typeof clusterModelFromOptions>;
  try {
    built = clusterModelFromOptions({ ...options, bug: options.bug ?? undefined });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`${file}: field 'model.bug': ${error.message}`);
    throw error;
  }
  if (built.name !== name)
    throw new UsageError(`${file}: field 'model.name': the bounds give '${built.name}', not '${name}'`);
  return built;
}

/**
 * A pass rests on one member's claim to have exhausted the space, which replaying cannot check:
 * the first such member is run again here (a member depends only on its plan and cap) and must
 * give the same record, or the shard is refused.
 */
function checkExhaustion(
  shards: readonly { file: string; shard: SwarmShardFile }[],
  built: ExplorerModel<unknown>,
) {
  const claims = shards.flatMap(({ file, shard }) =>
    shard.members
      .map((record, at) => ({ file, shard, record, at }))
      .filter((c) => c.record.end === 'exhausted'),
  );
  if (claims.length === 0) return;
  const { file, shard, record, at } = claims.reduce((a, b) => (b.record.member < a.record.member ? b : a));
  const again = runMember(built, planMember(shard.swarm.seed, record.member), {
    maxStates: shard.swarm.maxStates,
    symmetry: shard.swarm.symmetry,
  });
  if (JSON.stringify(again) === JSON.stringify(record)) return;
  const version =
    shard.tool.version === toolVersion()
      ? ''
      : ` (made by ftcheck ${shard.tool.version}, this is ${toolVersion()})`;
  throw new UsageError(
    `${file}: field 'members.${at}': member ${record.member} claims to exhaust the space, but run again it ends ${again.end} after ${again.states} states${version}`,
  );
}

/** Merges swarm shard files (already parsed as JSON); prints the swarm's result; the exit code. */
export function mergeSwarmShards(
  files: readonly string[],
  parsed: readonly unknown[],
  options: { out: string; json?: boolean },
  io: CliIo,
): number {
  const shards = files.map((file, i) => {
    try {
      return { file, shard: parseSwarmShard(parsed[i], file) };
    } catch (error) {
      if (error instanceof SwarmShardError) throw new UsageError(error.message);
      throw error;
    }
  });
  let records: ReturnType<typeof mergeShardRecords>;
  try {
    records = mergeShardRecords(shards);
  } catch (error) {
    if (error instanceof SwarmShardError) throw new UsageError(`cannot merge: ${error.message}`);
    throw error;
  }
  if (records.length === 0) throw new UsageError('cannot merge: the shards hold no member records');
  const first = shards[0]!.shard;
  const built = model(shards[0]!.file, first);
  // Each shard's records replay on their own first, so an error names the file it is in.
  for (const { file, shard } of shards) {
    if (shard.members.length === 0) continue;
    try {
      summarizeSwarm(built, shard.swarm, shard.members);
    } catch (error) {
      if (error instanceof SwarmRecordError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    }
  }
  checkExhaustion(shards, built as ExplorerModel<unknown>);
  const result = summarizeSwarm(built, first.swarm, records);
  const { name: _, bug, ...bounds } = first.model;
  const label = `h${bounds.hosts}${bug ? `-${bug}` : ''}`;
  const run = {
    model: built,
    shardModel: first.model,
    bounds,
    label,
    out: options.out,
    json: options.json === true,
  };
  return report(run, result, { shardFile: null, shard: null, seconds: null }, io);
}
