// One checked run of a guest under fault tolerance on the simulated cluster: builds the cluster
// (FT VMs, optional plain VMs, clients with the guest's default workload), attaches the
// monitors, applies the fault schedule, runs for the simulated duration (or until every guest
// exits) and, when asked, runs again to check I6 (byte-identical trace). An exception escaping
// the system under test is an I0 violation, not a crash. The result is plain data.
import type { AnyStateMachine } from 'xstate';
import { INVARIANTS, type InvariantId } from '../../base/invariants.ts';
import type { ClientOptions } from '../../cluster/client.ts';
import { type ClientSpec, Cluster } from '../../cluster/cluster.ts';
import type { ClusterBehaviour } from '../../cluster/cluster-context.ts';
import { CLUSTER_CONFIG_DEFAULT, ClusterConfigError, type ClusterConfigInput } from '../../cluster/config.ts';
import type { FailoverRecord, FtVmSpec } from '../../cluster/ft-vm.ts';
import { GUEST_WORKLOADS, type GuestWorkload, workloadFor } from '../../cluster/workloads.ts';
import type { DataPlaneStrategy } from '../../lockstep/strategy.ts';
import { type FaultSchedule, ScheduleError } from '../../sim/fault-schedule.ts';
import type { RunStop } from '../../sim/simulator.ts';
import { type Trace, type TraceDetailName, TraceRecorder } from '../../sim/trace.ts';
import { RAM_BASE, RAM_SIZE_DEFAULT } from '../../vm/api.ts';
import { ElfError, parseElf } from '../../vm/elf.ts';
import { VirtualMachine } from '../../vm/machine.ts';
import { CheckerError } from './checker-error.ts';
import { MonitorSet } from './monitor-set.ts';
import type { Violation } from './violation.ts';

export const FT_RUN_RESULT_VERSION = 1;
export const DURATION_US_DEFAULT = 10_000_000;

export interface FtRunOptions {
  seed: number;
  /** The guest ELF (every VM runs it). */
  elf: Uint8Array;
  /** Names the client workload: the guests of GUEST_WORKLOADS get clients, other guests none. */
  guest: string;
  config?: ClusterConfigInput;
  schedule?: FaultSchedule;
  /** Simulated run length; default 10 s. */
  durationUs?: number;
  /**
   * Ends the run early, at this simulated time, without changing the run it is a prefix of (the
   * workload is still sized by `durationUs`): for questions about what had happened by then.
   */
  stopAtUs?: number;
  /** FT VMs (vm1…), primaries on h1, h2, … in turn. Default 1. */
  ftVms?: number;
  /** Plain (non-FT) VMs sharing the hosts. Default 0. */
  plainVms?: number;
  /** Where each VM's primary starts (vm1 first); default h1, h2, … in turn. */
  primaryHosts?: string[];
  clientsPerVm?: number;
  /** Default: enough to keep a client busy for the whole run. */
  requestsPerClient?: number;
  clientOptions?: Partial<ClientOptions>;
  ramBytes?: number;
  agentMachine?: AnyStateMachine;
  haMachine?: AnyStateMachine;
  strategy?: DataPlaneStrategy;
  behaviour?: ClusterBehaviour;
  traceEntriesMax?: number;
  /** What the trace records (default 'all'); the I6 comparison runs both times at this level. */
  traceDetail?: TraceDetailName;
  /**
   * End the run at the first violation (fuzzing): of any invariant (true), or only of the listed
   * ones (a search for a seeded bug that is declared to break them runs on past other violations).
   */
  stopOnViolation?: boolean | readonly InvariantId[];
  /** Run a second time and compare traces (I6). */
  checkDeterminism?: boolean;
}

export type InvariantVerdicts = Record<InvariantId, 'hold' | 'violated' | 'not-checked'>;

export interface FailoverSummary extends FailoverRecord {
  failoverMs: number | null;
  reprotectedMs: number | null;
}

export interface ClientSummary {
  name: string;
  vm: string;
  requests: number;
  answered: number;
  gaveUp: number;
  retransmissions: number;
  /** Answers received more than once (exact retransmissions at a failover). */
  duplicates: number;
}

export interface VmSummary {
  name: string;
  ft: boolean;
  primary: string | null;
  secondary: string | null;
  protected: boolean;
  generation: number;
  exited: boolean;
  exitCode: number;
  instructionsExecuted: number;
  instructionsReplayed: number;
}

