// `ftcheck run <guest.elf>`: runs a guest program and prints what it wrote on the console plus a
// summary (or one JSON object with --json). Exit 1 when the guest fails (non-zero exit code or a
// fatal trap), 2 for bad arguments or an unreadable / malformed ELF.
//
// Modes: each mode is one entry in `RUN_MODES` taking the ELF bytes and the parsed options;
// today only 'standalone' (no fault tolerance). Later modes (--lockstep, --ft, --engine) add an
// option below, an entry in the table and a line in `chooseMode`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ElfError } from '../../vm/elf.ts';
import { VM_ENGINES, type VmEngine } from '../../vm/machine.ts';
import { DEFAULT_MAX_INSTRUCTIONS, runStandalone } from '../../vm/standalone-host.ts';
import { RANGES } from '../config.ts';
import { type CliIo, EXIT_VIOLATION, parseIntInRange, parsePositiveInt, UsageError } from '../context.ts';
import { describeStop } from '../describe-stop.ts';
import { runFtCommand } from '../run-ft.ts';
import { runLockstepCommand } from '../run-lockstep.ts';
import type { CommandRegistrar } from './index.ts';

interface RunOptions {
  maxInstructions?: string;
  engine?: string;
  json?: boolean;
  seed?: string;
  lockstep?: boolean;
  ft?: boolean;
  hosts?: string;
  faults?: string;
  duration?: string;
}

interface ParsedRunOptions {
  maxInstructions: number;
  engine: VmEngine;
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
    const result = runStandalone(elf, {
      maxInstructions: options.maxInstructions,
      seed: options.seed,
      engine: options.engine,
    });
    return {
      mode: 'standalone',
      engine: options.engine,
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
    seed: options.seed === undefined ? 1 : parseIntInRange('--seed', options.seed, RANGES.seed),
    engine: parseEngine(options.engine),
  };
}

function parseEngine(engine: string | undefined): VmEngine {
  if (engine === undefined) return 'compiled';
  const known = VM_ENGINES.find((name) => name === engine);
  if (known === undefined)
    throw new UsageError(`--engine must be one of ${VM_ENGINES.join(', ')} (got '${engine}')`);
  return known;
}

function summary(path: string, report: RunReport): string {
  const speed = `${report.seconds.toFixed(2)} s, ${report.mips.toFixed(1)} MIPS`;
  const simulated = `${(report.simulatedMicros / 1e6).toFixed(3)} s simulated`;
  const how = describeStop(report.stop, report.exitCode, report.fatalReason);
  return `${path}: ${how} after ${report.instructions} instructions (${speed}; ${simulated})`;
}

function failed(report: RunReport): boolean {
  return report.stop === 'fatal' || (report.stop === 'exit' && report.exitCode !== 0);
}

/** `--lockstep` (a primary/secondary pair in one process) and `--ft` (the simulated cluster). */
async function runPairedMode(path: string, options: RunOptions, io: CliIo): Promise<number> {
  if (options.lockstep && options.ft) throw new UsageError('give either --lockstep or --ft, not both');
  const parsed = parseOptions(options);
  const elf = readElf(path);
  if (options.lockstep) {
    return runLockstepCommand(
      elf,
      { json: options.json === true, maxInstructions: parsed.maxInstructions, seed: parsed.seed },
      io,
    );
  }
  return runFtCommand(
    elf,
    {
      json: options.json === true,
      seed: parsed.seed,
      guest: basename(path).replace(/\.elf$/, ''),
      ...(options.hosts === undefined ? {} : { hosts: parsePositiveInt('--hosts', options.hosts) }),
      ...(options.faults === undefined ? {} : { faults: options.faults }),
      ...(options.duration === undefined ? {} : { duration: options.duration }),
    },
    io,
  );
}

async function runCommand(
  path: string,
  options: RunOptions,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  if (options.lockstep || options.ft) {
    setExit(await runPairedMode(path, options, io));
    return;
  }
  for (const flag of ['hosts', 'faults', 'duration'] as const) {
    if (options[flag] !== undefined) throw new UsageError(`--${flag} needs --ft`);
  }
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
    .option('--engine <name>', "execution engine: 'compiled' (default) or 'interpreter' (the reference)")
    .option('--json', 'print one JSON object (instructions, exitCode, console, seconds, mips, ...)')
    .option('--lockstep', 'run as a primary/secondary lockstep pair in one process (no cluster, no faults)')
    .option('--ft', 'run under fault tolerance on the simulated cluster, with the default client workload')
    .option('--hosts <n>', 'with --ft: hosts in the cluster (default 3)')
    .option('--faults <schedule.json>', 'with --ft: fault schedule to inject')
    .option('--duration <time>', 'with --ft: simulated run length, e.g. 10s (default 10s)')
    .action((path: string, options: RunOptions) => runCommand(path, options, io, setExit));
};
