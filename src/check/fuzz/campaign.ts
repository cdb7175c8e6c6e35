// The fuzz campaign: runs a fixed number of generated run specs through the checked cluster and
// stops at the first that fails. Everything that decides the result is a count (runs, shrink
// steps), so a campaign is a pure function of its seed and options on any machine. A failure is
// written to a trace file at once, shrunk by fast-check (replaying its path, a bounded number of
// candidates), then minimised locally to a 1-minimal fault schedule (minimise.ts), rewritten
// after each phase. A wall-clock ceiling or a signal may stop it between two runs: the result then
// says so (`stopped`), and is never a verdict. Results are a tagged union, never an exception.
import fc from 'fast-check';
import { assert } from '../../base/assert.ts';
import type { InvariantId } from '../../base/invariants.ts';
import type { StopReason } from '../gate/stop-flag.ts';
import type { FtRunResult } from '../monitors/ft-run.ts';
import {
  type ExpectedViolation,
  type TraceFile,
  traceFileName,
  writeTraceFileAtomic,
} from '../trace-file.ts';
import {
  type MinimiseOptions,
  type MinimiseResult,
  minimiseSchedule,
  minimiseScheduleAsync,
} from './minimise.ts';
import { runSpecChecked } from './run-checked.ts';
import { faultCount, type RunSpec } from './run-spec.ts';

export type Judge = (result: FtRunResult) => ExpectedViolation | null;

export interface CampaignOptions {
  arbitrary: fc.Arbitrary<RunSpec>;
  judge: Judge;
  /** fast-check seed: the whole campaign is a pure function of it and the counts. */
  seed: number;
  /** The seeded bug to inject, or null for the system as shipped. */
  bug: string | null;
  /** Schedules to search (default 100; unbounded when only `budgetMs` is given, as benchmarks do). */
  runs?: number;
  /**
   * What counts as a find: a violation of one of these invariants (default: any the judge
   * reports). The search for a seeded bug passes the invariants the bug is declared to break;
   * runs then go on past other violations, which are reported as `incidental`.
   */
  invariants?: readonly InvariantId[];
  /**
   * Candidates fast-check's shrinker may run (default FAST_CHECK_SHRINK_RUNS_MAX; 0 skips it).
   * Local minimisation runs after it whatever this is, so the schedule is 1-minimal either way.
   */
  shrinkRuns?: number;
  /** Wall-clock ceiling of the whole campaign; reaching it stops it with `stopped: 'ceiling'`. */
  budgetMs?: number;
  /**
   * Wall-clock ceiling of shrinking alone (0: no shrinking). Reaching it leaves the counterexample
   * marked not minimal; it never changes whether one was found.
   */
  shrinkBudgetMs?: number;
  /** Checked before every run: a reason stops the campaign there. */
  stop?: () => StopReason | null;
  /** Folder for trace files; null writes none. */
  outDir: string | null;
  /**
   * With a bug: count a failure only when the same spec does not break the same invariant on the
   * system without the bug, so the counterexample shows that bug and not another weakness
   * (default true).
   */
  attributeToBug?: boolean;
  /**
   * The simulated length the search space gives a run with this spec's faults (for a space whose
   * runs go on a fixed time past their last fault). Local minimisation cuts a counterexample to
   * it as its faults go away or move earlier; absent, a counterexample keeps its length.
   */
  runLengthUs?: (spec: RunSpec) => number;
  /** Called after every search run (progress display). */
  onRun?: (runs: number) => void;
  /** Sees every search run (e.g. to measure model coverage); never changes the search. */
  onResult?: (spec: RunSpec, result: FtRunResult) => void;
}

/** A violation of an invariant outside `invariants`, met by the search for a bug. */
export interface IncidentalViolation {
  invariant: InvariantId;
  /** 1-based index of the first search run that showed it. */
  run: number;
  message: string;
  /** The same spec breaks it without the bug too: not the bug's doing. */
  alsoWithoutBug: boolean;
}

interface CampaignFigures {
  /** Runs in the search phase. */
  runs: number;
  /** Every run of the cluster: search, attribution checks and both shrinking phases. */
  executions: number;
  /** Why the campaign ended early (null: it ran to its end). */
  stopped: StopReason | null;
  incidental: IncidentalViolation[];
  /** Wall-clock figures: they differ between machines and never decide anything. */
  schedulesPerSecond: number;
  elapsedMs: number;
}