export interface FtRunResult {
  version: typeof FT_RUN_RESULT_VERSION;
  seed: number;
  guest: string;
  hosts: number;
  /** Simulated time at which the run ended. */
  endUs: number;
  stop: RunStop;
  verdicts: InvariantVerdicts;
  violations: Violation[];
  failovers: number;
  failoverMs: number[];
  reprotectedMs: number[];
  failoverDetails: FailoverSummary[];
  clients: ClientSummary[];
  vms: VmSummary[];
  hostStates: { name: string; rack: string; up: boolean; slotsUsed: number; cpuCapacity: number }[];
  /** Outputs the world saw twice, identical (allowed at a failover boundary). */
  retransmittedOutputs: number;
  lockstepComparisons: number;
  eventsFired: number;
  /** Model states and steps the run's actors went through (sorted; "from|EVENT|to" for steps). */
  coverage: {
    agentStates: string[];
    agentTransitions: string[];
    haStates: string[];
    haTransitions: string[];
  };
  trace: Trace;
}

const REQUEST_INTERVAL_US_DEFAULT = 5_000;

export function buildCluster(options: FtRunOptions): { cluster: Cluster; monitors: MonitorSet } {
  const config = options.config ?? {};
  const hosts = config.hosts ?? 3;
  const ramSize = options.ramBytes;
  // A guest that cannot load is bad input (a clear error), not a finding about the system.
  parseElf(options.elf, { ramBase: RAM_BASE, ramSizeBytes: ramSize ?? RAM_SIZE_DEFAULT });
  const createVm = () => VirtualMachine.fromElf(options.elf, ramSize === undefined ? {} : { ramSize });
  const vms: FtVmSpec[] = [];
  const ftCount = options.ftVms ?? 1;
  const total = ftCount + (options.plainVms ?? 0);
  for (let i = 1; i <= total; i++) {
    const primaryHost = options.primaryHosts?.[i - 1] ?? `h${((i - 1) % hosts) + 1}`;
    vms.push({ name: `vm${i}`, ft: i <= ftCount, primaryHost, createVm });
  }
  const clients: ClientSpec[] = [];
  if ((GUEST_WORKLOADS as readonly string[]).includes(options.guest)) {
    const duration = options.durationUs ?? DURATION_US_DEFAULT;
    const interval = options.clientOptions?.intervalUs ?? REQUEST_INTERVAL_US_DEFAULT;
    const requests = options.requestsPerClient ?? Math.min(100_000, Math.ceil(duration / interval));
    let clientNumber = 0;
    for (const vm of vms) {
      for (let c = 0; c < (options.clientsPerVm ?? 1); c++) {
        clientNumber++;
        const workload = workloadFor(options.guest as GuestWorkload, clientNumber, requests);
        clients.push({ vm: vm.name, workload, options: options.clientOptions });
      }
    }
  }
  const cluster = new Cluster({
    seed: options.seed,
    config,
    vms,
    clients,
    schedule: options.schedule,
    agentMachine: options.agentMachine,
    haMachine: options.haMachine,
    strategy: options.strategy,
    behaviour: options.behaviour,
    traceEntriesMax: options.traceEntriesMax,
    traceDetail: options.traceDetail,
    eventsMax: eventsAllowance(options.durationUs ?? DURATION_US_DEFAULT),
  });
  const monitors = new MonitorSet(cluster);
  const stopOn = options.stopOnViolation;
  if (stopOn === true) monitors.onFirstViolation = () => cluster.sim.stop();
  else if (typeof stopOn === 'object' && stopOn.length > 0) {
    monitors.onFirstViolation = (violation) => {
      if (stopOn.includes(violation.invariant)) cluster.sim.stop();
    };
  }
  return { cluster, monitors };
}

function runOnce(options: FtRunOptions): FtRunResult {
  let built: ReturnType<typeof buildCluster>;
  try {
    built = buildCluster(options);
  } catch (error) {
    // Bad input stays bad input; anything else thrown while building is the system's own fault.
    if (error instanceof CheckerError || isInputError(error)) throw error;
    return setupFailure(options, error);
  }
  const { cluster, monitors } = built;
  const durationUs = options.durationUs ?? DURATION_US_DEFAULT;
  const stop = runCluster(cluster, monitors, Math.min(durationUs, options.stopAtUs ?? durationUs));
  return summarise(options, cluster, monitors, stop);
}

