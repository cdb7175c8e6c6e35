// One measurement of the fuzz yardstick, in its own process: every run spec of the frozen corpus
// (bench/fixtures/fuzz-yardstick.json) run and judged as a fuzz campaign does, by the code tree
// given as argument (this repository, or an older checkout for the baseline), interleaved with a
// fixed CPU-bound reference: the crc guest on the reference interpreter of *this* repository.
// Schedules per reference run is the figure that means the same on any machine. Prints one JSON
// line.
//
// usage: node --import tsx bench/fuzz-yardstick.child.ts <tree> <corpus.json>
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { VirtualMachine } from '../src/vm/machine.ts';

const BATCH = 20;
const WARMUP_SPECS = 20;

interface Tree {
  runFt(options: unknown): unknown;
  runOptionsOf(spec: unknown, bug: string | null): unknown;
  judgeRun(result: unknown): unknown;
}

async function load(tree: string): Promise<Tree> {
  const [ftRun, runSpec, properties] = await Promise.all([
    import(join(tree, 'src/check/monitors/ft-run.ts')),
    import(join(tree, 'src/check/fuzz/run-spec.ts')),
    import(join(tree, 'properties/invariant-properties.ts')),
  ]);
  return { runFt: ftRun.runFt, runOptionsOf: runSpec.runOptionsOf, judgeRun: properties.judgeRun };
}

const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/** The reference workload: crc from a fresh VM to its exit on the interpreter. */
function referenceRun(elf: Uint8Array): { seconds: number; cpuSeconds: number; instructions: number } {
  const vm = VirtualMachine.fromElf(elf, { engine: 'interpreter' });
  const cpu = cpuSeconds();
  const started = performance.now();
  vm.run(Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - started) / 1000;
  if (!vm.exited || vm.exitCode !== 0) throw new Error('crc did not exit cleanly on the interpreter');
  return { seconds, cpuSeconds: cpuSeconds() - cpu, instructions: vm.instret };
}

const [treeArg, corpusPath] = process.argv.slice(2);
if (treeArg === undefined || corpusPath === undefined) throw new Error('usage: <tree> <corpus.json>');
const tree = await load(treeArg);
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as { specs: unknown[] };
const crc = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));
const runOne = (spec: unknown) => tree.judgeRun(tree.runFt(tree.runOptionsOf(spec, null)));

for (const spec of corpus.specs.slice(0, WARMUP_SPECS)) runOne(spec);
referenceRun(crc);
const loadBefore = loadavg()[0]!;
const fuzz = { seconds: 0, cpuSeconds: 0, schedules: 0 };
const reference = { seconds: 0, cpuSeconds: 0, runs: 0, instructions: 0 };
for (let first = 0; first < corpus.specs.length; first += BATCH) {
  const cpu = cpuSeconds();
  const started = performance.now();
  for (const spec of corpus.specs.slice(first, first + BATCH)) runOne(spec);
  fuzz.seconds += (performance.now() - started) / 1000;
  fuzz.cpuSeconds += cpuSeconds() - cpu;
  fuzz.schedules += Math.min(BATCH, corpus.specs.length - first);
  const once = referenceRun(crc);
  reference.seconds += once.seconds;
  reference.cpuSeconds += once.cpuSeconds;
  reference.instructions += once.instructions;
  reference.runs++;
}
const referenceRunSeconds = reference.seconds / reference.runs;
process.stdout.write(
  `${JSON.stringify({
    schedules: fuzz.schedules,
    seconds: fuzz.seconds,
    schedulesPerSecond: fuzz.schedules / fuzz.seconds,
    schedulesPerCpuSecond: fuzz.schedules / fuzz.cpuSeconds,
    referenceRuns: reference.runs,
    referenceRunSeconds,
    referenceMips: reference.instructions / reference.seconds / 1e6,
    schedulesPerReferenceRun: (fuzz.schedules / fuzz.seconds) * referenceRunSeconds,
    schedulesPerReferenceCpuRun: (fuzz.schedules / fuzz.cpuSeconds) * (reference.cpuSeconds / reference.runs),
    loadAverage: [loadBefore, loadavg()[0]!],
  })}\n`,
);
