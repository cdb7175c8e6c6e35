// `ftcheck run <guest.elf> --ft [--hosts N] [--faults schedule.json] [--seed S] [--duration T]
// [--json]`: the guest under fault tolerance on the simulated cluster, with its default client
// workload (kvstore, ledger), for `--duration` of simulated time (default 10 s) or until it exits.
// Prints a timeline (faults, role changes, failovers, re-protection) and the invariant verdicts,
// or one JSON object. Exit 0 when every invariant holds, 1 when one is violated, 2 on bad input
// (UsageError: malformed ELF, schedule or option).
import { readFileSync } from 'node:fs';
import { DurationError, parseDurationMicros } from '../base/duration.ts';
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import { DURATION_US_DEFAULT, type FtRunResult, runFt } from '../check/monitors/ft-run.ts';
import { ClusterConfigError } from '../cluster/config.ts';
import { type FaultSchedule, parseFaultScheduleText, ScheduleError } from '../sim/fault-schedule.ts';
import { formatTraceEntry, type TraceEntry } from '../sim/trace.ts';
import { ElfError } from '../vm/elf.ts';
import { type CliIo, EXIT_OK, EXIT_VIOLATION, UsageError } from './context.ts';

export interface RunFtOptions {
  json: boolean;
  /** Hosts in the cluster (default 3). */
  hosts?: number;
  /** Path of a fault schedule (JSON). */
  faults?: string;
  seed?: number;
  /** Simulated run length, e.g. "10s" (default 10 s). */
  duration?: string;
  /** Workload name (kvstore, ledger); other guests run without clients. */
  guest?: string;
}

/** Trace kinds and agent states that make the timeline. */
const TIMELINE_KINDS = new Set(['fault', 'role', 'lock', 'violation']);
const TIMELINE_STATES = new Set([
  'primary.alone',
  'primary.engaged',
  'primary.acquiringLock',
  'secondary.engaged',
  'secondary.goingLive.draining',
  'secondary.goingLive.acquiringLock',
  'halted',
  'failed',
]);

function readSchedule(path: string): FaultSchedule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`cannot read fault schedule '${path}': ${reason}`);
  }
  try {
    return parseFaultScheduleText(text);
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

function parseDuration(text: string | undefined): number {
  if (text === undefined) return DURATION_US_DEFAULT;
  try {
    const micros = parseDurationMicros(text, '--duration');
    if (micros <= 0) throw new UsageError('--duration must be positive');
    return micros;
  } catch (error) {
    if (error instanceof DurationError) throw new UsageError(error.message);
    throw error;
  }
}

function onTimeline(entry: TraceEntry): boolean {
  if (TIMELINE_KINDS.has(entry[1])) return true;
  return entry[1] === 'state' && !entry[2].startsWith('ha/') && TIMELINE_STATES.has(String(entry[3].to));
}

/** The human-readable report: timeline, failovers, clients, verdicts. */
export function formatFtReport(result: FtRunResult): string[] {
  const lines = [
    `seed ${result.seed}, ${result.hosts} hosts, ${(result.endUs / 1e6).toFixed(3)} s simulated`,
  ];
  lines.push('timeline:');
  for (const entry of result.trace.entries.filter(onTimeline)) lines.push(`  ${formatTraceEntry(entry)}`);
  if (result.trace.truncated) lines.push(`  … trace truncated at ${result.trace.entries.length} entries`);
  for (const f of result.failoverDetails) {
    const live = f.failoverMs === null ? 'not live again' : `live on ${f.to} after ${f.failoverMs} ms`;
    const protect =
      f.reprotectedMs === null ? 'not re-protected' : `re-protected after ${f.reprotectedMs} ms`;
    lines.push(`failover ${f.vm}: primary lost on ${f.from} at ${f.lostUs / 1000} ms, ${live}, ${protect}`);
  }
  for (const c of result.clients) {
    lines.push(
      `client ${c.name} → ${c.vm}: ${c.answered}/${c.requests} answered, ${c.retransmissions} retransmissions, ${c.duplicates} duplicate answers, ${c.gaveUp} given up`,
    );
  }
  for (const v of result.violations) {
    lines.push(
      `VIOLATION ${v.invariant} (${INVARIANTS[v.invariant]}) at ${v.timeUs / 1000} ms, trace #${v.tracePosition}: ${v.message}`,
    );
  }
  const verdicts = (Object.keys(INVARIANTS) as InvariantId[]).map((id) => `${id} ${result.verdicts[id]}`);
  lines.push(`invariants: ${verdicts.join(', ')}`);
  return lines;
}

export async function runFtCommand(elfBytes: Uint8Array, options: RunFtOptions, io: CliIo): Promise<number> {
  if (options.hosts !== undefined && (!Number.isInteger(options.hosts) || options.hosts < 2)) {
    throw new UsageError(`--hosts must be an integer of at least 2, got ${options.hosts}`);
  }
  const schedule = options.faults === undefined ? undefined : readSchedule(options.faults);
  let result: FtRunResult;
  try {
    result = runFt({
      seed: options.seed ?? 1,
      elf: elfBytes,
      guest: options.guest ?? 'unknown',
      config: options.hosts === undefined ? {} : { hosts: options.hosts },
      schedule,
      durationUs: parseDuration(options.duration),
      checkDeterminism: true,
    });
  } catch (error) {
    if (error instanceof ElfError) throw new UsageError(`not a loadable guest: ${error.message}`);
    if (error instanceof ScheduleError) throw new UsageError(`${options.faults}: ${error.message}`);
    if (error instanceof ClusterConfigError) throw new UsageError(error.message);
    throw error;
  }
  if (options.json) {
    const { trace, ...rest } = result;
    io.out(JSON.stringify({ ...rest, traceDigest: trace.digest, traceEntries: trace.entriesTotal }));
  } else {
    for (const line of formatFtReport(result)) io.out(line);
  }
  return result.violations.length > 0 ? EXIT_VIOLATION : EXIT_OK;
}
