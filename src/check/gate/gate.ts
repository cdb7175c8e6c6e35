// The gate: runs its stages in order within one wall-clock budget, collects everything into a
// GateResults, and decides the verdict. Stages are plain objects so the CLI, tests and sharded CI
// runs compose the same pipeline. Ctrl-C aborts the signal: the running stage stops at its next
// check, later stages are skipped, and the partial results are returned as 'interrupted'.
import { INVARIANTS, type InvariantId } from '../../base/invariants.ts';
import { type GateResults, RESULTS_VERSION, type Verdict } from '../results.ts';

export interface GateOptions {
  hosts: number;
  guests: string[];
  seed: number;
  budgetSeconds: number;
  workers: number;
  bugs: string[];
  shard?: { index: number; count: number };
  /** Lowest mutation score (0–1) the gate accepts; unset: the score is reported, not judged. */
  minScore?: number;
  reportsDir: string;
  toolVersion: string;
  tty: boolean;
  log: (line: string) => void;
}

export interface StageContext {
  options: GateOptions;
  results: GateResults;
  signal: AbortSignal;
  /** Wall-clock seconds this stage may use (its share of what is left of the budget). */
  budgetSeconds: number;
}

export interface GateStage {
  name: string;
  /** Share of the remaining budget, relative to the stages still to run. */
  weight: number;
  run(context: StageContext): Promise<void>;
}

export function emptyResults(options: GateOptions): GateResults {
  const invariants = {} as GateResults['invariants'];
  for (const id of Object.keys(INVARIANTS) as InvariantId[]) {
    invariants[id] = { verdict: 'not-checked', checkedBy: [], counterexamples: [] };
  }
  return {
    version: RESULTS_VERSION,
    tool: { name: 'ftcheck', version: options.toolVersion },
    config: {
      hosts: options.hosts,
      guests: options.guests,
      budgetSeconds: options.budgetSeconds,
      seed: options.seed,
      ...(options.shard ? { shard: options.shard } : {}),
      bugs: options.bugs,
    },
    verdict: 'pass',
    invariants,
    counterexamples: [],
    diagrams: [],
    figures: {},
    durationSeconds: 0,
  };
}

/** Records that `stage` checked `id`, with the outcome; a violation is never overwritten by a hold. */
export function recordInvariant(
  results: GateResults,
  id: InvariantId,
  stage: string,
  holds: boolean,
  counterexample?: string,
  message?: string,
): void {
  const entry = results.invariants[id];
  if (!entry.checkedBy.includes(stage)) entry.checkedBy.push(stage);
  if (!holds) {
    entry.verdict = 'violated';
    if (counterexample && !entry.counterexamples.includes(counterexample))
      entry.counterexamples.push(counterexample);
    if (message && !entry.message) entry.message = message;
  } else if (entry.verdict === 'not-checked') {
    entry.verdict = 'hold';
  }
}

export function decideVerdict(
  results: GateResults,
  failedStage: boolean,
  interrupted: boolean,
  minScore?: number,
): Verdict {
  if (failedStage) return 'error';
  const mutation = [results.mutation?.model, results.mutation?.implementation].filter((l) => l !== undefined);
  // A mutant that crashed ftcheck is a fault of the checker: its results are not trustworthy.
  if (mutation.some((level) => level.score.crashed > 0)) return 'error';
  const violated = Object.values(results.invariants).some((r) => r.verdict === 'violated');
  const escaped = (results.bugs ?? []).some((b) => !b.caught);
  const weak = minScore !== undefined && mutation.some((level) => (level.score.score ?? 1) < minScore);
  if (violated || escaped || weak) return 'fail';
  return interrupted ? 'interrupted' : 'pass';
}

export async function runGate(
  stages: GateStage[],
  options: GateOptions,
  signal: AbortSignal,
): Promise<GateResults> {
  const results = emptyResults(options);
  const started = performance.now();
  let failedStage = false;
  for (let i = 0; i < stages.length; i++) {
    const stage = stages[i]!;
    // Stages compute synchronously: yield to the event loop so a pending Ctrl-C is seen here.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) break;
    const elapsed = (performance.now() - started) / 1000;
    const weightLeft = stages.slice(i).reduce((sum, s) => sum + s.weight, 0);
    const budgetSeconds = Math.max(1, ((options.budgetSeconds - elapsed) * stage.weight) / weightLeft);
    options.log(`gate: ${stage.name} (budget ${budgetSeconds.toFixed(0)}s)`);
    try {
      await stage.run({ options, results, signal, budgetSeconds });
    } catch (error) {
      failedStage = true;
      results.figures[`${stage.name} error`] = error instanceof Error ? error.message : String(error);
      options.log(
        `gate: ${stage.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
    }
  }
  results.durationSeconds = Math.round((performance.now() - started) / 10) / 100;
  results.verdict = decideVerdict(results, failedStage, signal.aborted, options.minScore);
  return results;
}