export type CampaignResult =
  | ({ found: false } & CampaignFigures)
  | ({
      found: true;
      /** 1-based index of the first failing run: schedules to first failure. */
      runsToFailure: number;
      timeToFirstFailureMs: number;
      /** fast-check's shrink steps, then accepted local-minimisation steps. */
      shrinks: number;
      localSteps: number;
      /** The saved fault schedule is 1-minimal (false only when a stop cut shrinking short). */
      minimal: boolean;
      /** Runs of the cluster spent by each shrinking phase (attribution checks included). */
      shrinkExecutions: { fastCheck: number; local: number };
      violation: ExpectedViolation;
      traceFile: TraceFile;
      /** Where the trace file was written (null when `outDir` is null). */
      tracePath: string | null;
    } & CampaignFigures);

export const RUNS_DEFAULT = 100;
const RUNS_UNBOUNDED = 1_000_000_000;
/**
 * Candidates fast-check's shrinker may run before it hands over to local minimisation. It shrinks
 * the whole spec (configuration, workload, faults); 1-minimality of the schedule does not depend
 * on it, only the size of the rest.
 */
export const FAST_CHECK_SHRINK_RUNS_MAX = 150;

type Found = { spec: RunSpec; failure: ExpectedViolation };

/**
 * A fast-check plugin that interrupts the check before a run once `stopped()` is true; the
 * asynchronous form first yields to the event loop so a signal handler or a timer can run.
 */
function stopPlugin(stopped: () => boolean, yielding: boolean): fc.Plugin<[RunSpec]> {
  if (!yielding) {
    return () => ({
      decorateRun: (nested) => (value) => (stopped() ? new fc.PreconditionFailure(true) : nested(value)),
    });
  }
  return () => ({
    decorateRun: (nested) => async (value) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (stopped()) return new fc.PreconditionFailure(true);
      return nested(value);
    },
  });
}

/** The run's failure among `invariants` only (all when undefined), as the judge reports it. */
function judgeWithin(judge: Judge, result: FtRunResult, invariants?: readonly InvariantId[]) {
  if (invariants === undefined) return judge(result);
  return judge({ ...result, violations: result.violations.filter((v) => invariants.includes(v.invariant)) });
}

class Campaign {
  executions = 0;
  searchRuns = 0;
  firstFailureMs = -1;
  found: Found | null = null;
  stopped: StopReason | null = null;
  /** An exception from a run (a checker error): fast-check would take it for a failure. */
  thrown: { error: unknown } | null = null;
  readonly incidental = new Map<InvariantId, IncidentalViolation>();
  readonly start = performance.now();
  private readonly deadline: number;
  private shrinkDeadline = Number.POSITIVE_INFINITY;

  constructor(readonly options: CampaignOptions) {
    this.deadline = options.budgetMs === undefined ? Number.POSITIVE_INFINITY : this.start + options.budgetMs;
  }

  /** Whether to stop now; remembers why. */
  readonly shouldStop = (): boolean => {
    if (this.stopped === null) {
      const now = performance.now();
      const pastCeiling = now >= this.deadline || now >= this.shrinkDeadline;
      this.stopped = this.options.stop?.() ?? (pastCeiling ? 'ceiling' : null);
    }
    return this.stopped !== null;
  };

  readonly stopReason = (): StopReason | null => (this.shouldStop() ? this.stopped : null);

  startShrinking(): void {
    const budget = this.options.shrinkBudgetMs;
    if (budget !== undefined) this.shrinkDeadline = performance.now() + budget;
  }

