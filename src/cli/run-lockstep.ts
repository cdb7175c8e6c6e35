// `ftcheck run <guest.elf> --lockstep [--json]`: the guest as a primary/secondary pair in one
// process (no cluster, no faults). Prints the console the outside world saw (released under the
// Output Rule) and a summary, or one JSON object. Exit 1 on a lockstep divergence or a failing
// guest, 2 for a malformed ELF.

import { LockstepPair, type LockstepResult } from '../lockstep/lockstep-pair.ts';
import { PairHost } from '../lockstep/pair-host.ts';
import { describeDifferences } from '../vm/differences.ts';
import { ElfError } from '../vm/elf.ts';
import { VirtualMachine } from '../vm/machine.ts';
import { DEFAULT_MAX_INSTRUCTIONS } from '../vm/standalone-host.ts';
import { type CliIo, EXIT_OK, EXIT_VIOLATION, UsageError } from './context.ts';
import { describeStop } from './describe-stop.ts';

/** State digests are compared at every multiple of this instret (the production path). */
const CHECK_EVERY = 1_000_000;

export interface LockstepRunReport {
  mode: 'lockstep';
  stop: string;
  exitCode: number;
  /** Guest instructions of the FT VM (the primary's count; the secondary executed as many). */
  instructions: number;
  secondaryInstructions: number;
  console: string;
  seconds: number;
  /** Guest instructions of the FT VM per wall second, both VMs executed. */
  mips: number;
  simulatedMicros: number;
  divergences: number;
  divergence: LockstepResult['divergence'];
  logBytes: number;
  logEntries: number;
  logBytesPerMInstr: number;
  /** Outputs the Output Rule held until the secondary acknowledged their log entry. */
  heldOutputs: number;
  heldOutputsPeak: number;
  stallSteps: number;
  lagMaxInstructions: number;
  samplesCompared: number;
  packetsSent: number;
}

function stopName(result: LockstepResult): string {
  if (result.status === 'step-limit') return 'step-limit';
  if (result.primaryStop === 'limit') return 'budget';
  if (result.primaryStop === 'idle') return 'wfi';
  return result.primaryStop ?? 'diverged';
}

/** Runs the pair and gathers the report (throws ElfError for a malformed ELF). */
export function runLockstep(
  elfBytes: Uint8Array,
  options: { maxInstructions?: number; seed?: number },
): LockstepRunReport {
  const primary = VirtualMachine.fromElf(elfBytes);
  const secondary = VirtualMachine.fromElf(elfBytes);
  const host = new PairHost({ seed: options.seed ?? 1 });
  const pair = new LockstepPair({
    primary,
    secondary,
    host,
    checkEvery: CHECK_EVERY,
    maxInstructions: options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS,
    describeDifferences,
  });
  const start = performance.now();
  const result = pair.run();
  const seconds = (performance.now() - start) / 1000;
  const f = result.figures;
  return {
    mode: 'lockstep',
    stop: stopName(result),
    exitCode: result.exitCode,
    instructions: f.primaryInstructions,
    secondaryInstructions: f.secondaryInstructions,
    console: host.world.consoleText,
    seconds,
    mips: seconds > 0 ? f.primaryInstructions / seconds / 1e6 : 0,
    simulatedMicros: f.simulatedUs,
    divergences: result.divergence === null ? 0 : 1,
    divergence: result.divergence,
    logBytes: f.logBytes,
    logEntries: f.logEntries,
    logBytesPerMInstr: f.primaryInstructions > 0 ? f.logBytes / (f.primaryInstructions / 1e6) : 0,
    heldOutputs: f.outputsDelayed,
    heldOutputsPeak: f.heldOutputsPeak,
    stallSteps: f.stallSteps,
    lagMaxInstructions: f.lagMaxInstructions,
    samplesCompared: f.samplesCompared,
    packetsSent: host.world.packets.length,
  };
}

function summary(report: LockstepRunReport): string[] {
  const how = describeStop(report.stop, report.exitCode);
  const lines = [
    `lockstep: ${how} after ${report.instructions} instructions on both VMs (${report.seconds.toFixed(2)} s, ${report.mips.toFixed(1)} MIPS of the FT VM; ${(report.simulatedMicros / 1e6).toFixed(3)} s simulated)`,
    `lockstep: log ${report.logBytes} bytes in ${report.logEntries} entries (${report.logBytesPerMInstr.toFixed(0)} bytes per million instructions); ${report.heldOutputs} outputs held for acknowledgement (peak ${report.heldOutputsPeak}); ${report.samplesCompared} state samples compared`,
  ];
  const d = report.divergence;
  if (d === null) {
    lines.push('lockstep: no divergence');
  } else {
    lines.push(`lockstep: DIVERGENCE (${d.invariant}) at instret ${d.instret}: ${d.message}`);
    for (const x of d.differences.slice(0, 16)) {
      lines.push(`  ${x.what} ${x.where}: primary ${x.primary}, secondary ${x.secondary}`);
    }
  }
  return lines;
}

export async function runLockstepCommand(
  elfBytes: Uint8Array,
  options: { json: boolean; maxInstructions?: number; seed?: number },
  io: CliIo,
): Promise<number> {
  let report: LockstepRunReport;
  try {
    report = runLockstep(elfBytes, options);
  } catch (error) {
    if (error instanceof ElfError) throw new UsageError(`not a loadable guest: ${error.message}`);
    throw error;
  }
  if (options.json) {
    io.out(JSON.stringify(report));
  } else {
    if (report.console.length > 0) io.out(report.console);
    for (const line of summary(report)) io.out(line);
  }
  const guestFailed = report.stop === 'fatal' || (report.stop === 'exit' && report.exitCode !== 0);
  return report.divergences > 0 || guestFailed ? EXIT_VIOLATION : EXIT_OK;
}
