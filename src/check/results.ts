// The gate's machine-readable result (reports/results.json): what every report is rendered from
// and what `ftcheck merge` combines across shards. Versioned; bump `version` on a breaking change.
// Everything outside `timing` is a function of the code, the configuration and the seeds: two
// runs of the same gate on any two machines write the same bytes there. Wall-clock and machine
// figures (durations, rates, memory) live in `timing` alone.
import type { InvariantId } from '../base/invariants.ts';
import type { MutationReport } from './mutate/report.ts';

export const RESULTS_VERSION = 3;

/**
 * pass: every invariant holds and every seeded bug was caught; fail: a violation or an escaped
 * bug; inconclusive: the wall-clock ceiling (`--budget`) stopped a stage before its fixed
 * campaign was done, and nothing failed; interrupted: a signal stopped the gate; error: a stage
 * could not run.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'interrupted' | 'error';
export type InvariantVerdict = 'hold' | 'violated' | 'not-checked';

/**
 * complete: ran its whole fixed campaign; inconclusive: the ceiling stopped it (or came before
 * it); interrupted: a signal stopped it midway; not-run: a signal came before it; error: it threw.
 */
export type StageStatus = 'complete' | 'inconclusive' | 'interrupted' | 'not-run' | 'error';

/**
 * caught: a declared invariant broke within the bug's fixed count of runs; escaped: it ran them
 * all and none of its declared invariants broke (other invariants it broke are listed, and do not
 * count); inconclusive: a stop came before its count was done; not-run: never reached.
 */
export type BugStatus = 'caught' | 'escaped' | 'inconclusive' | 'not-run';

export interface InvariantResult {
  verdict: InvariantVerdict;
  /** Which stages checked it: 'explore', 'conformance', 'fuzz', 'lockstep'. */
  checkedBy: string[];
  /** Paths (relative to the reports folder) of counterexamples that break it. */
  counterexamples: string[];
  message?: string;
}

export interface ExploreResult {
  hosts: number;
  states: number;
  transitions: number;
  deadlocks: number;
  liveness: 'hold' | 'violated';
  violations: { invariant: string; message: string; steps: number; counterexample?: string }[];
}

export interface CoverageFigure {
  covered: number;
  total: number;
}

export interface ConformanceResult {
  paths: number;
  passed: number;
  states: CoverageFigure;
  transitions: CoverageFigure;
  failures: { path: string; message: string }[];
}

export interface FuzzResult {
  /** Schedules run (the campaign stops after the first seed, in seed order, that finds a violation). */
  runs: number;
  /** The fixed campaign: seeds (chunks) × schedules per seed. */
  planned: { seeds: number; runsPerSeed: number };
  /** First and last seed run (after sharding). */
  seeds: { first: number; last: number };
  /** Model coverage reached by the fuzzer's runs. */
  modelStates: CoverageFigure;
  modelTransitions: CoverageFigure;
  counterexamples: string[];
}

/** A violation of an invariant the bug is not declared to break, met while searching for it. */
export interface OtherViolation {
  invariant: InvariantId;
  /** 1-based index of the run that first showed it. */
  run: number;
  message: string;
}

export interface BugResult {
  name: string;
  level: 'model' | 'data-plane' | 'cluster';
  /** The invariants it is declared to break: only these count as catching it. */
  breaks: InvariantId[];
  status: BugStatus;
  /** status === 'caught'. */
  caught: boolean;
  /** The declared invariant the checker reported. */
  invariant?: InvariantId;
  /** Fuzzed bugs: schedules run, out of the fixed count planned. */
  runs?: number;
  runsPlanned?: number;
  /** Fuzzed bugs: 1-based index of the first schedule that broke a declared invariant. */
  schedulesToFirstFailure?: number;
  /** Size of the shrunk counterexample: faults in a schedule, or steps of a model trace. */
  size?: number;
  /** The saved schedule is 1-minimal. */
  minimal?: boolean;
  counterexample?: string;
  /** Invariants it broke that it is not declared to break ("caught by I7, declared I5"). */
  otherInvariants?: OtherViolation[];
}

