// Explorer throughput and memory, each measurement in its own child process (peak RSS is per
// process). Figures:
// - the compiled engine on the 4-host standard model (≥ 100k states): statesPerSecond, peakRssBytes;
// - the generic engine (BFS over machine.transition) on the 2-host model;
// - @xstate/graph's getAdjacencyMap and the compiled engine on the same smaller model (its queue
//   is quadratic, so the 100k-state model would take hours): rate and memory side by side.
// Every run must report the same state count as the others on the same model.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = join(dirname(fileURLToPath(import.meta.url)), 'explorer.child.ts');

interface Measurement {
  model: string;
  states: number;
  transitions: number;
  seconds: number;
  cpuSeconds: number;
  statesPerSecond: number;
  statesPerCpuSecond: number;
  peakRssBytes: number;
  baselineRssBytes: number;
}

function measure(mode: string, options: object): Measurement {
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, mode, JSON.stringify(options)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 900_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
}

const STANDARD = { hosts: 4 };
const GENERIC = { hosts: 2 };
const GRAPH = { hosts: 2, entries: 1, crashes: 2 };

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  // The machine is shared (2 cores): take the fastest of three runs, and report all three.
  const runs = [0, 1, 2].map(() => measure('compiled', STANDARD));
  const compiled = runs.reduce((best, m) => (m.seconds < best.seconds ? m : best));
  const generic = measure('generic', GENERIC);
  const graph = measure('xstate-graph', GRAPH);
  const sameModel = measure('compiled', GRAPH);
  if (graph.states !== sameModel.states || graph.transitions !== sameModel.transitions) {
    throw new Error(`getAdjacencyMap found ${graph.states} states, the explorer ${sameModel.states}`);
  }
  const growth = (m: Measurement) => Math.max(0, m.peakRssBytes - m.baselineRssBytes);
  return {
    explorer: {
      model: compiled.model,
      states: compiled.states,
      transitions: compiled.transitions,
      seconds: compiled.seconds,
      statesPerSecond: compiled.statesPerSecond,
      runsSeconds: runs.map((m) => Number(m.seconds.toFixed(3))),
      statesPerCpuSecond: compiled.statesPerCpuSecond,
      peakRssBytes: compiled.peakRssBytes,
      searchRssBytes: growth(compiled),
      genericModel: generic.model,
      genericStates: generic.states,
      genericStatesPerSecond: generic.statesPerSecond,
      genericPeakRssBytes: generic.peakRssBytes,
      xstateGraphModel: graph.model,
      xstateGraphStates: graph.states,
      xstateGraphSeconds: graph.seconds,
      xstateGraphStatesPerSecond: graph.statesPerSecond,
      xstateGraphPeakRssBytes: graph.peakRssBytes,
      xstateGraphSearchRssBytes: growth(graph),
      sameModelStatesPerSecond: sameModel.statesPerSecond,
      sameModelPeakRssBytes: sameModel.peakRssBytes,
      sameModelSearchRssBytes: growth(sameModel),
      sameModelPeakRssRatio: Number((sameModel.peakRssBytes / graph.peakRssBytes).toFixed(3)),
      sameModelSearchRssRatio: Number((growth(sameModel) / Math.max(1, growth(graph))).toFixed(3)),
      note: 'xstateGraph* and sameModel* are measured on xstateGraphModel (getAdjacencyMap is quadratic in its queue); searchRss = peak RSS minus RSS after loading the model',
    },
  };
}
