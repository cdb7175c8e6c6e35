// One chunk of the gate's fuzz campaign: a fast-check campaign of a fixed number of schedules with
// its own seed. Chunks are what the gate schedules, what worker threads run in parallel, and what
// `--shard i/n` splits: chunk k of shard i/n uses seed `baseSeed + k * n + (i - 1)`, so shards
// never share a seed. A chunk stops early only on the shared stop flag (a signal, the ceiling).
import { fuzzCampaignAsync } from '../../../properties/fuzz-campaign.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { ModelCoverageTracker } from '../../check/conformance/model-coverage.ts';
import type { IncidentalViolation } from '../../check/fuzz/campaign.ts';
import { StopFlag, type StopReason } from '../../check/gate/stop-flag.ts';
import type { ExpectedViolation } from '../../check/trace-file.ts';
import type { GuestWorkload } from '../../cluster/workloads.ts';

export interface FuzzChunkRequest {
  seed: number;
  bug: string | null;
  /** Schedules to search (the gate always gives a count). */
  runs?: number;
  /** Wall-clock ceilings, for benchmarks only: the gate never sets them. */
  budgetMs?: number;
  shrinkBudgetMs?: number;
  /** Candidates of fast-check shrinking (local minimisation follows). */
  shrinkRuns?: number;
  /** What counts as a find (a seeded bug's declared invariants); undefined: any invariant. */
  invariants?: InvariantId[];
  /** The guests runs may use (the config's `guests`); undefined: every guest with a workload. */
  guests?: GuestWorkload[];
  outDir: string;
  /** The gate's stop flag (shared memory, so a worker thread sees it too). */
  stop?: SharedArrayBuffer;
}

export interface FuzzChunkResult {
  seed: number;
  runs: number;
  executions: number;
  elapsedMs: number;
  stopped: StopReason | null;
  found: boolean;
  violation?: ExpectedViolation;
  tracePath?: string;
  faults?: number;
  runsToFailure?: number;
  minimal?: boolean;
  incidental: IncidentalViolation[];
  statesCovered: string[];
  transitionsCovered: string[];
  statesTotal: number;
  transitionsTotal: number;
}

export function chunkSeed(baseSeed: number, chunk: number, shard?: { index: number; count: number }): number {
  const count = shard?.count ?? 1;
  const index = shard?.index ?? 1;
  return baseSeed + chunk * count + (index - 1);
}

export async function runFuzzChunk(request: FuzzChunkRequest): Promise<FuzzChunkResult> {
  const tracker = new ModelCoverageTracker();
  const stop = new StopFlag(request.stop);
  const result = await fuzzCampaignAsync({
    seed: request.seed,
    bug: request.bug,
    ...(request.runs === undefined ? {} : { runs: request.runs }),
    ...(request.budgetMs === undefined ? {} : { budgetMs: request.budgetMs }),
    ...(request.shrinkBudgetMs === undefined ? {} : { shrinkBudgetMs: request.shrinkBudgetMs }),
    ...(request.shrinkRuns === undefined ? {} : { shrinkRuns: request.shrinkRuns }),
    ...(request.invariants === undefined ? {} : { invariants: request.invariants }),
    ...(request.guests === undefined ? {} : { space: { guests: request.guests } }),
    stop: () => stop.reason,
    outDir: request.outDir,
    onResult: (_spec, run) => tracker.add(run.trace.entries),
  });
  const coverage = tracker.coverage();
  return {
    seed: request.seed,
    runs: result.runs,
    executions: result.executions,
    elapsedMs: result.elapsedMs,
    stopped: result.stopped,
    found: result.found,
    ...(result.found
      ? {
          violation: result.violation,
          tracePath: result.tracePath ?? undefined,
          faults: result.traceFile.search.faultsShrunk,
          runsToFailure: result.runsToFailure,
          minimal: result.minimal,
        }
      : {}),
    incidental: result.incidental,
    statesCovered: coverage.states.covered,
    transitionsCovered: coverage.transitions.covered,
    statesTotal: coverage.states.total,
    transitionsTotal: coverage.transitions.total,
  };
}
