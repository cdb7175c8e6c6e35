// fuzz.workerSpeedup: schedules per second of the gate's fuzz campaign on 2 worker threads
// against 1 (in this thread), measured in the same run on the same chunk seeds.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzChunkRequest } from '../src/cli/gate/fuzz-chunk.ts';
import { FuzzPool } from '../src/cli/gate/fuzz-pool.ts';

const CHUNK_MS = 8_000;

async function schedulesPerSecond(workers: number, requests: FuzzChunkRequest[]): Promise<number> {
  const pool = new FuzzPool(workers);
  // Warm up: worker start-up (tsx, module loading) is paid once per campaign, not per schedule.
  const warmUp = requests.slice(0, workers).map((r) => ({ ...r, budgetMs: 300, shrinkBudgetMs: 0 }));
  await pool.runOrdered(warmUp, () => {});
  const started = performance.now();
  let runs = 0;
  try {
    await pool.runOrdered(requests, (result) => {
      runs += result.runs;
    });
  } finally {
    await pool.close();
  }
  return runs / ((performance.now() - started) / 1000);
}

export async function run() {
  const outDir = mkdtempSync(join(tmpdir(), 'ftcheck-workers-'));
  const requests = [11, 12, 13, 14].map((seed) => ({
    seed,
    bug: null,
    budgetMs: CHUNK_MS,
    shrinkBudgetMs: 2_000,
    outDir,
  }));
  const one = await schedulesPerSecond(1, requests);
  const two = await schedulesPerSecond(2, requests);
  return {
    fuzz: {
      workerSpeedup: Math.round((two / one) * 100) / 100,
      schedulesPerSecondOneWorker: Math.round(one * 10) / 10,
      schedulesPerSecondTwoWorkers: Math.round(two * 10) / 10,
    },
  };
}
