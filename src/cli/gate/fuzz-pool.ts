// Runs fuzz chunks on worker threads (`--workers N`), or in this thread when N = 1. A worker that
// finishes a chunk takes the next one at once (a queue, not rounds: one slow chunk no longer
// idles the others); results are handed on in chunk order so the campaign stays a pure function
// of its seeds whatever the scheduling. In this thread a chunk yields to the event loop between
// runs, so signals and the ceiling are seen; workers read the shared stop flag.
import { Worker } from 'node:worker_threads';
import { assert } from '../../base/assert.ts';
import { type FuzzChunkRequest, type FuzzChunkResult, runFuzzChunk } from './fuzz-chunk.ts';

/**
 * The built package (dist/) starts the compiled worker directly; the sources (tests, `npm start`)
 * go through a bootstrap that registers tsx first, which Node 20 does not do for worker threads.
 */
export const FUZZ_WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./fuzz-worker-entry.mjs', import.meta.url)
  : new URL('./fuzz-worker.js', import.meta.url);

type Reply = { ok: true; result: FuzzChunkResult } | { ok: false; error: string };

export class FuzzPool {
  private readonly workers: Worker[] = [];

  constructor(readonly size: number) {
    assert(Number.isInteger(size) && size >= 1, 'worker pool size must be a positive integer');
    if (size === 1) return;
    for (let i = 0; i < size; i++) {
      this.workers.push(new Worker(FUZZ_WORKER_ENTRY));
    }
  }

  /**
   * Runs `requests` on the pool and hands each result to `take` in request order (a result that
   * finishes early waits for the ones before it). Before a request starts, `skip(index)` may drop
   * it (the campaign already has its answer); a skipped request gets no result. Requests started
   * before the answer are still finished, and `take` sees them in order: deciding to ignore them is
   * the caller's, so the outcome is the same with any number of workers.
   */
  async runOrdered(
    requests: readonly FuzzChunkRequest[],
    take: (result: FuzzChunkResult, index: number) => void,
    skip: (index: number) => boolean = () => false,
  ): Promise<void> {
    if (this.workers.length === 0) {
      for (let i = 0; i < requests.length; i++) {
        if (skip(i)) continue;
        take(await runFuzzChunk(requests[i]!), i);
      }
      return;
    }
    const results: (FuzzChunkResult | undefined)[] = new Array(requests.length);
    const skipped: boolean[] = new Array(requests.length).fill(false);
    let nextToStart = 0;
    let nextToTake = 0;
    const handOn = () => {
      while (nextToTake < nextToStart && (skipped[nextToTake] || results[nextToTake] !== undefined)) {
        if (!skipped[nextToTake]) take(results[nextToTake]!, nextToTake);
        results[nextToTake] = undefined;
        nextToTake++;
      }
    };
    const work = async (worker: Worker) => {
      for (;;) {
        while (nextToStart < requests.length && skip(nextToStart)) skipped[nextToStart++] = true;
        if (nextToStart >= requests.length) return;
        const index = nextToStart++;
        results[index] = await this.runOn(worker, requests[index]!);
        handOn();
      }
    };
    await Promise.all(this.workers.map((worker) => work(worker)));
    handOn();
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
