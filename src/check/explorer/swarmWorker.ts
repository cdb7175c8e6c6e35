// One worker thread of a threaded swarm (swarmThreads.ts): it loads the model once (by module and
// export name: functions cannot cross threads) and runs the members it is handed, one at a time,
// answering each with the member's record. A member's record does not depend on the thread.
import { parentPort } from 'node:worker_threads';
import { loadModel, type ModelSource } from './parallelProtocol.ts';
import { type MemberPlan, type MemberRecord, runMember } from './swarmMember.ts';
import type { ExplorerModel } from './types.ts';

export interface SwarmWorkerRequest {
  source: ModelSource;
  plan: MemberPlan;
  maxStates: number;
  symmetry: boolean;
}

export type SwarmWorkerReply = { kind: 'record'; record: MemberRecord } | { kind: 'error'; error: string };

let loaded: { key: string; model: ExplorerModel<unknown> } | null = null;

async function handle(request: SwarmWorkerRequest): Promise<SwarmWorkerReply> {
  const key = JSON.stringify(request.source);
  if (loaded?.key !== key) loaded = { key, model: await loadModel(request.source) };
  const record = runMember(loaded.model, request.plan, {
    maxStates: request.maxStates,
    symmetry: request.symmetry,
  });
  return { kind: 'record', record };
}

parentPort?.on('message', (request: SwarmWorkerRequest) => {
  handle(request).then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) =>
      parentPort?.postMessage({
        kind: 'error',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies SwarmWorkerReply),
  );
});
