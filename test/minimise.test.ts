// Local minimisation to a fixed point, on a synthetic "violation" (no cluster runs): the result is
// 1-minimal — no single removal and no one-millisecond-earlier move keeps the violation — and it
// gets there in few runs even when a fault can travel far, or the violation is not monotone in time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  faultTimeMs,
  minimiseSchedule,
  minimiseScheduleAsync,
  minimiseStepsBound,
} from '../src/check/fuzz/minimise.ts';
import type { RunSpec } from '../src/check/fuzz/run-spec.ts';

type Fault = Record<string, unknown> & { at: string; kind: string };

function specOf(faults: Fault[]): RunSpec {
  return {
    seed: 1,
    guest: 'kvstore',
    durationUs: 1_500_000,
    config: { hosts: 3 },
    clientsPerVm: 1,
    requestIntervalUs: 5_000,
    checkDeterminism: false,
    schedule: { version: 1, faults },
  };
}

const fault = (kind: string, ms: number, host = 'h1'): Fault => ({ at: `${ms}ms`, kind, host });

/** The single-step neighbours that 1-minimality says must all lose the violation. */
function neighbours(spec: RunSpec): RunSpec[] {
  const faults = spec.schedule.faults;
  const out: RunSpec[] = [];
  faults.forEach((f, i) => {
    out.push(specOf(faults.filter((_, j) => j !== i) as Fault[]));
    const ms = faultTimeMs(f);
    if (ms > 0)
      out.push(specOf(faults.map((g, j) => (j === i ? { ...g, at: `${ms - 1}ms` } : g)) as Fault[]));
  });
  return out;
}

function minimise(spec: RunSpec, violates: (spec: RunSpec) => boolean) {
  const result = minimiseSchedule({
    spec,
    keeps: (candidate) => (violates(candidate) ? 'kept' : null),
    stop: () => null,
  });
  expect(result.minimal).toBe(true);
  expect(violates(result.spec)).toBe(true);
  for (const neighbour of neighbours(result.spec)) expect(violates(neighbour)).toBe(false);
  expect(result.steps).toBeLessThanOrEqual(minimiseStepsBound(spec));
  return result;
}

describe('local minimisation', () => {
  it('removes every fault the violation does not need and moves the rest as early as it allows', () => {
    // "The violation": a crash of h2 at or after 100 ms, and a partition.
    const violates = (spec: RunSpec) => {
      const faults = spec.schedule.faults as Fault[];
      return (
        faults.some((f) => f.kind === 'crash' && f.host === 'h2' && faultTimeMs(f) >= 100) &&
        faults.some((f) => f.kind === 'partition')
      );
    };
    const start = specOf([
      fault('slow', 0),
      fault('crash', 870, 'h2'),
      fault('repair', 900, 'h2'),
      fault('partition', 640),
      fault('crash', 300, 'h3'),
    ]);
    const result = minimise(start, violates);
    expect(result.spec.schedule.faults).toEqual([fault('crash', 100, 'h2'), fault('partition', 0)]);
    // Bisection, not one millisecond at a time: far fewer runs than the 770 + 640 ms travelled.
    expect(result.runs).toBeLessThan(60);
  });

  it('reaches a 1-minimal schedule for any violation, monotone in time or not', () => {
    const faultArb = fc
      .record({
        kind: fc.constantFrom('crash', 'partition', 'repair'),
        ms: fc.integer({ min: 0, max: 900 }),
        host: fc.constantFrom('h1', 'h2', 'h3'),
      })
      .map(({ kind, ms, host }) => fault(kind, ms, host));
    fc.assert(
      fc.property(fc.array(faultArb, { maxLength: 6 }), fc.integer({ min: 2, max: 7 }), (faults, modulus) => {
        // A violation that depends on the times in a jagged way: the sum of the crash times is
        // not a multiple of `modulus`, and there are at least as many crashes as partitions.
        const violates = (spec: RunSpec) => {
          const list = spec.schedule.faults as Fault[];
          const crashes = list.filter((f) => f.kind === 'crash');
          const sum = crashes.reduce((total, f) => total + faultTimeMs(f), 0);
          const partitions = list.filter((f) => f.kind === 'partition').length;
          return crashes.length > 0 && sum % modulus !== 0 && crashes.length >= partitions;
        };
        const spec = specOf(faults);
        if (!violates(spec)) return;
        minimise(spec, violates);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('gives every candidate the length the space gives its schedule, and removes the latest fault first', () => {
    // A space whose runs go on 1 s past their last fault; the violation needs a crash at or after
    // 100 ms and a run of at least 1.2 s.
    const runLengthUs = (spec: RunSpec) =>
      1_000_000 + Math.max(0, ...spec.schedule.faults.map((f) => faultTimeMs(f) * 1000));
    const tried: RunSpec[] = [];
    const violates = (spec: RunSpec) =>
      spec.durationUs >= 1_200_000 &&
      spec.schedule.faults.some((f) => f.kind === 'crash' && faultTimeMs(f) >= 100);
    const start = {
      ...specOf([fault('crash', 400), fault('partition', 50), fault('slow', 700)]),
      durationUs: 1_700_000,
    };
    const result = minimiseSchedule({
      spec: start,
      keeps: (candidate) => {
        tried.push(candidate);
        return violates(candidate) ? 'kept' : null;
      },
      stop: () => null,
      runLengthUs,
    });
    expect(result.minimal).toBe(true);
    // The crash could not go earlier than 200 ms: the run would end before 1.2 s.
    expect(result.spec.schedule.faults).toEqual([fault('crash', 200)]);
    expect(result.spec.durationUs).toBe(1_200_000);
    for (const candidate of tried) expect(candidate.durationUs).toBe(runLengthUs(candidate));
    expect(tried[0]!.schedule.faults).toEqual([fault('crash', 400), fault('partition', 50)]);
  });

  it('tries time zero before bisecting a move', () => {
    const tried: number[] = [];
    const result = minimiseSchedule({
      spec: specOf([fault('crash', 900)]),
      keeps: (candidate) => {
        const crash = candidate.schedule.faults.find((f) => f.kind === 'crash');
        if (crash === undefined) return null;
        tried.push(faultTimeMs(crash));
        return 'kept';
      },
      stop: () => null,
    });
    expect(result.spec.schedule.faults).toEqual([fault('crash', 0)]);
    expect(tried).toEqual([899, 0]);
  });

  it('stops at a stop request and says the schedule is not minimal', async () => {
    let runs = 0;
    const result = await minimiseScheduleAsync({
      spec: specOf([fault('crash', 500), fault('partition', 400), fault('repair', 900)]),
      keeps: () => 'kept',
      stop: () => (runs++ >= 2 ? 'interrupted' : null),
    });
    expect(result).toMatchObject({ minimal: false, stopped: 'interrupted', runs: 2 });
  });

  it('refuses a fault time that is not a whole number of milliseconds', () => {
    expect(() => faultTimeMs({ at: '1500us', kind: 'crash' })).toThrow(/whole number of milliseconds/);
  });
});
