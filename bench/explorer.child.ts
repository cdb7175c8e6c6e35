// One explorer measurement in a fresh process, so peak RSS figures do not pollute each other.
// Usage: node --import tsx bench/explorer.child.ts <compiled|generic|xstate-graph> '<cluster options JSON>'
// Prints one JSON line: states, transitions, seconds, cpuSeconds, statesPerSecond, peakRssBytes.
import { getAdjacencyMap } from '@xstate/graph';
import { createClusterModel } from '../models/clusterModel.ts';
import { canonicalClusterContext } from '../models/clusterState.ts';
import { explore } from '../src/check/explorer/explore.ts';

const [mode, optionsJson] = process.argv.slice(2);
const model = createClusterModel(JSON.parse(optionsJson ?? '{}'));
// RSS once the model is built and before exploring: what the search itself adds is peak − this.
const baselineRssBytes = process.memoryUsage().rss;
const started = performance.now();
const cpuStart = process.cpuUsage();
let states = 0;
let transitions = 0;
if (mode === 'xstate-graph') {
  // Same model, same symmetry: states are keyed by their canonical context.
  const events = model.events();
  const adjacency = getAdjacencyMap(model.machine, {
    events: () => [...events],
    serializeState: (s) => JSON.stringify(canonicalClusterContext(s.context as never)),
  });
  states = Object.keys(adjacency).length;
  for (const entry of Object.values(adjacency)) {
    const steps = Object.values(entry.transitions) as { state: unknown }[];
    transitions += steps.filter((t) => t.state !== entry.state).length;
  }
} else if (mode === 'compiled' || mode === 'generic') {
  const result = explore(model, { engine: mode });
  if (result.violations.length > 0)
    throw new Error(`the correct model violates ${result.violations[0]!.property}`);
  states = result.states;
  transitions = result.transitions;
} else {
  throw new Error(`unknown mode '${mode}': use compiled, generic or xstate-graph`);
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
  })}\n`,
);
