// The gate: runs its stages in order, collects everything into a GateResults, and decides the
// verdict. What each stage does is fixed by counts (campaign-plan.ts), so the verdict is a function
// of the code, the configuration and the seeds. Two things may stop it early, and neither is a
// verdict about the system: a signal (Ctrl-C, SIGTERM: 'interrupted') and the optional
// wall-clock ceiling (`--budget`: 'inconclusive'). A stopped stage ends at its next check (between
// two runs); the stages after it are skipped; what finished is reported as finished. Stages are
// plain objects so the CLI, tests and sharded CI runs compose the same pipeline.
import { INVARIANTS, type InvariantId } from '../../base/invariants.ts';
import type { GuestWorkload } from '../../cluster/workloads.ts';
import {
  type GateCampaign,
  type GateResults,
  RESULTS_VERSION,
  type StageStatus,
  type Verdict,
} from '../results.ts';
import { StopFlag, startCeiling } from './stop-flag.ts';

export interface GateOptions {
  hosts: number;
  /** Guests the fuzz stage's runs may use. */
  guests: GuestWorkload[];
  seed: number;
  /** Wall-clock ceiling of the whole gate; undefined: none. Never decides pass or fail. */
  budgetSeconds?: number;
  campaign: GateCampaign;
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
  /** Set on a signal or at the ceiling; stages check it between units of work. */
  stop: StopFlag;
}

/** 'stopped': the stop flag cut the stage short. */
export type StageOutcome = 'complete' | 'stopped';

export interface GateStage {
  name: string;
  run(context: StageContext): Promise<StageOutcome>;
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
      ...(options.budgetSeconds === undefined ? {} : { budgetSeconds: options.budgetSeconds }),
      seed: options.seed,
      ...(options.shard ? { shard: options.shard } : {}),
      bugs: options.bugs,
      campaign: options.campaign,
    },
    verdict: 'pass',
    stages: [],
    invariants,
    counterexamples: [],
    diagrams: [],
    figures: {},
    timing: { totalSeconds: 0, stages: {} },
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

/**
 * The verdict, worst first: a stage error (or a mutant that crashed ftcheck: its results are not
 * trustworthy); a signal (whatever was found: Ctrl-C is not a verdict); a violation, an escaped
 * bug, a model path the emulator does not follow or a mutation score under `minScore`; a stage the ceiling stopped; else pass.
 */
export function decideVerdict(results: GateResults, minScore?: number): Verdict {
  const statuses = results.stages.map((stage) => stage.status);
  const mutation = [results.mutation?.model, results.mutation?.implementation].filter((l) => l !== undefined);
  if (statuses.includes('error') || mutation.some((level) => level.score.crashed > 0)) return 'error';
  if (statuses.includes('interrupted') || statuses.includes('not-run')) return 'interrupted';
  const violated = Object.values(results.invariants).some((r) => r.verdict === 'violated');
  const escaped = (results.bugs ?? []).some((b) => b.status === 'escaped');
  // The implementation no longer follows its own protocol model: a finding, like a violation.
  const diverged = (results.conformance?.failures.length ?? 0) > 0;
  const weak = minScore !== undefined && mutation.some((level) => (level.score.score ?? 1) < minScore);
  if (violated || escaped || diverged || weak) return 'fail';
  if (statuses.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

const seconds = (since: number) => Math.round((performance.now() - since) / 10) / 100;

function stoppedStatus(stop: StopFlag, before: boolean): StageStatus {
  if (stop.reason === 'ceiling') return 'inconclusive';
  return before ? 'not-run' : 'interrupted';
}

export async function runGate(
  stages: GateStage[],
  options: GateOptions,
  signal: AbortSignal,
): Promise<GateResults> {
  const results = emptyResults(options);
  const started = performance.now();
  // Wall clock, in `timing` only: when this run happened, never part of what it decides.
  results.timing.startedAt = new Date().toISOString();
  const stop = new StopFlag();
  const onAbort = () => stop.request('interrupted');
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort);
  const cancelCeiling = startCeiling(stop, options.budgetSeconds);
  try {
    for (const stage of stages) {
      // Stages compute synchronously: yield to the event loop so a pending signal is seen here.
      await new Promise((resolve) => setImmediate(resolve));
      if (stop.reason !== null) {
        results.stages.push({ name: stage.name, status: stoppedStatus(stop, true) });
        continue;
      }
      options.log(`gate: ${stage.name}`);
      const stageStarted = performance.now();
      let status: StageStatus;
      try {
        const outcome = await stage.run({ options, results, stop });
        status = outcome === 'stopped' ? stoppedStatus(stop, false) : 'complete';
      } catch (error) {
        status = 'error';
        results.figures[`${stage.name} error`] = error instanceof Error ? error.message : String(error);
        options.log(
          `gate: ${stage.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
        );
      }
      results.stages.push({ name: stage.name, status });
      results.timing.stages[stage.name] = seconds(stageStarted);
    }
  } finally {
    cancelCeiling();
    signal.removeEventListener('abort', onAbort);
  }
  results.timing.totalSeconds = seconds(started);
  results.verdict = decideVerdict(results, options.minScore);
  return results;
}
