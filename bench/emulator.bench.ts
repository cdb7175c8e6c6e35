// Emulator speed: one VM running guests/crc.elf (CPU-bound, fixed instruction count) over and
// over until at least 5 s of guest execution are measured; reports the median run's MIPS.
import { readFileSync } from 'node:fs';
import { VirtualMachine } from '../src/vm/machine.ts';

const MEASURED_SECONDS_MIN = 5;
const RUNS_MIN = 7;
const WARMUP_RUNS = 2;

function runCrcOnce(elf: Uint8Array): { instructions: number; seconds: number } {
  const vm = VirtualMachine.fromElf(elf);
  const started = performance.now();
  const stop = vm.run(Number.MAX_SAFE_INTEGER);
  const seconds = (performance.now() - started) / 1000;
  if (stop !== 'exit' || vm.exitCode !== 0)
    throw new Error(`crc did not exit cleanly: ${stop} ${vm.exitCode}`);
  return { instructions: vm.instret, seconds };
}

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const elf = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));
  for (let i = 0; i < WARMUP_RUNS; i++) runCrcOnce(elf);
  const rates: number[] = [];
  let measuredSeconds = 0;
  let instructions = 0;
  while (measuredSeconds < MEASURED_SECONDS_MIN || rates.length < RUNS_MIN) {
    const once = runCrcOnce(elf);
    rates.push(once.instructions / once.seconds / 1e6);
    measuredSeconds += once.seconds;
    instructions += once.instructions;
  }
  rates.sort((a, b) => a - b);
  const median = rates[rates.length >> 1]!;
  process.stderr.write(
    `emulator: crc ${rates.length} runs, ${measuredSeconds.toFixed(1)} s, median ${median.toFixed(1)} MIPS ` +
      `(min ${rates[0]!.toFixed(1)}, max ${rates[rates.length - 1]!.toFixed(1)})\n`,
  );
  return {
    emulator: {
      mips: Math.round(median * 10) / 10,
      mipsMin: Math.round(rates[0]! * 10) / 10,
      mipsMax: Math.round(rates[rates.length - 1]! * 10) / 10,
      runs: rates.length,
      instructions,
      seconds: Math.round(measuredSeconds * 100) / 100,
      guest: 'crc',
    },
  };
}
