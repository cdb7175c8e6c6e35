// `ftcheck explore --swarm K`: swarm verification of the cluster model (src/check/explorer/swarm.ts)
// — K bounded searches of at most `--max-states` states each, diversified by `--swarm-seed`,
// on `--workers` threads; `--shard i/n` runs members i-1, i-1+n, … and writes a shard file into
// `--out` for `ftcheck merge`. Exit 1 on a violation, 0 only when a member exhausted the whole
// space, else 4 (inconclusive: bounded, not a proof).

import { CLUSTER_MODEL_MODULE, type createClusterModel } from '../../models/clusterModel.ts';
import type { ClusterContext } from '../../models/clusterState.ts';
import { toolVersion } from '../base/package-root.ts';
import {
  runSwarmMembers,
  SWARM_MEMBERS_MAX,
  type SwarmConfig,
  type SwarmResult,
  shardMembers,
  summarizeSwarm,
  swarmConfig,
  swarmMemberList,
} from '../check/explorer/swarm.ts';
import type { MemberRecord } from '../check/explorer/swarmMember.ts';
import { runSwarmThreads } from '../check/explorer/swarmThreads.ts';
import { parseShard, type Shard, ShardError } from '../check/shard.ts';
import { RANGES } from './config.ts';
import { type CliIo, parseIntInRange, parsePositiveInt, UsageError } from './context.ts';
import { writeItf } from './explore-itf.ts';
import { swarmExitCode, swarmJson, swarmText } from './swarm-report.ts';
import {
  SWARM_SHARD_FORMAT,
  SWARM_SHARD_VERSION,
  type SwarmShardFile,
  type SwarmShardModel,
  writeSwarmShard,
} from './swarm-shard.ts';

/** A member's cap when `--max-states` is not given. */
export const SWARM_MAX_STATES_DEFAULT = 100_000;

export interface SwarmFlags {
  swarm?: string;
  swarmSeed?: string;
  shard?: string;
  maxStates?: string;
}

export interface SwarmPlan {
  members: number;
  seed: number;
  maxStates: number;
  shard: Shard | null;
}

/** The swarm's flags, or null without `--swarm`; refuses swarm-only flags without it. */
export function parseSwarmFlags(flags: SwarmFlags): SwarmPlan | null {
  if (flags.swarm === undefined) {
    if (flags.swarmSeed !== undefined) throw new UsageError('--swarm-seed needs --swarm K');
    if (flags.shard !== undefined)
      throw new UsageError('--shard needs --swarm K (explore shards swarm members)');
    return null;
  }
  const members = parseIntInRange('--swarm', flags.swarm, { min: 1, max: SWARM_MEMBERS_MAX });
  const seed =
    flags.swarmSeed === undefined ? 1 : parseIntInRange('--swarm-seed', flags.swarmSeed, RANGES.seed);
  const maxStates =
    flags.maxStates === undefined
      ? SWARM_MAX_STATES_DEFAULT
      : parsePositiveInt('--max-states', flags.maxStates);
  let shard: Shard | null = null;
  try {
    shard = flags.shard === undefined ? null : parseShard(flags.shard);
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(error.message);
    throw error;
  }
  if (shard !== null && shard.count > members) {
    throw new UsageError(
      `--shard ${flags.shard}: a swarm of ${members} members has at most ${members} shards (--swarm ${members})`,
    );
  }
  return { members, seed, maxStates, shard };
}

/** What the explore command hands over: the model, its flags, threads and where files go. */
export interface SwarmRun {
  model: ReturnType<typeof createClusterModel>;
  shardModel: SwarmShardModel;
  bounds: Record<string, number>;
  label: string;
  workers: number;
  symmetry: boolean;
  out: string;
  json: boolean;
}

/** The records of the members this run is for (a shard's, or all), on this thread or on workers. */
async function records(run: SwarmRun, plan: SwarmPlan, config: SwarmConfig): Promise<MemberRecord[]> {
  const only = plan.shard === null ? swarmMemberList(config) : shardMembers(plan.members, plan.shard);
  if (run.workers === 1) return runSwarmMembers(run.model, { ...config, only });
  const { name: _, bug, ...bounds } = run.shardModel;
  const source = {
    module: CLUSTER_MODEL_MODULE,
    exportName: 'clusterModelFromOptions',
    args: [{ ...bounds, ...(bug === null ? {} : { bug }) }],
  };
  return runSwarmThreads(source, config, only, run.workers);
}

/** Runs the swarm (or this shard of it), prints the result, writes files; returns the exit code. */
export async function runExploreSwarm(run: SwarmRun, plan: SwarmPlan, io: CliIo): Promise<number> {
  const started = performance.now();
  const options = {
    members: plan.members,
    seed: plan.seed,
    maxStates: plan.maxStates,
    symmetry: run.symmetry,
  };
  const config = swarmConfig(run.model, options);
  const members = await records(run, plan, config);
  const result: SwarmResult<ClusterContext> = summarizeSwarm(run.model, config, members);
  const seconds = (performance.now() - started) / 1000;
  let shardFile: string | null = null;
  if (plan.shard !== null) {
    const file: SwarmShardFile = {
      format: SWARM_SHARD_FORMAT,
      version: SWARM_SHARD_VERSION,
      tool: { name: 'ftcheck', version: toolVersion() },
      model: run.shardModel,
      swarm: config,
      shard: { index: plan.shard.index, count: plan.shard.count },
      members,
    };
    shardFile = await writeSwarmShard(run.out, run.label, file);
  }
  return report(run, result, { shardFile, shard: plan.shard, seconds }, io);
}

/** Prints a swarm result (of this run, or merged from shards) and writes its ITF; the exit code. */
export function report(
  run: Pick<SwarmRun, 'model' | 'shardModel' | 'bounds' | 'label' | 'out' | 'json'>,
  result: SwarmResult<ClusterContext>,
  extra: { shardFile: string | null; shard: Shard | null; seconds: number | null },
  io: CliIo,
): number {
  const v = result.violation;
  const itf = v === null ? null : writeItf(run.out, result.model, v, `swarm-${run.label}`, run.model.itfVars);
  const ctx = {
    bounds: run.bounds,
    bug: run.shardModel.bug,
    view: run.model.view as never,
    itf,
    shard: extra.shard && extra.shardFile ? { ...extra.shard, file: extra.shardFile } : null,
  };
  if (run.json) io.out(JSON.stringify(swarmJson(result, ctx), null, 2));
  else {
    const lines = swarmText(result, ctx);
    const verdict = lines.pop()!;
    if (extra.seconds !== null) {
      const states = result.members.reduce((n, m) => n + m.states, 0);
      const rate = Math.round(states / Math.max(extra.seconds, 1e-9));
      lines.push(
        `time        ${extra.seconds.toFixed(2)} s (${rate} member states/s; not part of the verdict)`,
      );
    }
    for (const line of [...lines, verdict]) io.out(line);
  }
  return swarmExitCode(result);
}