  /** Runs `body`, remembering an exception so the campaign can rethrow it after fast-check. */
  guard<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      this.thrown ??= { error };
      throw error;
    }
  }

  rethrow(): void {
    if (this.thrown !== null) throw this.thrown.error;
  }

  run(
    spec: RunSpec,
    bug: string | null,
    stopOn: readonly InvariantId[] | 'any',
    stopAtUs?: number,
  ): FtRunResult {
    this.executions++;
    return runSpecChecked(spec, bug, stopOn, stopAtUs);
  }

  /**
   * Whether the system without the bug breaks `invariant` on this spec as well, no later than the
   * run with the bug was stopped (`byUs`): then the bug did not bring the violation about. The
   * run without the bug stops there too, so the check costs what the failing run did, not a
   * whole clean run.
   */
  alsoWithoutBug(spec: RunSpec, invariant: InvariantId, byUs: number): boolean {
    const { bug, attributeToBug, judge } = this.options;
    if (bug === null || attributeToBug === false) return false;
    return judgeWithin(judge, this.run(spec, null, [invariant], byUs), [invariant]) !== null;
  }

  noteIncidental(spec: RunSpec, result: FtRunResult, run: number): void {
    const declared = this.options.invariants;
    if (declared === undefined) return;
    for (const violation of result.violations) {
      if (declared.includes(violation.invariant) || this.incidental.has(violation.invariant)) continue;
      const failure = this.options.judge({ ...result, violations: [violation] });
      this.incidental.set(violation.invariant, {
        invariant: violation.invariant,
        run,
        message: failure?.message ?? violation.message,
        alsoWithoutBug: this.alsoWithoutBug(spec, violation.invariant, result.endUs),
      });
    }
  }

  /** The search property: a run fails when it breaks one of the campaign's invariants. */
  readonly search = (spec: RunSpec): boolean =>
    this.guard(() => {
      this.searchRuns++;
      const failure = this.evaluate(spec, this.searchRuns);
      this.options.onRun?.(this.searchRuns);
      if (failure === null) return true;
      if (this.firstFailureMs < 0) this.firstFailureMs = performance.now() - this.start;
      this.found = { spec, failure };
      return false;
    });

  /** Runs search run number `run` (1-based): its failure, or null when it passes. */
  evaluate(spec: RunSpec, run: number): ExpectedViolation | null {
    const { bug, invariants, judge, onResult } = this.options;
    const result = this.run(spec, bug, invariants ?? 'any');
    onResult?.(spec, result);
    this.noteIncidental(spec, result, run);
    const failure = judgeWithin(judge, result, invariants);
    if (failure === null || this.alsoWithoutBug(spec, failure.invariant, result.endUs)) return null;
    return failure;
  }

  /** Whether the spec still breaks `invariant` (and, with a bug, because of it). */
  keeps(spec: RunSpec, invariant: InvariantId): ExpectedViolation | null {
    const result = this.run(spec, this.options.bug, [invariant]);
    const failure = judgeWithin(this.options.judge, result, [invariant]);
    if (failure === null || this.alsoWithoutBug(spec, invariant, result.endUs)) return null;
    return failure;
  }

  figures(): CampaignFigures {
    const elapsedMs = performance.now() - this.start;
    return {
      runs: this.searchRuns,
      executions: this.executions,
      stopped: this.stopped,
      incidental: [...this.incidental.values()].sort((a, b) => a.run - b.run),
      schedulesPerSecond: this.executions / Math.max(elapsedMs / 1000, 1e-3),
      elapsedMs,
    };
  }
}

function searchParameters(campaign: Campaign, yielding: boolean): fc.Parameters<[RunSpec]> {
  const { options } = campaign;
  return {
    seed: options.seed,
    numRuns: options.runs ?? (options.budgetMs === undefined ? RUNS_DEFAULT : RUNS_UNBOUNDED),
    endOnFailure: true,
    plugins: [stopPlugin(campaign.shouldStop, yielding)],
  };
}

function checkOptions(options: CampaignOptions): void {
  const count = (value: number | undefined, min: number) =>
    value === undefined || (Number.isInteger(value) && value >= min);
  assert(count(options.runs, 1), 'runs must be a positive integer');
  assert(count(options.shrinkRuns, 0), 'shrinkRuns must be a count');
  assert(
    options.invariants === undefined || options.invariants.length > 0,
    'a campaign looks for at least one invariant',
  );
}

/** A campaign's shrinking: fast-check's candidates (bounded), then local minimisation. */
interface Shrinking {
  /** fast-check's shrunk case (null: none better than the find), its shrink steps and path. */
  best: Found | null;
  shrinks: number;
  path: string;
}

/** Where fast-check's search met the failure: its seed and the path that replays it. */
type SearchOutcome = Pick<fc.RunDetails<[RunSpec]>, 'seed' | 'counterexamplePath'>;

