// A swarm's members on worker threads (`explore --swarm K --workers N`): members are independent,
// so each of N threads takes the next member not yet started until none is left. The records are
// put back in member order, and a member's record does not depend on the thread that ran it, so
// the result is the same as `exploreSwarm`'s in one thread, only sooner.
import { Worker } from 'node:worker_threads';
import { assert } from '../../base/assert.ts';
import { loadModel, type ModelSource } from './parallelProtocol.ts';
import {
  checkSwarmOptions,
  type SwarmConfig,
  type SwarmOptions,
  type SwarmResult,
  summarizeSwarm,
  swarmConfig,
  swarmMemberList,
} from './swarm.ts';
import type { MemberRecord } from './swarmMember.ts';
import { planMember } from './swarmMember.ts';
import type { SwarmWorkerReply, SwarmWorkerRequest } from './swarmWorker.ts';
import type { ExplorerModel } from './types.ts';
import { askWorker } from './worker-ask.ts';

/** The built package starts the compiled worker; the sources go through a tsx bootstrap (Node 20). */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./swarm-worker-entry.mjs', import.meta.url)
  : new URL('./swarmWorker.js', import.meta.url);

async function ask(worker: Worker, request: SwarmWorkerRequest): Promise<MemberRecord> {
  return (await askWorker<SwarmWorkerReply>(worker, request, 'swarm worker')).record;
}

/** Runs `members` of the swarm `config` on `workers` threads; their records, in the order given. */
export async function runSwarmThreads(
  source: ModelSource,
  config: SwarmConfig,
  members: readonly number[],
  workers: number,
): Promise<MemberRecord[]> {
  assert(Number.isInteger(workers) && workers >= 1, 'a threaded swarm has a worker or more');
  const records: MemberRecord[] = new Array(members.length);
  const pool = Array.from({ length: Math.min(workers, members.length) }, () => new Worker(WORKER_ENTRY));
  let next = 0;
  const drain = async (worker: Worker) => {
    while (next < members.length) {
      const at = next++;
      records[at] = await ask(worker, {
        source,
        plan: planMember(config.seed, members[at]!),
        maxStates: config.maxStates,
        symmetry: config.symmetry,
      });
    }
  };
  try {
    await Promise.all(pool.map(drain));
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return records;
}

/** `exploreSwarm` with the members on worker threads; the model is loaded from `source`. */
export async function exploreSwarmThreads<C>(
  source: ModelSource,
  options: SwarmOptions & { workers: number },
): Promise<SwarmResult<C>> {
  checkSwarmOptions(options);
  const model = (await loadModel(source)) as ExplorerModel<C>;
  const config = swarmConfig(model, options);
  const records = await runSwarmThreads(source, config, swarmMemberList(options), options.workers);
  return summarizeSwarm(model, config, records);
}
