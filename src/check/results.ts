// The gate's machine-readable result (reports/results.json): what every report is rendered from
// and what `ftcheck merge` combines across shards. Versioned; bump `version` on a breaking change.
import type { InvariantId } from '../base/invariants.ts';
import type { MutationReport } from './mutate/report.ts';

export const RESULTS_VERSION = 2;

export type Verdict = 'pass' | 'fail' | 'error' | 'interrupted';
export type InvariantVerdict = 'hold' | 'violated' | 'not-checked';

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
  seconds: number;
  statesPerSecond: number;
  peakRssBytes: number;
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
  runs: number;
  seconds: number;
  schedulesPerSecond: number;
  /** First and last seed of the campaign (after sharding). */
  seeds: { first: number; last: number };
  /** Model coverage reached by the fuzzer's runs. */
  modelStates: CoverageFigure;
  modelTransitions: CoverageFigure;
  counterexamples: string[];
}

export interface BugResult {
  name: string;
  level: 'model' | 'data-plane' | 'cluster';
  breaks: InvariantId[];
  caught: boolean;
  /** The invariant the checker reported. */
  invariant?: string;
  seconds: number;
  /** Size of the shrunk counterexample: faults in a schedule, or steps of a model trace. */
  size?: number;
  counterexample?: string;
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
    budgetSeconds: number;
    seed: number;
    shard?: { index: number; count: number };
    bugs: string[];
  };
  verdict: Verdict;
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
  durationSeconds: number;
}
