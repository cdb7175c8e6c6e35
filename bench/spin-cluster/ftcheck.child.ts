// One ftcheck measurement on the cluster model in a fresh process (peak RSS is per process).
// Usage: node --import tsx bench/spin-cluster/ftcheck.child.ts '<bounds JSON>' <symmetry|no-symmetry>
// The compiled engine, every safety property (always + deadlock), no temporal ones (SPIN's side
// checks only safety). Prints one JSON line.
import { createClusterModel } from '../../models/clusterModel.ts';
import { explore } from '../../src/check/explorer/explore.ts';

const [boundsJson, mode] = process.argv.slice(2);
if (mode !== 'symmetry' && mode !== 'no-symmetry')
  throw new Error(`mode must be symmetry or no-symmetry, got ${mode}`);
const model = createClusterModel(JSON.parse(boundsJson ?? '{}'));
// RSS once the model is built and before exploring: what the search itself adds is peak − this.
const baselineRssBytes = process.memoryUsage().rss;
const cpuStart = process.cpuUsage();
const result = explore(model, { engine: 'compiled', symmetry: mode === 'symmetry', skipLiveness: true });
const cpu = process.cpuUsage(cpuStart);
if (result.engine !== 'compiled') throw new Error(`the compiled engine did not run: ${result.engineReason}`);
if (!result.complete) throw new Error('the search did not complete');
if (result.violations.length > 0)
  throw new Error(`the correct model violates ${result.violations[0]!.property}`);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({
    model: result.model,
    symmetry: result.symmetry.applied,
    orbitStates: result.symmetry.orbitStates,
    states: result.states,
    transitions: result.transitions,
    properties: result.properties.map((p) => p.name),
    seconds: result.seconds,
    cpuSeconds,
    statesPerSecond: Math.round(result.states / result.seconds),
    statesPerCpuSecond: Math.round(result.states / cpuSeconds),
    storeBytes: result.storeBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
  })}\n`,
);