/** What a found counterexample goes through, shared by the drivers. */
class Counterexample {
  readonly tracePath: string | null;
  readonly invariant: InvariantId;
  readonly runsToFailure: number;
  readonly beforeShrink: number;
  afterFastCheck = 0;
  shrinking: Shrinking;
  traceFile: TraceFile;

  constructor(
    readonly campaign: Campaign,
    readonly search: SearchOutcome,
    readonly found: Found,
  ) {
    const { options } = campaign;
    this.tracePath =
      options.outDir === null ? null : `${options.outDir}/${traceFileName(options.bug, options.seed)}`;
    this.invariant = found.failure.invariant;
    this.runsToFailure = campaign.searchRuns;
    this.shrinking = { best: null, shrinks: 0, path: search.counterexamplePath ?? '' };
    this.traceFile = this.save(found, 0, false);
    this.beforeShrink = campaign.executions;
    campaign.startShrinking();
  }

  /** fast-check shrinking is skipped for shrinkRuns 0 and for a zero shrink ceiling. */
  get fastCheckCandidates(): number {
    const { shrinkRuns, shrinkBudgetMs } = this.campaign.options;
    return shrinkBudgetMs === 0 ? 0 : (shrinkRuns ?? FAST_CHECK_SHRINK_RUNS_MAX);
  }

  get skipsLocal(): boolean {
    return this.campaign.options.shrinkBudgetMs === 0;
  }

  /** The property fast-check shrinks with: the same invariant still broken, counted. */
  shrinkProperty(): { property: (spec: RunSpec) => boolean; candidates: () => number } {
    let candidates = 0;
    const property = (spec: RunSpec) =>
      this.campaign.guard(() => {
        candidates++;
        const failure = this.campaign.keeps(spec, this.invariant);
        if (failure === null) return true;
        this.shrinking.best = { spec, failure };
        return false;
      });
    return { property, candidates: () => candidates };
  }

  shrinkParameters(candidates: () => number, yielding: boolean): fc.Parameters<[RunSpec]> {
    const max = this.fastCheckCandidates;
    return {
      seed: this.search.seed,
      path: this.search.counterexamplePath ?? undefined,
      plugins: [stopPlugin(() => this.campaign.shouldStop() || candidates() >= max, yielding)],
    };
  }

  afterFastCheckShrink(details: fc.RunDetails<[RunSpec]> | null): MinimiseOptions<ExpectedViolation> {
    this.campaign.rethrow();
    if (details !== null) {
      this.shrinking.shrinks = details.numShrinks;
      this.shrinking.path = details.counterexamplePath ?? this.shrinking.path;
    }
    this.afterFastCheck = this.campaign.executions;
    const best = this.shrinking.best ?? this.found;
    this.traceFile = this.save(best, 0, false);
    return {
      spec: best.spec,
      keeps: (spec) => this.campaign.keeps(spec, this.invariant),
      stop: this.skipsLocal ? () => 'ceiling' : this.campaign.stopReason,
      runLengthUs: this.campaign.options.runLengthUs,
    };
  }

  finish(local: MinimiseResult<ExpectedViolation>): CampaignResult {
    const { campaign } = this;
    const best = this.shrinking.best ?? this.found;
    const final: Found = local.last === null ? best : { spec: local.spec, failure: local.last };
    this.traceFile = this.save(final, local.steps, local.minimal);
    return {
      found: true,
      runsToFailure: this.runsToFailure,
      timeToFirstFailureMs: campaign.firstFailureMs,
      shrinks: this.shrinking.shrinks,
      localSteps: local.steps,
      minimal: local.minimal,
      shrinkExecutions: {
        fastCheck: this.afterFastCheck - this.beforeShrink,
        local: campaign.executions - this.afterFastCheck,
      },
      violation: this.traceFile.expected,
      traceFile: this.traceFile,
      tracePath: this.tracePath,
      ...campaign.figures(),
    };
  }

  /** Writes the trace file as it stands: at once on a find, and after every shrinking phase. */
  private save(found: Found, localSteps: number, minimal: boolean): TraceFile {
    const file = makeTraceFile(
      this.campaign.options,
      found,
      this.search.seed,
      this.shrinking.path,
      {
        runsToFailure: this.runsToFailure,
        shrinks: this.shrinking.shrinks,
        faultsFound: faultCount(this.found.spec),
        localSteps,
      },
      minimal,
    );
    if (this.tracePath !== null) writeTraceFileAtomic(this.tracePath, file);
    return file;
  }
}

