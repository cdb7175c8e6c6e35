// Local minimisation of a counterexample's fault schedule, run after fast-check's own shrinking
// until nothing more can be taken away: the result is 1-minimal — removing any single fault, or
// moving any one fault to the previous millisecond (the generator's time step), loses the
// violation. Every accepted step strictly decreases (fault count, sum of fault times), so the loop
// ends; the bound below follows from that and is asserted, never a budget that decides anything.
// A crash and the repair generated with it are separate entries here: each is tried on its own.
// When the campaign says how long its search space runs a schedule (a fixed time past its last
// fault), every candidate is given that length: the neighbours are runs the space holds, and a
// counterexample whose late faults went away stops going on for seconds after its last fault —
// every later candidate runs that much faster.
// The search is a generator of candidates, so one algorithm serves a synchronous driver (worker
// threads, library callers) and one that yields to the event loop between runs (signals).
import { assert } from '../../base/assert.ts';
import { parseDurationMicros } from '../../base/duration.ts';
import type { StopReason } from '../gate/stop-flag.ts';
import type { RunSpec } from './run-spec.ts';

/** The generator's time step: faults are "<n>ms". */
export const FAULT_TIME_STEP_US = 1_000;

export interface MinimiseOptions<F> {
  spec: RunSpec;
  /** Runs the candidate: the violation it still shows (a value), or null when it is lost. */
  keeps: (spec: RunSpec) => F | null;
  /** Checked before every candidate run. */
  stop: () => StopReason | null;
  /**
   * The simulated length the search space gives a run with this spec's faults (see
   * CampaignOptions.runLengthUs); absent, candidates keep the spec's length.
   */
  runLengthUs?: (spec: RunSpec) => number;
}

export type MinimiseResult<F> = {
  spec: RunSpec;
  /** The violation of the last accepted candidate (null when no step was accepted). */
  last: F | null;
  /** Accepted steps. */
  steps: number;
  /** Candidates run. */
  runs: number;
} & ({ minimal: true } | { minimal: false; stopped: StopReason });

/** Milliseconds of a generated fault time; asserts it is a whole number of time steps. */
export function faultTimeMs(fault: Record<string, unknown>): number {
  assert(typeof fault.at === 'string', 'a fault has a time');
  const micros = parseDurationMicros(fault.at, 'at');
  assert(micros % FAULT_TIME_STEP_US === 0, `fault time ${fault.at} is a whole number of milliseconds`);
  return micros / FAULT_TIME_STEP_US;
}

/** The bound that every accepted-step sequence respects: one per fault plus one per millisecond. */
export function minimiseStepsBound(spec: RunSpec): number {
  return spec.schedule.faults.reduce((sum, fault) => sum + 1 + faultTimeMs(fault), 0);
}

type RunLength = ((spec: RunSpec) => number) | undefined;

function withFaults(spec: RunSpec, faults: Record<string, unknown>[], runLengthUs: RunLength): RunSpec {
  const candidate = { ...spec, schedule: { ...spec.schedule, faults } };
  if (runLengthUs !== undefined) candidate.durationUs = runLengthUs(candidate);
  return candidate;
}

/** The spec without its fault `index`, at the length the space gives it. */
export function withoutFault(spec: RunSpec, index: number, runLengthUs?: RunLength): RunSpec {
  return withFaults(
    spec,
    spec.schedule.faults.filter((_, i) => i !== index),
    runLengthUs,
  );
}

/** The spec with its fault `index` at `ms`, at the length the space gives it. */
export function withFaultAt(spec: RunSpec, index: number, ms: number, runLengthUs?: RunLength): RunSpec {
  const faults = spec.schedule.faults.map((fault, i) => (i === index ? { ...fault, at: `${ms}ms` } : fault));
  return withFaults(spec, faults, runLengthUs);
}

/** What the driver answers for a candidate: its violation, null (lost), or a stop. */
type Answer<F> = { kept: F | null } | { stopped: StopReason };
type Search<F, T> = Generator<RunSpec, T, Answer<F>>;

class Minimiser<F> {
  last: F | null = null;
  steps = 0;
  runs = 0;
  stopped: StopReason | null = null;
  private readonly stepsMax: number;

  constructor(
    public spec: RunSpec,
    private readonly runLengthUs: RunLength,
  ) {
    this.stepsMax = minimiseStepsBound(spec);
  }

