// A run spec: everything one fuzzed run depends on, as plain JSON (what a counterexample trace file
// stores and `ftcheck replay` re-runs). The fast-check arbitraries in properties/ produce these;
// turning one into runFt options is a pure function of the spec and the (optional) seeded bug.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { InvariantId } from '../../base/invariants.ts';
import { packagePath } from '../../base/package-root.ts';
import { ClusterConfigError, type ClusterConfigInput, resolveClusterConfig } from '../../cluster/config.ts';
import { GUEST_WORKLOADS, type GuestWorkload } from '../../cluster/workloads.ts';
import {
  checkScheduleAgainstCluster,
  type FaultSchedule,
  parseFaultSchedule,
  ScheduleError,
} from '../../sim/fault-schedule.ts';
import type { TraceDetailName } from '../../sim/trace.ts';
import type { FtRunOptions } from '../monitors/ft-run.ts';
import { type BugRunOptions, bugRunOptions } from './bug-injection.ts';

export interface RunSpec {
  /** Simulation seed (every PRNG stream of the run forks from it). */
  seed: number;
  guest: GuestWorkload;
  /** Simulated run length. */
  durationUs: number;
  /** Cluster options (defaults fill the rest); validated by resolveClusterConfig. */
  config: ClusterConfigInput;
  clientsPerVm: number;
  requestIntervalUs: number;
  /** Run twice and compare traces (I6). */
  checkDeterminism: boolean;
  /** A fault schedule in its JSON form (`{ version: 1, faults: [...] }`). */
  schedule: { version: 1; faults: Record<string, unknown>[] };
  /** FT VMs (default 1) and plain VMs (default 0) sharing the hosts. */
  ftVms?: number;
  plainVms?: number;
}

export const runSpecSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffff_ffff),
  guest: z.enum(GUEST_WORKLOADS),
  durationUs: z.number().int().min(1).max(600_000_000),
  config: z.record(z.string(), z.unknown()),
  clientsPerVm: z.number().int().min(0).max(16),
  requestIntervalUs: z.number().int().min(100).max(10_000_000),
  checkDeterminism: z.boolean(),
  schedule: z.strictObject({ version: z.literal(1), faults: z.array(z.record(z.string(), z.unknown())) }),
  ftVms: z.number().int().min(1).max(8).optional(),
  plainVms: z.number().int().min(0).max(8).optional(),
});

/** A run spec runs one FT VM (runFt's default). */
const RUN_SPEC_VMS = ['vm1'];

export class RunSpecError extends Error {
  override name = 'RunSpecError';
}

const elfCache = new Map<string, Uint8Array>();

/** The prebuilt ELF of a guest in guests/ (read once per process). */
export function guestElf(guest: GuestWorkload): Uint8Array {
  let elf = elfCache.get(guest);
  if (elf === undefined) {
    elf = new Uint8Array(readFileSync(packagePath('guests', `${guest}.elf`)));
    elfCache.set(guest, elf);
  }
  return elf;
}

/**
 * Validates the spec's config and schedule against each other; throws RunSpecError naming the
 * field under `prefix` (e.g. "run.schedule.faults[1].host: …").
 */
export function checkRunSpec(spec: RunSpec, prefix = 'run'): FaultSchedule {
  let hosts: number;
  let racks: number;
  try {
    const config = resolveClusterConfig(spec.config);
    hosts = config.hosts;
    racks = config.racks;
  } catch (error) {
    if (error instanceof ClusterConfigError) {
      const field = error.field === '' ? '' : `.${error.field}`;
      throw new RunSpecError(`${prefix}.config${field}: ${error.detail}`);
    }
    throw error;
  }
  try {
    const schedule = parseFaultSchedule(spec.schedule);
    checkScheduleAgainstCluster(schedule, hosts, racks, RUN_SPEC_VMS);
    return schedule;
  } catch (error) {
    if (error instanceof ScheduleError) throw new RunSpecError(`${prefix}.schedule.${error.message}`);
    throw error;
  }
}

/**
 * runFt options for the spec, with the named seeded bug injected (none when `bug` is null). The
 * trace records at `traceDetail` (fuzzing: 'events', the cheapest; a replay picks more): runs
 * are deterministic, so a counterexample is re-run at any level to be explained. The run ends at
 * the first violation of any invariant, or of one of `stopOn` when given.
 */
export function runOptionsOf(
  spec: RunSpec,
  bug: string | null,
  traceDetail: TraceDetailName = 'events',
  stopOn: readonly InvariantId[] | 'any' = 'any',
): FtRunOptions {
  const schedule = checkRunSpec(spec);
  const injected: BugRunOptions = bug === null ? { options: {}, config: {} } : bugRunOptions(bug);
  return {
    seed: spec.seed,
    elf: guestElf(spec.guest),
    guest: spec.guest,
    durationUs: spec.durationUs,
    config: { ...spec.config, ...injected.config },
    schedule,
    clientsPerVm: spec.clientsPerVm,
    clientOptions: { intervalUs: spec.requestIntervalUs },
    checkDeterminism: spec.checkDeterminism,
    ftVms: spec.ftVms ?? 1,
    plainVms: spec.plainVms ?? 0,
    stopOnViolation: stopOn === 'any' ? true : stopOn,
    traceDetail,
    ...injected.options,
  };
}

/** Number of faults in a spec: the size a shrunk counterexample is measured by. */
export function faultCount(spec: RunSpec): number {
  return spec.schedule.faults.length;
}
