// Emulator speed: one VM running guests/crc.elf (CPU-bound, fixed instruction count) over and
// over until at least 5 s of guest execution are measured; reports the median run's MIPS.
// `mips` is wall-clock; `mipsCpu` divides by this process's CPU time instead, which stays
// meaningful when other jobs share the machine (`loadAverage` says how busy it was).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { VirtualMachine } from '../src/vm/machine.ts';

const MEASURED_SECONDS_MIN = 5;
const RUNS_MIN = 7;
const WARMUP_RUNS = 2;

function runCrcOnce(elf: Uint8Array): { instructions: number; seconds: number; cpuSeconds: number } {
  const vm = VirtualMachine.fromElf(elf);
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const stop = vm.run(Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (stop !== 'exit' || vm.exitCode !== 0)
    throw new Error(`crc did not exit cleanly: ${stop} ${vm.exitCode}`);
  return { instructions: vm.instret, seconds, cpuSeconds };
}

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const elf = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));
  for (let i = 0; i < WARMUP_RUNS; i++) runCrcOnce(elf);
  const load = loadavg()[0]!;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  let measuredSeconds = 0;
  let instructions = 0;
  while (measuredSeconds < MEASURED_SECONDS_MIN || rates.length < RUNS_MIN) {
    const once = runCrcOnce(elf);
    rates.push(once.instructions / once.seconds / 1e6);
    cpuRates.push(once.instructions / Math.max(once.cpuSeconds, 1e-6) / 1e6);
    measuredSeconds += once.seconds;
    instructions += once.instructions;
  }
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1]!;
  const cpuMedian = cpuRates[cpuRates.length >> 1]!;
  process.stderr.write(
    `emulator: crc ${rates.length} runs, ${measuredSeconds.toFixed(1)} s, median ${median.toFixed(1)} MIPS ` +
      `(min ${rates[0]!.toFixed(1)}, max ${rates[rates.length - 1]!.toFixed(1)}); ` +
      `per CPU second ${cpuMedian.toFixed(1)}; load average ${load.toFixed(1)}\n`,
  );
  return {
    emulator: {
      mips: Math.round(median * 10) / 10,
      mipsMin: Math.round(rates[0]! * 10) / 10,
      mipsMax: Math.round(rates[rates.length - 1]! * 10) / 10,
      mipsCpu: Math.round(cpuMedian * 10) / 10,
      loadAverage: Math.round(load * 10) / 10,
      runs: rates.length,
      instructions,
      seconds: Math.round(measuredSeconds * 100) / 100,
      guest: 'crc',
    },
  };
}
