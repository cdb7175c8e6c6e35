// The fuzz campaign: runs generated run specs through the checked cluster until a property fails
// or the budget (runs or wall-clock time) is spent. A failure is written to a trace file at once,
// then shrunk in a second phase (replaying fast-check's path) and rewritten with the minimal
// schedule. Results are a tagged union, never an exception.
import fc from 'fast-check';
import { assert } from '../../base/assert.ts';
import type { FtRunResult } from '../monitors/ft-run.ts';
import {
  type ExpectedViolation,
  type TraceFile,
  traceFileName,
  writeTraceFileAtomic,
} from '../trace-file.ts';
import { runSpecChecked } from './run-checked.ts';
import { faultCount, type RunSpec } from './run-spec.ts';

export type Judge = (result: FtRunResult) => ExpectedViolation | null;

export interface CampaignOptions {
  arbitrary: fc.Arbitrary<RunSpec>;
  judge: Judge;
  /** fast-check seed: the whole campaign is a pure function of it (and the budget). */
  seed: number;
  /** The seeded bug to inject, or null for the system as shipped. */
  bug: string | null;
  /** Most runs to search (default: unbounded when `budgetMs` is given, else 100). */
  runs?: number;
  /** Wall-clock budget of the search phase. */
  budgetMs?: number;
  /** Wall-clock budget of the shrinking phase (default 60 s; 0 skips shrinking). */
  shrinkBudgetMs?: number;
  /** Folder for trace files; null writes none. */
  outDir: string | null;
  /**
   * With a bug: count a failure only when the same spec passes on the system without the bug, so
   * the counterexample shows that bug and not another weakness (default true).
   */
  attributeToBug?: boolean;
  /** Called after every run (progress display). */
  onRun?: (runs: number) => void;
  /** Sees every checked run (e.g. to measure model coverage); never changes the search. */
  onResult?: (spec: RunSpec, result: FtRunResult) => void;
}

interface CampaignFigures {
  /** Runs in the search phase. */
  runs: number;
  /** Runs in both phases per wall-clock second. */
  schedulesPerSecond: number;
  elapsedMs: number;
}

export type CampaignResult =
  | ({ found: false } & CampaignFigures)
  | ({
      found: true;
      /** 1-based index of the first failing run. */
      runsToFailure: number;
      timeToFirstFailureMs: number;
      shrinks: number;
      violation: ExpectedViolation;
      traceFile: TraceFile;
      /** Where the trace file was written (null when `outDir` is null). */
      tracePath: string | null;
    } & CampaignFigures);

const SHRINK_BUDGET_MS_DEFAULT = 60_000;
const RUNS_DEFAULT = 100;
const RUNS_UNBOUNDED = 1_000_000_000;

export function runCampaign(options: CampaignOptions): CampaignResult {
  assert(options.runs === undefined || options.runs > 0, 'runs must be positive');
  const start = performance.now();
  let executions = 0;
  let firstFailureMs = -1;
  let last: Found | null = null;
  const attribute = options.bug !== null && options.attributeToBug !== false;
  const property = fc.property(options.arbitrary, (spec) => {
    executions++;
    const result = runSpecChecked(spec, options.bug);
    options.onResult?.(spec, result);
    const failure = options.judge(result);
    options.onRun?.(executions);
    if (failure === null) return true;
    if (attribute && options.judge(runSpecChecked(spec, null)) !== null) return true;
    if (firstFailureMs < 0) firstFailureMs = performance.now() - start;
    last = { spec, failure };
    return false;
  });
  const runs = options.runs ?? (options.budgetMs === undefined ? RUNS_DEFAULT : RUNS_UNBOUNDED);
  const search = fc.check(property, {
    seed: options.seed,
    numRuns: runs,
    endOnFailure: true,
    ...(options.budgetMs === undefined ? {} : { interruptAfterTimeLimit: options.budgetMs }),
  });
  const figures = () => {
    const elapsedMs = performance.now() - start;
    return { runs: search.numRuns, schedulesPerSecond: executions / (elapsedMs / 1000), elapsedMs };
  };
  if (!search.failed || search.counterexample === null) return { found: false, ...figures() };
  const found = last as Found | null;
  assert(found !== null, 'a failed search recorded its failure');
  const runsToFailure = search.numRuns;
  const faultsFound = faultCount(found.spec);
  let traceFile = makeTraceFile(options, found, search.seed, search.counterexamplePath ?? '', {
    runsToFailure,
    shrinks: 0,
    faultsFound,
  });
  const tracePath =
    options.outDir === null ? null : `${options.outDir}/${traceFileName(options.bug, options.seed)}`;
  if (tracePath !== null) writeTraceFileAtomic(tracePath, traceFile);

  if (options.shrinkBudgetMs !== 0) {
    traceFile = shrinkPhase(options, property, search, traceFile, () => last) ?? traceFile;
  }
  if (tracePath !== null) writeTraceFileAtomic(tracePath, traceFile);
  return {
    found: true,
    runsToFailure,
    timeToFirstFailureMs: firstFailureMs,
    shrinks: traceFile.search.shrinks,
    violation: traceFile.expected,
    traceFile,
    tracePath,
    ...figures(),
    runs: runsToFailure,
  };
}

type Found = { spec: RunSpec; failure: ExpectedViolation };

/** Replays the search's failure by its path and shrinks it; null when it could not. */
function shrinkPhase(
  options: CampaignOptions,
  property: fc.IProperty<[RunSpec]>,
  search: fc.RunDetails<[RunSpec]>,
  found: TraceFile,
  lastFailure: () => Found | null,
): TraceFile | null {
  const shrink = fc.check(property, {
    seed: search.seed,
    path: search.counterexamplePath ?? undefined,
    interruptAfterTimeLimit: options.shrinkBudgetMs ?? SHRINK_BUDGET_MS_DEFAULT,
  });
  const shrunk = lastFailure();
  if (!shrink.failed || shrink.counterexample === null || shrunk === null) return null;
  const spec = shrink.counterexample[0];
  const final = sameSpec(shrunk.spec, spec) ? shrunk : rejudge(options, spec);
  return makeTraceFile(options, final, shrink.seed, shrink.counterexamplePath ?? '', {
    runsToFailure: found.search.runsToFailure,
    shrinks: shrink.numShrinks,
    faultsFound: found.search.faultsFound,
  });
}

function sameSpec(a: RunSpec, b: RunSpec): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function rejudge(options: CampaignOptions, spec: RunSpec): { spec: RunSpec; failure: ExpectedViolation } {
  const failure = options.judge(runSpecChecked(spec, options.bug));
  assert(failure !== null, 'the shrunk counterexample fails when run again');
  return { spec, failure };
}

function makeTraceFile(
  options: CampaignOptions,
  found: { spec: RunSpec; failure: ExpectedViolation },
  seed: number,
  path: string,
  search: { runsToFailure: number; shrinks: number; faultsFound: number },
): TraceFile {
  return {
    format: 'ftcheck-counterexample',
    version: 1,
    bug: options.bug,
    run: found.spec,
    fastCheck: { seed, path },
    expected: found.failure,
    search: { ...search, faultsShrunk: faultCount(found.spec) },
  };
}
