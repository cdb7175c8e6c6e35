// ftcheck as a library (`import { … } from 'ftcheck'`): the model checker for your own xstate
// machines, assertions for your own test suite, fuzzing of the fault-tolerant cluster, and the
// counterexample trace files the CLI writes. xstate is a peer dependency: your machines and
// ftcheck's explorer share one copy. Everything exported here is typed and documented at its
// definition; README.md ("ftcheck as a library") has a complete example.

import type { FtcheckConfigInput } from './cli/config.ts';

// --- Property helpers for a test suite (fast-check arbitraries of whole FT runs) ---
export { clusterConfigArb } from '../properties/arbitraries/cluster-config.ts';
export { faultListArb } from '../properties/arbitraries/fault-schedule.ts';
export { type RunSpecArbOptions, runSpecArb } from '../properties/arbitraries/run-spec.ts';
export {
  INVARIANT_PROPERTIES,
  type InvariantProperty,
  judgeRun,
} from '../properties/invariant-properties.ts';
// --- The contract: invariants and the seeded-bug catalog ---
export { INVARIANTS, type InvariantId, type SeededBug } from './base/invariants.ts';
export { toolVersion } from './base/package-root.ts';
export { BUG_CATALOG } from './check/bugs/catalog.ts';
// --- Model checking your own machines ---
export {
  type ExploreOptions,
  type ExploreResult,
  explore,
  type Violation,
} from './check/explorer/explore.ts';
export { type ItfTrace, toItf } from './check/explorer/itf.ts';
export { exploreParallel, type ParallelOptions } from './check/explorer/parallel.ts';
export type { ModelSource } from './check/explorer/parallelProtocol.ts';
export { formatStepTable, type StateView } from './check/explorer/stepTable.ts';
export {
  exploreSwarm,
  type SwarmConfig,
  type SwarmOptions,
  type SwarmResult,
  shardMembers,
  summarizeSwarm,
} from './check/explorer/swarm.ts';
export { type MemberRecord, runMember } from './check/explorer/swarmMember.ts';
export { exploreSwarmThreads } from './check/explorer/swarmThreads.ts';
export type { TraceStep } from './check/explorer/trace.ts';
export type {
  AlwaysProperty,
  EventuallyProperty,
  ExplorerModel,
  ModelState,
  NamedInvariant,
  Property,
  ReachabilityProperty,
  SometimesProperty,
  SymmetrySpec,
} from './check/explorer/types.ts';

// --- Counterexample trace files and replay ---
export type { ReplayResult } from './check/fuzz/replay.ts';
export type { RunSpec } from './check/fuzz/run-spec.ts';
export {
  type ExpectedViolation,
  parseTraceFile,
  readTraceFile,
  type TraceFile,
  TraceFileError,
} from './check/trace-file.ts';
export type { FtcheckConfigInput } from './cli/config.ts';
export { checkModel, ModelCheckFailure } from './library/check-model.ts';
export { assertRunHolds, type CheckRunOptions, checkRun, RunCheckFailure } from './library/check-run.ts';
export { replay } from './library/replay.ts';

/** Typed identity for `ftcheck.config.ts`: `export default defineConfig({ hosts: 3 })`. */
export function defineConfig(config: FtcheckConfigInput): FtcheckConfigInput {
  return config;
}