export interface StageResult {
  name: string;
  status: StageStatus;
}

/** Wall-clock and machine figures: they differ from run to run and never decide the verdict. */
export interface TimingResult {
  /** When the gate started, as an ISO 8601 UTC time (the earliest part's, after a merge). */
  startedAt?: string;
  totalSeconds: number;
  stages: Record<string, number>;
  explore?: { seconds: number; statesPerSecond: number; peakRssBytes: number };
  fuzz?: { seconds: number; schedulesPerSecond: number };
  /** Seconds per seeded bug of the self-test. */
  bugs?: Record<string, number>;
}

/** A value in a timeline's state inspector. */
export type TimelineValue = string | number | boolean | null;

/**
 * One event on a counterexample's timeline: hosts, clients, storage and services are lanes. A
 * message is two events with the same `msg` number: the sending end names `to`, the receiving end
 * `from`; a message that never arrived has `lost` (why) on its sending end.
 */
export interface TimelineEvent {
  atMicros: number;
  /** Lane: 'h1'…, 'storage', 'c1'…, 'ha', or 'model' for a model counterexample. */
  lane: string;
  kind: 'fault' | 'role' | 'output' | 'message' | 'lock' | 'violation' | 'note';
  text: string;
  msg?: number;
  to?: string;
  from?: string;
  lost?: string;
  /** Other lanes the event concerns (the far end of a partition). */
  lanes?: string[];
  /**
   * The state of every agent after this event, as changes since the previous event of the
   * timeline (the first event carries the whole state): agent → field → value.
   */
  state?: Record<string, Record<string, TimelineValue>>;
}

export interface CounterexampleSummary {
  /** Trace file path relative to the reports folder. */
  path: string;
  invariant: InvariantId;
  atMicros: number;
  host?: string;
  message: string;
  /** How to reproduce it, e.g. `ftcheck replay reports/counterexamples/x.json`. */
  reproduce: string;
  mermaid: string;
  timeline: TimelineEvent[];
}

export interface GateResults {
  /** Where the published JSON Schema of this file is, relative to the file (schema/results.schema.json). */
  $schema?: string;
  version: typeof RESULTS_VERSION;
  tool: { name: 'ftcheck'; version: string };
  /** The commit checked out where the gate ran, when that is a git work tree. */
  git?: { commit: string };
  config: {
    hosts: number;
    guests: string[];
    /** The wall-clock ceiling, when one was set (`--budget`). */
    budgetSeconds?: number;
    seed: number;
    shard?: { index: number; count: number };
    bugs: string[];
    /** The fixed campaign the verdict is a function of. */
    campaign: GateCampaign;
  };
  verdict: Verdict;
  stages: StageResult[];
  invariants: Record<InvariantId, InvariantResult>;
  explore?: ExploreResult;
  conformance?: ConformanceResult;
  fuzz?: FuzzResult;
  bugs?: BugResult[];
  /** Mutation testing of the detectors (`ftcheck mutate`; the gate runs a small fixed sample). */
  mutation?: MutationReport;
  counterexamples: CounterexampleSummary[];
  /** Protocol diagrams, relative to the reports folder. */
  diagrams: { name: string; svg: string; mermaid: string }[];
  /** Extra figures shown in the reports (name → value). */
  figures: Record<string, number | string>;
  timing: TimingResult;
}

/** The counts that define a gate campaign (src/check/gate/campaign-plan.ts has the defaults). */
export interface GateCampaign {
  /** Fuzz stage: seeds (chunks), each a fast-check campaign of `fuzzRuns` schedules. */
  fuzzSeeds: number;
  fuzzRuns: number;
  /** Bug self-test: schedules per fuzzed seeded bug, at the fixed seed `bugSeed`. */
  bugRuns: number;
  bugSeed: number;
  /** Candidates fast-check's shrinker may run per counterexample (local minimisation follows). */
  shrinkRuns: number;
}