/** Starts and runs a built cluster, turning a failure of the system under test into I0. */
export function runCluster(cluster: Cluster, monitors: MonitorSet, durationUs: number): RunStop {
  let stop: RunStop;
  try {
    cluster.start();
    stop = cluster.run(durationUs);
  } catch (error) {
    if (error instanceof CheckerError) throw error;
    monitors.report(implementationFault(cluster, error));
    stop = 'stopped';
  }
  if (stop === 'events-max') monitors.report(livelock(cluster));
  return stop;
}

/**
 * I0: an exception escaping the system under test (a failed assertion, a TypeError, a stack
 * overflow) is a finding about that system, with the time it happened and the host it names.
 */
function implementationFault(cluster: Cluster, error: unknown): Omit<Violation, 'tracePosition'> {
  return { ...describeFault(error, 'failed'), timeUs: cluster.sim.now };
}

function describeFault(error: unknown, what: string): Pick<Violation, 'invariant' | 'host' | 'message'> {
  const kind = error instanceof Error ? error.name : 'thrown value';
  const message = error instanceof Error ? error.message : String(error);
  const host = /\b(h\d+)\b/.exec(message)?.[1];
  return {
    invariant: 'I0',
    ...(host === undefined ? {} : { host }),
    message: `the system under test ${what}: ${kind}: ${message}`,
  };
}

/**
 * A run that never started because the system under test threw while it was being set up (a
 * cluster, host or configuration of its own refusing what the generator knows to be valid): the
 * I0 finding, with every other invariant unjudged.
 */
export function setupFailure(
  options: Pick<FtRunOptions, 'seed' | 'guest' | 'config'>,
  error: unknown,
): FtRunResult {
  const verdicts = {} as InvariantVerdicts;
  for (const id of Object.keys(INVARIANTS) as InvariantId[]) verdicts[id] = 'not-checked';
  verdicts.I0 = 'violated';
  const trace = new TraceRecorder(options.seed >>> 0, 1).toJSON();
  return {
    version: FT_RUN_RESULT_VERSION,
    seed: options.seed,
    guest: options.guest,
    hosts: options.config?.hosts ?? CLUSTER_CONFIG_DEFAULT.hosts,
    endUs: 0,
    stop: 'stopped',
    verdicts,
    violations: [{ ...describeFault(error, 'failed to set up the run'), timeUs: 0, tracePosition: 0 }],
    failovers: 0,
    failoverMs: [],
    reprotectedMs: [],
    failoverDetails: [],
    clients: [],
    vms: [],
    hostStates: [],
    retransmittedOutputs: 0,
    lockstepComparisons: 0,
    eventsFired: 0,
    coverage: { agentStates: [], agentTransitions: [], haStates: [], haTransitions: [] },
    trace,
  };
}

/** I0: a run that fires its whole event allowance is livelocked (events without progress in time). */
function livelock(cluster: Cluster): Omit<Violation, 'tracePosition'> {
  return {
    invariant: 'I0',
    timeUs: cluster.sim.now,
    message: `the system under test livelocked: ${cluster.sim.eventsFired} events by ${cluster.sim.now / 1000} ms of simulated time (allowance ${cluster.sim.eventsMax})`,
  };
}

/** The errors that name bad input (a configuration, schedule or guest the user gave). */
export function isInputError(error: unknown): boolean {
  return error instanceof ClusterConfigError || error instanceof ScheduleError || error instanceof ElfError;
}

/** Events a run may fire: ~4 per simulated ms is normal; this allows a hundred times that. */
export function eventsAllowance(durationUs: number): number {
  return Math.max(1_000_000, Math.ceil(durationUs / 1000) * EVENTS_PER_MS_MAX);
}
const EVENTS_PER_MS_MAX = 500;

export function runFt(options: FtRunOptions): FtRunResult {
  const result = runOnce(options);
  if (!options.checkDeterminism) return result;
  const again = runOnce(options);
  const same =
    again.trace.digest === result.trace.digest &&
    again.trace.entriesTotal === result.trace.entriesTotal &&
    JSON.stringify(again.trace.entries) === JSON.stringify(result.trace.entries);
  result.verdicts.I6 = same ? 'hold' : 'violated';
  if (!same) {
    result.violations.push({
      invariant: 'I6',
      timeUs: firstDifferenceTime(result.trace, again.trace),
      tracePosition: firstDifference(result.trace, again.trace),
      message: `two runs with seed ${options.seed} gave different traces (digest ${result.trace.digest} vs ${again.trace.digest})`,
    });
  }
  return result;
}