/** The campaign with runs back to back (worker threads, library callers, benchmarks). */
export function runCampaign(options: CampaignOptions): CampaignResult {
  checkOptions(options);
  const campaign = new Campaign(options);
  const search = fc.check(fc.property(options.arbitrary, campaign.search), searchParameters(campaign, false));
  campaign.rethrow();
  if (campaign.found === null) return { found: false, ...campaign.figures() };
  const counterexample = new Counterexample(campaign, search, campaign.found);
  let details: fc.RunDetails<[RunSpec]> | null = null;
  if (counterexample.fastCheckCandidates > 0) {
    const { property, candidates } = counterexample.shrinkProperty();
    details = fc.check(
      fc.property(options.arbitrary, property),
      counterexample.shrinkParameters(candidates, false),
    );
  }
  const local = minimiseSchedule(counterexample.afterFastCheckShrink(details));
  return counterexample.finish(local);
}

/**
 * The same campaign, yielding to the event loop before every run, so that on the main thread a
 * signal handler or a ceiling timer can set the stop flag between two runs.
 */
export async function runCampaignAsync(options: CampaignOptions): Promise<CampaignResult> {
  checkOptions(options);
  const campaign = new Campaign(options);
  const search = await fc.check(
    fc.asyncProperty(options.arbitrary, async (spec) => campaign.search(spec)),
    searchParameters(campaign, true),
  );
  campaign.rethrow();
  if (campaign.found === null) return { found: false, ...campaign.figures() };
  return shrinkAsync(new Counterexample(campaign, search, campaign.found));
}

async function shrinkAsync(counterexample: Counterexample): Promise<CampaignResult> {
  const { campaign } = counterexample;
  const { options } = campaign;
  let details: fc.RunDetails<[RunSpec]> | null = null;
  if (counterexample.fastCheckCandidates > 0) {
    const { property, candidates } = counterexample.shrinkProperty();
    details = await fc.check(
      fc.asyncProperty(options.arbitrary, async (spec) => property(spec)),
      counterexample.shrinkParameters(candidates, true),
    );
  }
  const local = await minimiseScheduleAsync(counterexample.afterFastCheckShrink(details));
  return counterexample.finish(local);
}

// --- The search split over threads ------------------------------------------------------------
//
// Stripe i of n runs the seed's schedules i, i + n, i + 2n, … (fast-check generates the same
// sequence in every thread: `fc.sample` with the campaign's seed is the sequence `fc.check` runs),
// and stops at its first failure or once past the least failure any stripe has found (shared
// memory). Merged, the first failing schedule is the least failing index, reached only after
// every schedule before it ran: the same find, incidental violations, coverage and execution
// count as one thread running them in order. Shrinking then runs in one thread from that
// schedule's fast-check path, exactly as after a search in one thread.

export interface Stripe {
  count: number;
  index: number;
  /** Shared by the stripes: the least failing run (1-based) found so far, `runs + 1` when none. */
  bound: Int32Array;
}

export interface StripeRun<T> {
  /** 1-based index in the campaign's sequence. */
  run: number;
  /** Cluster runs it took (with attribution checks). */
  executions: number;
  /** What the caller collected from it (coverage). */
  data: T;
}

export interface StripeResult<T> {
  /** The runs this stripe finished, in order. */
  runs: StripeRun<T>[];
  /** Incidental violations, each at the first run of this stripe that showed it. */
  incidental: IncidentalViolation[];
  found: { run: number; spec: RunSpec; failure: ExpectedViolation; atMs: number } | null;
  stopped: StopReason | null;
}

/** A stripe's shared bound, set to "no failure yet". */
export function stripeBound(runs: number): Int32Array {
  const bound = new Int32Array(new SharedArrayBuffer(4));
  bound[0] = runs + 1;
  return bound;
}

