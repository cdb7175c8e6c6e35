// One request to an explorer worker thread and its reply: a thread that dies or answers with an
// error rejects, naming which kind of worker failed.
import type { Worker } from 'node:worker_threads';

type Reply = { kind: string; error?: string };

export function askWorker<R extends Reply>(
  worker: Worker,
  request: unknown,
  what: string,
  transfer: ArrayBuffer[] = [],
): Promise<Exclude<R, { kind: 'error' }>> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`${what} failed: ${error.message}`));
    worker.once('error', onError);
    worker.once('message', (reply: R) => {
      worker.off('error', onError);
      if (reply.kind === 'error') reject(new Error(`${what} failed: ${reply.error}`));
      else resolve(reply as Exclude<R, { kind: 'error' }>);
    });
    worker.postMessage(request, transfer);
  });
}
