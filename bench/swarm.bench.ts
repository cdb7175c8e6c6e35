// explorerSwarm: swarm verification (`explore --swarm`) on a model too big to finish within the
// swarm's budget — the cluster model at 4 hosts, 3 log entries, 2 crashes, 2 partitions, whose
// breadth-first search is still incomplete after as many states as 8 members store together.
// Figures: the distinct states the union of the first K members reaches (K = 1, 2, 4, 8; member m
// does not depend on K, so the swarm of K members is the first K of one run) with a fixed cap per
// member, beside the sum of their states (the rest is overlap); and the wall-clock speed-up of the
// 8 members with `--workers 2` against `--workers 1` (in the main thread) as the CLI runs them, and
// on 2 worker threads against 1 in this process (both paying the workers' start-up, with their
// CPU-seconds), fastest of 2 alternated runs each, with identical results checked.
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTER_MODEL_MODULE, createClusterModel } from '../models/clusterModel.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { runSwarmMembers, summarizeSwarm, swarmConfig } from '../src/check/explorer/swarm.ts';
import { runSwarmThreads } from '../src/check/explorer/swarmThreads.ts';

const BOUNDS = { hosts: 4, entries: 3, crashes: 2, partitions: 2, storageLosses: 1 };
const CAP = 50_000;
const MEMBERS = 8;
const SEED = 1;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const FTCHECK = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'ftcheck.js');

/** `ftcheck explore --swarm 8 --workers N --json` in a fresh process: its output and wall-clock seconds. */
function cli(workers: number): { out: string; seconds: number } {
  const flags = Object.entries(BOUNDS).map(([k, v]) => [
    `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    String(v),
  ]);
  const args = [
    FTCHECK,
    'explore',
    ...flags.flat(),
    '--swarm',
    String(MEMBERS),
    '--swarm-seed',
    String(SEED),
  ];
  args.push('--max-states', String(CAP), '--workers', String(workers), '--json');
  const started = performance.now();
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
  } catch (error) {
    // Exit 4 (inconclusive) is this model's expected verdict.
    const failed = error as { status?: number; stdout?: string };
    if (failed.status !== 4 || failed.stdout === undefined) throw error;
    out = failed.stdout;
  }
  return { out, seconds: (performance.now() - started) / 1000 };
}

/** The CLI with 1 and 2 workers, alternated twice; fastest of each, outputs checked identical. */
function cliSpeedup() {
  const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let reference: string | null = null;
  for (let k = 0; k < 2; k++) {
    for (const workers of [1, 2] as const) {
      const { out, seconds: s } = cli(workers);
      reference ??= out;
      if (out !== reference) throw new Error(`--workers ${workers} printed another result`);
      seconds[workers].push(s);
    }
  }
  const [one, two] = [Math.min(...seconds[1]), Math.min(...seconds[2])];
  return {
    seconds1: round(one),
    seconds2: round(two),
    speedup: round(one / two),
    runsSeconds1: seconds[1].map((x) => round(x)),
    runsSeconds2: seconds[2].map((x) => round(x)),
  };
}

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const model = createClusterModel(BOUNDS);
  const options = { members: MEMBERS, seed: SEED, maxStates: CAP };
  const config = swarmConfig(model, options);
  // The yardstick: one breadth-first search with the whole swarm's budget does not finish.
  const bfs = explore(model, { skipLiveness: true, maxStates: MEMBERS * CAP });
  if (bfs.complete) throw new Error(`the model finished in ${bfs.states} states: pick bigger bounds`);
  const started = performance.now();
  const records = runSwarmMembers(model, options);
  const inThreadSeconds = (performance.now() - started) / 1000;
  const coverage: Record<string, unknown> = {};
  for (const k of [1, 2, 4, 8]) {
    const result = summarizeSwarm(model, config, records.slice(0, k));
    if (result.verdict !== 'inconclusive')
      throw new Error(`K=${k}: the correct model gave ${result.verdict}`);
    coverage[`k${k}`] = {
      distinctStates: result.coverage.states,
      exact: result.coverage.exact,
      memberStates: records.slice(0, k).reduce((n, r) => n + r.states, 0),
    };
  }
  const source = { module: CLUSTER_MODEL_MODULE, exportName: 'clusterModelFromOptions', args: [BOUNDS] };
  const members = Array.from({ length: MEMBERS }, (_, m) => m);
  const seconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const cpuSeconds: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < 2; round++) {
    for (const threads of [1, 2] as const) {
      const started = performance.now();
      const cpu = process.cpuUsage(); // of the process: worker threads included
      const threaded = await runSwarmThreads(source, config, members, threads);
      seconds[threads].push((performance.now() - started) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds[threads].push((used.user + used.system) / 1e6);
      if (JSON.stringify(threaded) !== JSON.stringify(records))
        throw new Error(`${threads} thread(s) gave other member records than this thread`);
    }
  }
  const [one, two] = [Math.min(...seconds[1]), Math.min(...seconds[2])];
  const cpuTwo = cpuSeconds[2][seconds[2].indexOf(two)]!;
  return {
    explorerSwarm: {
      model: model.name,
      maxStatesPerMember: CAP,
      seed: SEED,
      strategies: records.map((r) => (r.depthLimit === null ? r.strategy : `${r.strategy}(${r.depthLimit})`)),
      coverage,
      bfsSameBudget: { states: bfs.states, complete: bfs.complete, depth: bfs.depth },
      cli: cliSpeedup(),
      threads: {
        seconds1: round(one),
        seconds2: round(two),
        speedup: round(one / two),
        inThreadSeconds: round(inThreadSeconds),
        speedupOverInThread: round(inThreadSeconds / two),
        // CPU-seconds per wall second of the 2-thread run: below 2 when the cores are shared.
        coresUsed2: round(cpuTwo / two, 2),
        runsSeconds1: seconds[1].map((s) => round(s)),
        runsSeconds2: seconds[2].map((s) => round(s)),
        runsCpuSeconds1: cpuSeconds[1].map((s) => round(s)),
        runsCpuSeconds2: cpuSeconds[2].map((s) => round(s)),
      },
      cpus: availableParallelism(),
      loadAverage1m: round(loadavg()[0]!, 2),
      note: 'coverage: distinct states (exact, 64-bit fingerprints) of the union of members 0..K-1, each capped at maxStatesPerMember; memberStates: their sum (the difference is overlap); bfsSameBudget: explore (BFS, safety only) stopped after expanding K=8 × the cap states (it stores more), incomplete, so the model is too big to finish within the budget; cli: `ftcheck explore <bounds> --swarm 8 --max-states 50000 --workers 1|2 --json` in fresh processes (what a user runs), wall clock with process start-up, fastest of 2 alternated runs, identical output; threads: the 8 members on 1 and 2 worker threads in this process, worker start-up (tsx) included, fastest of 2 alternated runs, same records as in this thread, cpuSeconds of the whole process; inThreadSeconds: the same 8 members in the main thread, no workers (what --workers 1 does), speedupOverInThread against it; coresUsed2: CPU-seconds per wall second of the fastest 2-thread run (below 2 when the cores are shared); the machine is shared, so compare within this run',
    },
  };
}
