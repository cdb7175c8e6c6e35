// Compiled engine against the interpreter on guests/crc.elf, measured in the same run: the two
// engines alternate in rounds until each has at least 5 s of guest execution; the figures are the
// medians of the per-run MIPS (one run = crc from a fresh VM to its exit, compilation included).
// Also the compiled engine forced to stop every 10,000 and 1,000 instructions (replay injection
// points), which exercises the dispatcher's single-stepped tails. The machine is shared, so the
// same figures per CPU-second of this process are reported too (`*CpuMips`).
import { readFileSync } from 'node:fs';
import type { StopReason } from '../src/vm/api.ts';
import { VirtualMachine, type VmEngine } from '../src/vm/machine.ts';

const MEASURED_SECONDS_MIN = 5;
const ROUNDS = 5;
const WARMUP_RUNS = 2;

interface Sample {
  mips: number;
  /** Per CPU-second of this process (all its threads, so V8's compiler threads count too). */
  cpuMips: number;
  seconds: number;
  instructions: number;
}

/** Runs crc once from a fresh VM on `engine`, stopping every `stride` instructions. */
function runCrcOnce(elf: Uint8Array, engine: VmEngine, stride: number): Sample {
  const vm = VirtualMachine.fromElf(elf, { engine });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let stop: StopReason;
  do stop = vm.run(vm.instret + stride);
  while (stop === 'limit');
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  if (!vm.exited || vm.exitCode !== 0) throw new Error(`crc did not exit cleanly on the ${engine} engine`);
  return {
    mips: vm.instret / seconds / 1e6,
    cpuMips: vm.instret / (cpu.user + cpu.system),
    seconds,
    instructions: vm.instret,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** Alternates the engines (so load on the machine hits both alike) until each has enough time. */
function measure(elf: Uint8Array, stride: number, engines: VmEngine[]): Record<VmEngine, Sample[]> {
  const samples: Record<VmEngine, Sample[]> = { interpreter: [], compiled: [] };
  const seconds = (engine: VmEngine) => samples[engine].reduce((sum, s) => sum + s.seconds, 0);
  for (let round = 0; engines.some((e) => seconds(e) < MEASURED_SECONDS_MIN); round++) {
    for (const engine of engines) {
      const target = (MEASURED_SECONDS_MIN * (round + 1)) / ROUNDS;
      while (seconds(engine) < target) samples[engine].push(runCrcOnce(elf, engine, stride));
    }
  }
  return samples;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const elf = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));
  for (let i = 0; i < WARMUP_RUNS; i++) {
    runCrcOnce(elf, 'interpreter', Number.MAX_SAFE_INTEGER);
    runCrcOnce(elf, 'compiled', Number.MAX_SAFE_INTEGER);
  }
  const free = measure(elf, Number.MAX_SAFE_INTEGER, ['interpreter', 'compiled']);
  const compiledMips = median(free.compiled.map((s) => s.mips));
  const interpreterMips = median(free.interpreter.map((s) => s.mips));
  const compiledCpuMips = median(free.compiled.map((s) => s.cpuMips));
  const interpreterCpuMips = median(free.interpreter.map((s) => s.cpuMips));
  const stride10k = median(measure(elf, 10_000, ['compiled']).compiled.map((s) => s.mips));
  const stride1k = median(measure(elf, 1_000, ['compiled']).compiled.map((s) => s.mips));
  process.stderr.write(
    `jit: crc compiled ${compiledMips.toFixed(0)} MIPS (${free.compiled.length} runs), interpreter ` +
      `${interpreterMips.toFixed(0)} MIPS (${free.interpreter.length} runs), ` +
      `${(compiledMips / interpreterMips).toFixed(2)}x; stopping every 10k: ${stride10k.toFixed(0)}, ` +
      `every 1k: ${stride1k.toFixed(0)} MIPS; per CPU-second ${compiledCpuMips.toFixed(0)} vs ` +
      `${interpreterCpuMips.toFixed(0)}\n`,
  );
  return {
    emulator: {
      mips: round1(compiledMips),
      interpreterMips: round1(interpreterMips),
      compiledOverInterpreter: Math.round((compiledMips / interpreterMips) * 100) / 100,
      compiledCpuMips: round1(compiledCpuMips),
      interpreterCpuMips: round1(interpreterCpuMips),
      compiledOverInterpreterCpu: Math.round((compiledCpuMips / interpreterCpuMips) * 100) / 100,
      compiledMipsStopEvery10k: round1(stride10k),
      compiledMipsStopEvery1k: round1(stride1k),
      compiledRuns: free.compiled.length,
      interpreterRuns: free.interpreter.length,
      guest: 'crc',
    },
  };
}
