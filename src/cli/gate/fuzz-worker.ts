// Worker-thread entry: runs fuzz chunks sent by the gate's pool and posts their results back.
import { parentPort } from 'node:worker_threads';
import { type FuzzChunkRequest, runFuzzChunk } from './fuzz-chunk.ts';

parentPort?.on('message', async (request: FuzzChunkRequest) => {
  try {
    parentPort?.postMessage({ ok: true, result: await runFuzzChunk(request) });
  } catch (error) {
    parentPort?.postMessage({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