/** Runs one stripe of a campaign (in a worker thread); `collect` keeps what the caller needs of each run. */
export function searchStripe<T>(
  options: CampaignOptions,
  stripe: Stripe,
  collect: (result: FtRunResult) => T,
): StripeResult<T> {
  checkOptions(options);
  assert(options.runs !== undefined, 'a striped search has a count of runs');
  assert(stripe.count >= 1 && stripe.index >= 0 && stripe.index < stripe.count, 'a stripe of the campaign');
  const total = options.runs;
  let collected: T | undefined;
  const campaign = new Campaign({
    ...options,
    onResult: (spec, result) => {
      options.onResult?.(spec, result);
      collected = collect(result);
    },
  });
  const runs: StripeRun<T>[] = [];
  let found: StripeResult<T>['found'] = null;
  let generated = 0;
  const pastBound = () => generated + 1 > Atomics.load(stripe.bound, 0);
  // fast-check generates the sequence lazily; schedules of other stripes are generated, not run.
  const property = (spec: RunSpec): boolean =>
    campaign.guard(() => {
      const run = ++generated;
      if ((run - 1) % stripe.count !== stripe.index) return true;
      const before = campaign.executions;
      const failure = campaign.evaluate(spec, run);
      runs.push({ run, executions: campaign.executions - before, data: collected as T });
      options.onRun?.(runs.length);
      if (failure === null) return true;
      found = { run, spec, failure, atMs: performance.now() - campaign.start };
      for (let seen = Atomics.load(stripe.bound, 0); run < seen; seen = Atomics.load(stripe.bound, 0)) {
        if (Atomics.compareExchange(stripe.bound, 0, seen, run) === seen) break;
      }
      return false;
    });
  fc.check(fc.property(options.arbitrary, property), {
    seed: options.seed,
    numRuns: total,
    endOnFailure: true,
    plugins: [stopPlugin(() => pastBound() || campaign.shouldStop(), false)],
  });
  campaign.rethrow();
  return { runs, incidental: [...campaign.incidental.values()], found, stopped: campaign.stopped };
}

/**
 * The campaign whose search ran in stripes: created before the stripes start (its clock is the
 * campaign's), it merges their results and shrinks the first failure in this thread.
 */
export class StripedCampaign {
  private readonly campaign: Campaign;

  constructor(readonly options: CampaignOptions) {
    checkOptions(options);
    assert(options.runs !== undefined, 'a striped search has a count of runs');
    this.campaign = new Campaign(options);
  }

  /** Merges the stripes; `each` sees the data of every run the one-thread search would have run. */
  async finish<T>(stripes: StripeResult<T>[], each: (data: T) => void): Promise<CampaignResult> {
    const campaign = this.campaign;
    const finds = stripes.flatMap((s) => (s.found === null ? [] : [s.found]));
    const first = finds.length === 0 ? null : finds.reduce((a, b) => (b.run < a.run ? b : a));
    const last = first?.run ?? Number.POSITIVE_INFINITY;
    const runs = stripes.flatMap((s) => s.runs.filter((r) => r.run <= last)).sort((a, b) => a.run - b.run);
    for (const run of runs) each(run.data);
    campaign.executions = runs.reduce((sum, r) => sum + r.executions, 0);
    campaign.searchRuns = first === null ? runs.length : first.run;
    for (const stripe of stripes) {
      for (const v of stripe.incidental) {
        const known = campaign.incidental.get(v.invariant);
        if (v.run <= last && (known === undefined || v.run < known.run))
          campaign.incidental.set(v.invariant, v);
      }
    }
    if (first === null) {
      campaign.stopped = stripes.find((s) => s.stopped !== null)?.stopped ?? null;
      return { found: false, ...campaign.figures() };
    }
    campaign.firstFailureMs = first.atMs;
    const found = { spec: first.spec, failure: first.failure };
    campaign.found = found;
    const search = { seed: this.options.seed, counterexamplePath: String(first.run - 1) };
    return shrinkAsync(new Counterexample(campaign, search, found));
  }
}

function makeTraceFile(
  options: CampaignOptions,
  found: Found,
  seed: number,
  path: string,
  search: { runsToFailure: number; shrinks: number; faultsFound: number; localSteps: number },
  minimal: boolean,
): TraceFile {
  return {
    format: 'ftcheck-counterexample',
    version: 1,
    bug: options.bug,
    run: found.spec,
    fastCheck: { seed, path },
    expected: found.failure,
    search: { ...search, faultsShrunk: faultCount(found.spec), minimal },
  };
}
