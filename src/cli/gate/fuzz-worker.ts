// Worker-thread entry: runs fuzz chunks sent by the gate's pool, or one stripe of `ftcheck fuzz`'s
// search (reporting every finished schedule), and posts the result back.
import { parentPort } from 'node:worker_threads';
import { type FuzzChunkRequest, runFuzzChunk } from './fuzz-chunk.ts';
import { type FuzzStripeRequest, runFuzzStripe } from './fuzz-stripes.ts';

parentPort?.on('message', async (request: FuzzChunkRequest | FuzzStripeRequest) => {
  try {
    const result =
      'kind' in request && request.kind === 'stripe'
        ? runFuzzStripe(request, () => parentPort?.postMessage({ progress: true }))
        : await runFuzzChunk(request as FuzzChunkRequest);
    parentPort?.postMessage({ ok: true, result });
  } catch (error) {
    parentPort?.postMessage({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