function firstDifference(a: Trace, b: Trace): number {
  const n = Math.min(a.entries.length, b.entries.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a.entries[i]) !== JSON.stringify(b.entries[i])) return i;
  return n;
}

function firstDifferenceTime(a: Trace, b: Trace): number {
  const entry = a.entries[firstDifference(a, b)] ?? b.entries[firstDifference(a, b)];
  return entry?.[0] ?? 0;
}

function summarise(
  options: FtRunOptions,
  cluster: Cluster,
  monitors: MonitorSet,
  stop: RunStop,
): FtRunResult {
  const verdicts = {} as InvariantVerdicts;
  for (const id of Object.keys(INVARIANTS) as InvariantId[]) {
    verdicts[id] = MonitorSet.checked.includes(id) ? monitors.verdict(id) : 'not-checked';
  }
  const failoverDetails: FailoverSummary[] = cluster.vms.flatMap((vm) =>
    vm.failovers.map((f) => ({
      ...f,
      failoverMs: f.liveUs === null ? null : (f.liveUs - f.lostUs) / 1000,
      reprotectedMs: f.reprotectedUs === null ? null : (f.reprotectedUs - f.lostUs) / 1000,
    })),
  );
  return {
    version: FT_RUN_RESULT_VERSION,
    seed: options.seed,
    guest: options.guest,
    hosts: cluster.config.hosts,
    endUs: cluster.sim.now,
    stop,
    verdicts,
    violations: monitors.violations(),
    failovers: failoverDetails.filter((f) => f.liveUs !== null).length,
    failoverMs: failoverDetails.flatMap((f) => (f.failoverMs === null ? [] : [f.failoverMs])),
    reprotectedMs: failoverDetails.flatMap((f) => (f.reprotectedMs === null ? [] : [f.reprotectedMs])),
    failoverDetails,
    clients: cluster.clients.map((c) => ({
      name: c.name,
      vm: c.vm,
      requests: c.status.length,
      answered: c.answeredCount,
      gaveUp: c.status.filter((s) => s === 'gave-up').length,
      retransmissions: c.retransmissions,
      duplicates: c.received.filter((r) => r.duplicate).length,
    })),
    vms: cluster.vms.map((vm) => ({
      name: vm.name,
      ft: vm.spec.ft,
      primary: vm.primary()?.host.name ?? null,
      secondary: vm.secondary()?.host.name ?? null,
      protected: vm.protected_,
      generation: cluster.storage.lock(vm.name).generation,
      exited: vm.exited,
      exitCode: vm.exitCode,
      instructionsExecuted: vm.data.instructionsExecuted,
      instructionsReplayed: vm.data.instructionsReplayed,
    })),
    hostStates: cluster.hosts.map((h) => ({
      name: h.name,
      rack: h.rack,
      up: h.up,
      slotsUsed: h.slotsUsed,
      cpuCapacity: h.cpuCapacity,
    })),
    retransmittedOutputs: monitors.output.retransmissions,
    lockstepComparisons: monitors.lockstep.comparisons,
    eventsFired: cluster.sim.eventsFired,
    coverage: coverageOf(cluster),
    trace: cluster.sim.trace.toJSON(),
  };
}

function coverageOf(cluster: Cluster): FtRunResult['coverage'] {
  const agentStates = new Set<string>();
  const agentTransitions = new Set<string>();
  const haStates = new Set<string>();
  const haTransitions = new Set<string>();
  for (const vm of cluster.vms) {
    for (const instance of vm.instances) {
      for (const s of instance.agent.statesVisited) agentStates.add(s);
      for (const t of instance.agent.transitionsTaken) agentTransitions.add(t);
    }
    if (vm.ha === null) continue;
    for (const s of vm.ha.actor.statesVisited) haStates.add(s);
    for (const t of vm.ha.actor.transitionsTaken) haTransitions.add(t);
  }
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    agentStates: sorted(agentStates),
    agentTransitions: sorted(agentTransitions),
    haStates: sorted(haStates),
    haTransitions: sorted(haTransitions),
  };
}
