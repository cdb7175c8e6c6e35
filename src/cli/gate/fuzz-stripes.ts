// `ftcheck fuzz --workers N`: the campaign's search split into N stripes on worker threads (stripe
// i runs schedules i, i + N, …; src/check/fuzz/campaign.ts says why the merged result is the
// one-thread result), then shrinking in this thread. Workers report each finished schedule for
// the progress display and read the shared stop flag.
import { Worker } from 'node:worker_threads';
import {
  type FuzzCampaignOptions,
  fuzzStripe,
  stripedFuzzCampaign,
} from '../../../properties/fuzz-campaign.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { type RunCoverage, runCoverage } from '../../check/conformance/model-coverage.ts';
import { type CampaignResult, type StripeResult, stripeBound } from '../../check/fuzz/campaign.ts';
import { StopFlag } from '../../check/gate/stop-flag.ts';
import { FUZZ_WORKER_ENTRY } from './fuzz-pool.ts';

export interface FuzzStripeRequest {
  kind: 'stripe';
  seed: number;
  bug: string | null;
  runs: number;
  budgetMs?: number;
  invariants?: readonly InvariantId[];
  stripe: { count: number; index: number };
  /** The stripes' shared least failing run (Int32). */
  bound: SharedArrayBuffer;
  stop?: SharedArrayBuffer;
}

/** In the worker: runs one stripe, calling `progress` after every schedule. */
export function runFuzzStripe(request: FuzzStripeRequest, progress: () => void): StripeResult<RunCoverage> {
  const stop = new StopFlag(request.stop);
  return fuzzStripe(
    {
      seed: request.seed,
      bug: request.bug,
      runs: request.runs,
      ...(request.budgetMs === undefined ? {} : { budgetMs: request.budgetMs }),
      ...(request.invariants === undefined ? {} : { invariants: request.invariants }),
      stop: () => stop.reason,
      outDir: null,
      onRun: progress,
    },
    { ...request.stripe, bound: new Int32Array(request.bound) },
    (result) => runCoverage(result.trace.entries),
  );
}

export interface StripedFuzzOptions {
  workers: number;
  /** The campaign as one thread would run it (a count of runs is required: stripes split it). */
  campaign: FuzzCampaignOptions & { runs: number };
  stop: StopFlag;
  /** Schedules finished so far, over all workers. */
  onRun?: (runs: number) => void;
  /** Every schedule the one-thread search would have run, with what it covered. */
  onCoverage: (coverage: RunCoverage) => void;
}

type StripeReply =
  | { progress: true }
  | { ok: true; result: StripeResult<RunCoverage> }
  | { ok: false; error: string };

export async function runStripedFuzz(options: StripedFuzzOptions): Promise<CampaignResult> {
  const { workers } = options;
  const { seed, bug, runs, budgetMs, invariants } = options.campaign;
  const campaign = stripedFuzzCampaign({ ...options.campaign, stop: () => options.stop.reason });
  const bound = stripeBound(runs);
  let done = 0;
  // Workers start their own clocks after loading: the ceiling is kept here, from the start.
  const ceiling = budgetMs === undefined ? null : setTimeout(() => options.stop.request('ceiling'), budgetMs);
  const threads = Array.from({ length: workers }, () => new Worker(FUZZ_WORKER_ENTRY));
  try {
    const stripes = await Promise.all(
      threads.map(
        (worker, index) =>
          new Promise<StripeResult<RunCoverage>>((resolve, reject) => {
            worker.on('error', reject);
            worker.on('message', (reply: StripeReply) => {
              if ('progress' in reply) {
                options.onRun?.(++done);
              } else if (reply.ok) {
                resolve(reply.result);
              } else {
                reject(new Error(`fuzz worker failed: ${reply.error}`));
              }
            });
            const request: FuzzStripeRequest = {
              kind: 'stripe',
              seed,
              bug,
              runs,
              ...(budgetMs === undefined ? {} : { budgetMs }),
              ...(invariants === undefined ? {} : { invariants }),
              stripe: { count: workers, index },
              bound: bound.buffer as SharedArrayBuffer,
              stop: options.stop.buffer,
            };
            worker.postMessage(request);
          }),
      ),
    );
    return await campaign.finish(stripes, options.onCoverage);
  } finally {
    if (ceiling !== null) clearTimeout(ceiling);
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
