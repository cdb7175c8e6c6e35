// One chunk of the gate's fuzz campaign: a fast-check campaign with its own seed and a wall-clock
// budget. Chunks are what the gate schedules (between chunks it notices Ctrl-C and the budget),
// what worker threads run in parallel, and what `--shard i/n` splits: chunk k of shard i/n uses
// seed `baseSeed + k * n + (i - 1)`, so shards never share a seed.
import { fuzzCampaign } from '../../../properties/fuzz-campaign.ts';
import { ModelCoverageTracker } from '../../check/conformance/model-coverage.ts';
import type { ExpectedViolation } from '../../check/trace-file.ts';

export interface FuzzChunkRequest {
  seed: number;
  bug: string | null;
  budgetMs: number;
  shrinkBudgetMs: number;
  outDir: string;
}

export interface FuzzChunkResult {
  seed: number;
  runs: number;
  elapsedMs: number;
  found: boolean;
  violation?: ExpectedViolation;
  tracePath?: string;
  faults?: number;
  timeToFirstFailureMs?: number;
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

export function runFuzzChunk(request: FuzzChunkRequest): FuzzChunkResult {
  const tracker = new ModelCoverageTracker();
  const result = fuzzCampaign({
    seed: request.seed,
    bug: request.bug,
    budgetMs: request.budgetMs,
    shrinkBudgetMs: request.shrinkBudgetMs,
    outDir: request.outDir,
    onResult: (_spec, run) => tracker.add(run.trace.entries),
  });
  const coverage = tracker.coverage();
  return {
    seed: request.seed,
    runs: result.runs,
    elapsedMs: result.elapsedMs,
    found: result.found,
    ...(result.found
      ? {
          violation: result.violation,
          tracePath: result.tracePath ?? undefined,
          faults: result.traceFile.search.faultsShrunk,
          timeToFirstFailureMs: result.timeToFirstFailureMs,
        }
      : {}),
    statesCovered: coverage.states.covered,
    transitionsCovered: coverage.transitions.covered,
    statesTotal: coverage.states.total,
    transitionsTotal: coverage.transitions.total,
  };
}
