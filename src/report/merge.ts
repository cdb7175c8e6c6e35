// Combining the results of a sharded campaign (`ftcheck merge`): the merged result fails if any
// part failed, sums what the shards split (fuzz runs and time) and takes the best coverage.
import { assert } from '../base/assert.ts';
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type {
  BugResult,
  BugStatus,
  ConformanceResult,
  CoverageFigure,
  ExploreResult,
  FuzzResult,
  GateResults,
  InvariantResult,
  StageResult,
  StageStatus,
  TimingResult,
  Verdict,
} from '../check/results.ts';

/** Parts that cannot be merged (the same shard twice, shards of different campaigns). */
export class MergeError extends Error {
  override name = 'MergeError';
}

/**
 * Worse verdicts win: an error (results not trustworthy) outranks a failure, which outranks a
 * pause (a signal, or the ceiling: neither says anything about the system).
 */
const VERDICT_RANK: Record<Verdict, number> = { pass: 0, inconclusive: 1, interrupted: 2, fail: 3, error: 4 };
const BUG_STATUS_RANK: Record<BugStatus, number> = { 'not-run': 0, inconclusive: 1, escaped: 2, caught: 3 };
const STAGE_STATUS_RANK: Record<StageStatus, number> = {
  complete: 0,
  inconclusive: 1,
  'not-run': 2,
  interrupted: 3,
  error: 4,
};

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/** The first item of each key, in order of first appearance. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const itemKey = key(item);
    if (seen.has(itemKey)) return false;
    seen.add(itemKey);
    return true;
  });
}

function present<T>(items: (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

function maxCoverage(figures: CoverageFigure[]): CoverageFigure {
  return {
    covered: Math.max(...figures.map((figure) => figure.covered)),
    total: Math.max(...figures.map((figure) => figure.total)),
  };
}

function mergeInvariant(parts: InvariantResult[]): InvariantResult {
  const verdicts = parts.map((part) => part.verdict);
  const verdict = verdicts.includes('violated')
    ? 'violated'
    : verdicts.includes('hold')
      ? 'hold'
      : 'not-checked';
  const messages = unique(
    present(parts.filter((part) => part.verdict === verdict).map((part) => part.message)),
  );
  return {
    verdict,
    checkedBy: unique(parts.flatMap((part) => part.checkedBy)),
    counterexamples: unique(parts.flatMap((part) => part.counterexamples)),
    ...(messages.length > 0 ? { message: messages.join('; ') } : {}),
  };
}

/** The exhaustive check is the same in every shard: keep the first, but lose no violation. */
function mergeExplore(parts: ExploreResult[]): ExploreResult | undefined {
  const first = parts[0];
  if (first === undefined) return undefined;
  const violations = uniqueBy(
    parts.flatMap((part) => part.violations),
    (violation) => JSON.stringify([violation.invariant, violation.message, violation.counterexample ?? '']),
  );
  return {
    ...first,
    deadlocks: Math.max(...parts.map((part) => part.deadlocks)),
    liveness: parts.some((part) => part.liveness === 'violated') ? 'violated' : 'hold',
    violations,
  };
}

/** Conformance paths are not sharded: best coverage, every distinct failure, fewest passes. */
function mergeConformance(parts: ConformanceResult[]): ConformanceResult | undefined {
  if (parts.length === 0) return undefined;
  const failures = uniqueBy(
    parts.flatMap((part) => part.failures),
    (failure) => JSON.stringify([failure.path, failure.message]),
  );
  return {
    paths: Math.max(...parts.map((part) => part.paths)),
    passed: Math.min(...parts.map((part) => part.passed)),
    states: maxCoverage(parts.map((part) => part.states)),
    transitions: maxCoverage(parts.map((part) => part.transitions)),
    failures,
  };
}

/** Fuzz runs are sharded: runs and planned seeds add up; the seed range spans every shard's. */
function mergeFuzz(parts: FuzzResult[]): FuzzResult | undefined {
  if (parts.length === 0) return undefined;
  return {
    runs: parts.reduce((sum, part) => sum + part.runs, 0),
    planned: {
      seeds: parts.reduce((sum, part) => sum + part.planned.seeds, 0),
      runsPerSeed: Math.max(...parts.map((part) => part.planned.runsPerSeed)),
    },
    seeds: {
      first: Math.min(...parts.map((part) => part.seeds.first)),
      last: Math.max(...parts.map((part) => part.seeds.last)),
    },
    modelStates: maxCoverage(parts.map((part) => part.modelStates)),
    modelTransitions: maxCoverage(parts.map((part) => part.modelTransitions)),
    counterexamples: unique(parts.flatMap((part) => part.counterexamples)),
  };
}

/** A bug is caught if any part caught it (then the catch in the fewest schedules is reported). */
function mergeBugs(parts: (BugResult[] | undefined)[]): BugResult[] | undefined {
  const lists = present(parts);
  if (lists.length === 0) return undefined;
  const byName = new Map<string, BugResult>();
  for (const bug of lists.flat()) {
    const known = byName.get(bug.name);
    const better =
      known === undefined ||
      BUG_STATUS_RANK[bug.status] > BUG_STATUS_RANK[known.status] ||
      (bug.status === known.status &&
        (bug.schedulesToFirstFailure ?? Number.POSITIVE_INFINITY) <
          (known.schedulesToFirstFailure ?? Number.POSITIVE_INFINITY));
    if (better) byName.set(bug.name, bug);
  }
  return [...byName.values()];
}