  /** Offers a candidate; accepts it when it keeps the violation. False also when stopped. */
  *try(candidate: RunSpec): Search<F, boolean> {
    if (this.stopped !== null) return false;
    const answer = yield candidate;
    if ('stopped' in answer) {
      this.stopped = answer.stopped;
      return false;
    }
    this.runs++;
    if (answer.kept === null) return false;
    this.spec = candidate;
    this.last = answer.kept;
    this.steps++;
    assert(this.steps <= this.stepsMax, `local minimisation exceeded its bound of ${this.stepsMax} steps`);
    return true;
  }

  /**
   * Tries removing each fault, the latest first (one removed from the end shortens the run of
   * every later candidate); returns whether one was removed.
   */
  *removals(): Search<F, boolean> {
    let accepted = false;
    const latestFirst = this.spec.schedule.faults
      .map((fault, index) => ({ fault, index, ms: faultTimeMs(fault) }))
      .sort((a, b) => b.ms - a.ms || b.index - a.index);
    for (const { fault } of latestFirst) {
      if (this.stopped !== null) break;
      const index = this.spec.schedule.faults.indexOf(fault);
      if (yield* this.try(withoutFault(this.spec, index, this.runLengthUs))) accepted = true;
    }
    return accepted;
  }

  /**
   * Tries moving each fault one step earlier; when that keeps the violation, tries time zero,
   * then bisects for an earlier time that still does (the violation need not be monotone in time: any accepted time
   * is a strict decrease, which is all termination needs).
   */
  *moves(): Search<F, boolean> {
    let accepted = false;
    for (let i = 0; i < this.spec.schedule.faults.length && this.stopped === null; i++) {
      const ms = faultTimeMs(this.spec.schedule.faults[i]!);
      if (ms === 0 || !(yield* this.try(withFaultAt(this.spec, i, ms - 1, this.runLengthUs)))) continue;
      accepted = true;
      // Time zero first: a violation that does not depend on when the fault strikes gets there
      // in one run instead of a bisection's dozen.
      if (ms - 1 === 0 || (yield* this.try(withFaultAt(this.spec, i, 0, this.runLengthUs)))) continue;
      let [low, high] = [1, ms - 1];
      while (low < high && this.stopped === null) {
        const middle = Math.floor((low + high) / 2);
        if (yield* this.try(withFaultAt(this.spec, i, middle, this.runLengthUs))) high = middle;
        else low = middle + 1;
      }
    }
    return accepted;
  }

  result(): MinimiseResult<F> {
    const { spec, last, steps, runs, stopped } = this;
    return stopped === null
      ? { spec, last, steps, runs, minimal: true }
      : { spec, last, steps, runs, minimal: false, stopped };
  }
}

/**
 * The candidates of the minimisation, in order. A pass tries every single removal and every
 * one-step-earlier move; the search ends on the first pass that accepts nothing, which is the
 * proof of 1-minimality. Only a stop (signal or ceiling) ends it earlier.
 */
function* candidates<F>(options: MinimiseOptions<F>): Search<F, MinimiseResult<F>> {
  const minimiser = new Minimiser<F>(options.spec, options.runLengthUs);
  for (;;) {
    const removed = yield* minimiser.removals();
    const moved = yield* minimiser.moves();
    if (minimiser.stopped !== null || (!removed && !moved)) return minimiser.result();
  }
}

function answer<F>(options: MinimiseOptions<F>, candidate: RunSpec): Answer<F> {
  const stopped = options.stop();
  return stopped === null ? { kept: options.keeps(candidate) } : { stopped };
}

/** Minimises to a fixed point, running candidates back to back. */
export function minimiseSchedule<F>(options: MinimiseOptions<F>): MinimiseResult<F> {
  const search = candidates<F>(options);
  let step = search.next();
  while (!step.done) step = search.next(answer(options, step.value));
  return step.value;
}

/** The same, yielding to the event loop before every candidate so a signal or a timer is seen. */
export async function minimiseScheduleAsync<F>(options: MinimiseOptions<F>): Promise<MinimiseResult<F>> {
  const search = candidates<F>(options);
  let step = search.next();
  while (!step.done) {
    await new Promise((resolve) => setImmediate(resolve));
    step = search.next(answer(options, step.value));
  }
  return step.value;
}
