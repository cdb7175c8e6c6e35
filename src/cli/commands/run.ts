// `ftcheck run <guest.elf>`: runs a guest program and prints what it wrote on the console plus a
// summary (or one JSON object with --json). Exit 1 when the guest fails (non-zero exit code or a
// fatal trap), 2 for bad arguments or an unreadable / malformed ELF.
//
// Modes: each mode is one entry in `RUN_MODES` taking the ELF bytes and the parsed options;
// today only 'standalone' (no fault tolerance). Later modes (--lockstep, --ft, --engine) add an
// option below, an entry in the table and a line in `chooseMode`.
import { readFileSync } from 'node:fs';
import { ElfError } from '../../vm/elf.ts';
import { DEFAULT_MAX_INSTRUCTIONS, runStandalone } from '../../vm/standalone-host.ts';
import { type CliIo, EXIT_VIOLATION, parsePositiveInt, UsageError } from '../context.ts';
import type { CommandRegistrar } from './index.ts';

interface RunOptions {
  maxInstructions?: string;
  json?: boolean;
  seed?: string;
}

interface ParsedRunOptions {
  maxInstructions: number;
  seed: number;
}

/** What every mode reports; modes may add fields (they appear in the JSON). */
export interface RunReport {
  mode: string;
  stop: string;
  exitCode: number;
  instructions: number;
  console: string;
  seconds: number;
  mips: number;
  simulatedMicros: number;
  fatalReason?: string;
  [extra: string]: unknown;
}

type RunMode = (elf: Uint8Array, options: ParsedRunOptions) => RunReport;

const RUN_MODES: Record<string, RunMode> = {
  standalone: (elf, options) => {
    const result = runStandalone(elf, { maxInstructions: options.maxInstructions, seed: options.seed });
    return {
      mode: 'standalone',
      stop: result.stop,
      exitCode: result.exitCode,
      instructions: result.instructions,
      console: result.console,
      seconds: result.seconds,
      mips: result.mips,
      simulatedMicros: result.simulatedMicros,
      packetsSent: result.transmitted.length,
      ...(result.fatalReason === undefined ? {} : { fatalReason: result.fatalReason }),
    };
  },
};

function chooseMode(_options: RunOptions): string {
  return 'standalone';
}

function readElf(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read guest '${path}': ${reason}`);
  }
}

function parseOptions(options: RunOptions): ParsedRunOptions {
  return {
    maxInstructions:
      options.maxInstructions === undefined
        ? DEFAULT_MAX_INSTRUCTIONS
        : parsePositiveInt('--max-instructions', options.maxInstructions),
    seed: options.seed === undefined ? 1 : parsePositiveInt('--seed', options.seed),
  };
}

function summary(path: string, report: RunReport): string {
  const speed = `${report.seconds.toFixed(2)} s, ${report.mips.toFixed(1)} MIPS`;
  const simulated = `${(report.simulatedMicros / 1e6).toFixed(3)} s simulated`;
  const how =
    report.stop === 'exit'
      ? `exited with code ${report.exitCode}`
      : report.stop === 'budget'
        ? 'stopped at the instruction budget'
        : report.stop === 'wfi'
          ? 'is idle with nothing left to wake it'
          : `halted: ${report.fatalReason ?? 'fatal trap'}`;
  return `${path}: ${how} after ${report.instructions} instructions (${speed}; ${simulated})`;
}

function failed(report: RunReport): boolean {
  return report.stop === 'fatal' || (report.stop === 'exit' && report.exitCode !== 0);
}

function runCommand(path: string, options: RunOptions, io: CliIo, setExit: (code: number) => void): void {
  const parsed = parseOptions(options);
  const elf = readElf(path);
  let report: RunReport;
  try {
    report = RUN_MODES[chooseMode(options)]!(elf, parsed);
  } catch (error) {
    if (error instanceof ElfError)
      throw new UsageError(`'${path}' is not a loadable guest: ${error.message}`);
    throw error;
  }
  if (options.json) {
    io.out(JSON.stringify({ guest: path, ...report }));
  } else {
    if (report.console.length > 0) io.out(report.console);
    io.out(summary(path, report));
  }
  if (failed(report)) setExit(EXIT_VIOLATION);
}

export const registerRun: CommandRegistrar = (program, io, setExit) => {
  program
    .command('run')
    .description('run a guest ELF on the emulator and print its console output and a summary')
    .argument('<guest.elf>', 'RV32IM guest executable (e.g. guests/crc.elf)')
    .option('--max-instructions <n>', `instruction budget (default ${DEFAULT_MAX_INSTRUCTIONS})`)
    .option('--seed <n>', 'seed of the entropy source (default 1)')
    .option('--json', 'print one JSON object (instructions, exitCode, console, seconds, mips, ...)')
    .action((path: string, options: RunOptions) => runCommand(path, options, io, setExit));
};