function checkShards(parts: GateResults[]): void {
  const seen = new Set<number>();
  for (const part of parts) {
    const shard = part.config.shard;
    if (shard === undefined) continue;
    if (seen.has(shard.index))
      throw new MergeError(`shard ${shard.index}/${shard.count} appears more than once`);
    seen.add(shard.index);
    const first = parts.find((other) => other.config.shard !== undefined)!;
    if (first.config.shard!.count !== shard.count || first.config.seed !== part.config.seed) {
      throw new MergeError(
        `shard ${shard.index}/${shard.count} (seed ${part.config.seed}) belongs to another campaign than shard ` +
          `${first.config.shard!.index}/${first.config.shard!.count} (seed ${first.config.seed})`,
      );
    }
  }
}

function shardFigure(parts: GateResults[]): Record<string, string> {
  const shards = present(parts.map((part) => part.config.shard));
  if (shards.length === 0) return {};
  const indexes = shards.map((shard) => shard.index).sort((a, b) => a - b);
  return { 'shards merged': `${indexes.join(', ')} of ${shards[0]!.count}` };
}

/** The largest ceiling of the parts; none if any part had none. */
function mergeBudget(parts: GateResults[]): { budgetSeconds?: number } {
  const budgets = parts.map((part) => part.config.budgetSeconds);
  if (budgets.some((budget) => budget === undefined)) return {};
  return { budgetSeconds: Math.max(...(budgets as number[])) };
}

/** Each stage's worst status over the parts, in order of first appearance. */
function mergeStages(parts: GateResults[]): StageResult[] {
  const byName = new Map<string, StageStatus>();
  for (const stage of parts.flatMap((part) => part.stages)) {
    const known = byName.get(stage.name);
    if (known === undefined || STAGE_STATUS_RANK[stage.status] > STAGE_STATUS_RANK[known])
      byName.set(stage.name, stage.status);
  }
  return [...byName].map(([name, status]) => ({ name, status }));
}

/** Wall-clock figures of shards that ran side by side: the longest part, per stage too. */
function mergeTiming(parts: GateResults[]): TimingResult {
  const stages: Record<string, number> = {};
  for (const part of parts)
    for (const [name, seconds] of Object.entries(part.timing.stages))
      stages[name] = Math.max(stages[name] ?? 0, seconds);
  const starts = parts.map((part) => part.timing.startedAt).filter((at) => at !== undefined);
  return {
    // ISO 8601 UTC times sort as strings: the earliest part started the merged run.
    ...(starts.length === 0 ? {} : { startedAt: starts.sort()[0] }),
    totalSeconds: Math.max(...parts.map((part) => part.timing.totalSeconds)),
    stages,
  };
}

/** Merges the results of several runs (usually the shards of one campaign) into one. */
export function mergeResults(parts: GateResults[]): GateResults {
  if (parts.length === 0) throw new MergeError('nothing to merge: give at least one results file');
  checkShards(parts);
  const first = parts[0]!;
  const invariants = {} as Record<InvariantId, InvariantResult>;
  for (const id of Object.keys(INVARIANTS) as InvariantId[]) {
    invariants[id] = mergeInvariant(parts.map((part) => part.invariants[id]));
  }
  const verdict = parts
    .map((part) => part.verdict)
    .reduce((a, b) => (VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a));
  const { shard: _shard, budgetSeconds: _budget, ...config } = first.config;
  const explore = mergeExplore(present(parts.map((part) => part.explore)));
  const conformance = mergeConformance(present(parts.map((part) => part.conformance)));
  const fuzz = mergeFuzz(present(parts.map((part) => part.fuzz)));
  const bugs = mergeBugs(parts.map((part) => part.bugs));
  // Every shard runs the same fixed mutant sample: keep the first.
  const mutation = present(parts.map((part) => part.mutation))[0];
  const merged: GateResults = {
    version: first.version,
    tool: first.tool,
    ...(first.git === undefined ? {} : { git: first.git }),
    config: {
      ...config,
      guests: unique(parts.flatMap((part) => part.config.guests)),
      ...mergeBudget(parts),
      bugs: unique(parts.flatMap((part) => part.config.bugs)),
    },
    verdict,
    stages: mergeStages(parts),
    invariants,
    ...(explore === undefined ? {} : { explore }),
    ...(conformance === undefined ? {} : { conformance }),
    ...(fuzz === undefined ? {} : { fuzz }),
    ...(bugs === undefined ? {} : { bugs }),
    ...(mutation === undefined ? {} : { mutation }),
    counterexamples: uniqueBy(
      parts.flatMap((part) => part.counterexamples),
      (example) => example.path,
    ),
    diagrams: uniqueBy(
      parts.flatMap((part) => part.diagrams),
      (diagram) => diagram.name,
    ),
    figures: Object.assign({}, ...[...parts].reverse().map((part) => part.figures), shardFigure(parts)),
    timing: mergeTiming(parts),
  };
  assert(
    VERDICT_RANK[merged.verdict] >= VERDICT_RANK[first.verdict],
    'merged verdict is at least as bad as any part',
  );
  return merged;
}
