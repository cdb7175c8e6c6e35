// One explorer measurement in a fresh process, so peak RSS figures do not pollute each other.
// Usage: node --import tsx bench/explorer.child.ts <compiled|generic|xstate-graph|safety> '<options JSON>'
// (the bench runs it built: node <out>/bench/explorer.child.js, see explorer.bench.ts)
// Options are the cluster model's, or `{ "toy": [L, O, E] }` for the SPIN yardstick's toy model;
// mode `safety` runs the compiled engine without temporal properties on `workers` threads
// (`{ "workers": N }`, 1 = the sequential search), for the parallel speed-up.
// Prints one JSON line: states, transitions, seconds, cpuSeconds, statesPerSecond, peakRssBytes.
import { getAdjacencyMap } from '@xstate/graph';
import { CLUSTER_MODEL_MODULE, createClusterModel } from '../models/clusterModel.ts';
import { canonicalClusterContext } from '../models/clusterState.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { exploreParallel } from '../src/check/explorer/parallel.ts';
import type { ExplorerModel } from '../src/check/explorer/types.ts';
import { toyModel } from './spin/model.ts';

const [mode, optionsJson] = process.argv.slice(2);
const { toy, workers, ...options } = JSON.parse(optionsJson ?? '{}') as {
  toy?: [number, number, number];
  workers?: number;
};
const model = (toy ? toyModel(...toy) : createClusterModel(options)) as ExplorerModel<unknown>;
/** Run from the sources (tsx) or as built JavaScript (explorer.bench.ts builds it). */
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const source = toy
  ? { module: new URL(`./spin/model.${extension}`, import.meta.url).href, exportName: 'toyModel', args: toy }
  : { module: CLUSTER_MODEL_MODULE, exportName: 'clusterModelFromOptions', args: [options] };
// RSS once the model is built and before exploring: what the search itself adds is peak − this.
const baselineRssBytes = process.memoryUsage().rss;
const started = performance.now();
const cpuStart = process.cpuUsage();
let states = 0;
let transitions = 0;
let storeBytes = 0;
if (mode === 'xstate-graph') {
  // Same model, same symmetry: states are keyed by their canonical context.
  const events = createClusterModel(options).events();
  const adjacency = getAdjacencyMap(model.machine, {
    events: () => [...events],
    serializeState: (s) => JSON.stringify(canonicalClusterContext(s.context as never)),
  });
  states = Object.keys(adjacency).length;
  for (const entry of Object.values(adjacency)) {
    const steps = Object.values(entry.transitions) as { state: unknown }[];
    transitions += steps.filter((t) => t.state !== entry.state).length;
  }
} else if (mode === 'compiled' || mode === 'generic' || mode === 'safety') {
  const result =
    mode !== 'safety'
      ? // The figure is the main search's throughput; the fairness search (without symmetry) is not in it.
        explore(model, { engine: mode, eventually: false })
      : (workers ?? 1) === 1
        ? explore(model, { engine: 'compiled', skipLiveness: true })
        : await exploreParallel(source, { workers: workers!, skipLiveness: true });
  if (result.violations.length > 0)
    throw new Error(`the correct model violates ${result.violations[0]!.property}`);
  if (workers !== undefined && workers > 1 && !result.parallel?.note.startsWith('the workers took over'))
    throw new Error(`the parallel search did not run on its workers: ${result.parallel?.note}`);
  states = result.states;
  transitions = result.transitions;
  storeBytes = result.storeBytes;
} else {
  throw new Error(`unknown mode '${mode}': use compiled, generic, xstate-graph or safety`);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({
    mode,
    model: model.name,
    states,
    transitions,
    seconds,
    cpuSeconds,
    statesPerSecond: Math.round(states / seconds),
    statesPerCpuSecond: Math.round(states / cpuSeconds),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
    storeBytes,
  })}\n`,
);
