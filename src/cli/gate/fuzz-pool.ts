// Runs fuzz chunks on worker threads (`--workers N`), or in this thread when N = 1. Each worker
// takes one chunk at a time; results come back in chunk order so the campaign stays a pure
// function of its seeds whatever the scheduling. In this thread a chunk yields to the event loop
// between runs, so signals and the ceiling are seen; workers read the shared stop flag.
import { Worker } from 'node:worker_threads';
import { assert } from '../../base/assert.ts';
import { type FuzzChunkRequest, type FuzzChunkResult, runFuzzChunk } from './fuzz-chunk.ts';

/**
 * The built package (dist/) starts the compiled worker directly; the sources (tests, `npm start`)
 * go through a bootstrap that registers tsx first, which Node 20 does not do for worker threads.
 */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./fuzz-worker-entry.mjs', import.meta.url)
  : new URL('./fuzz-worker.js', import.meta.url);

type Reply = { ok: true; result: FuzzChunkResult } | { ok: false; error: string };

export class FuzzPool {
  private readonly workers: Worker[] = [];

  constructor(readonly size: number) {
    assert(Number.isInteger(size) && size >= 1, 'worker pool size must be a positive integer');
    if (size === 1) return;
    for (let i = 0; i < size; i++) {
      this.workers.push(new Worker(WORKER_ENTRY));
    }
  }

  /** Runs one round of chunks (one per worker) and returns their results in request order. */
  async runRound(requests: FuzzChunkRequest[]): Promise<FuzzChunkResult[]> {
    assert(requests.length <= this.size, 'a round has at most one chunk per worker');
    if (this.workers.length === 0) {
      const results: FuzzChunkResult[] = [];
      for (const request of requests) results.push(await runFuzzChunk(request));
      return results;
    }
    return Promise.all(requests.map((request, i) => this.runOn(this.workers[i]!, request)));
  }

  private runOn(worker: Worker, request: FuzzChunkRequest): Promise<FuzzChunkResult> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      worker.once('error', onError);
      worker.once('message', (reply: Reply) => {
        worker.off('error', onError);
        if (reply.ok) resolve(reply.result);
        else reject(new Error(`fuzz worker failed: ${reply.error}`));
      });
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
