// The fuzz campaign with a CI budget (fixed seeds, few runs): it finds seeded bugs, shrinks them
// to a minimal schedule, writes a trace file at once that replays exactly, attributes a failure
// to the bug only when the system without it survives, judges a bug by what it is declared to
// break, stops cleanly on a stop request, and `ftcheck fuzz` keeps its exit codes.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSpecArb } from '../properties/arbitraries/run-spec.ts';
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import { BUG_CATALOG } from '../src/check/bugs/catalog.ts';
import { bugRunOptions, fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';
import { runCampaign } from '../src/check/fuzz/campaign.ts';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import type { FtRunResult } from '../src/check/monitors/ft-run.ts';
import { readTraceFile } from '../src/check/trace-file.ts';
import { main } from '../src/cli/main.ts';
import { CLUSTER_BUGS } from '../src/cluster/cluster-bugs.ts';
import { DATA_PLANE_BUGS } from '../src/lockstep/bugs.ts';

const dir = mkdtempSync(join(tmpdir(), 'ftcheck-fuzz-'));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('bug injection', () => {
  it('can inject every catalogued, data-plane and cluster bug by name', () => {
    const names = fuzzableBugs().map((bug) => bug.name);
    for (const bug of [...BUG_CATALOG, ...DATA_PLANE_BUGS, ...CLUSTER_BUGS])
      expect(names).toContain(bug.name);
    for (const name of names) expect(() => bugRunOptions(name)).not.toThrow();
    expect(() => bugRunOptions('no-such-bug')).toThrow(/unknown bug 'no-such-bug' \(known: /);
  });
});

describe('campaign', () => {
  it('finds a data-plane bug without faults and writes a trace file that replays exactly', async () => {
    const outDir = join(dir, 'dp');
    // Local minimisation alone (fast-check's shrinking is the next test's subject).
    const result = await fuzzCampaign({ seed: 1, bug: 'dma-misplaced', runs: 10, shrinkRuns: 0, outDir });
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(result.violation.invariant).toBe('I1');
    expect(result.violation.message).toMatch(/^I1 \(lockstep\) violated at [\d.]+m?s on h\d/);
    expect(result.traceFile.search.faultsShrunk).toBe(0);
    expect(result.minimal).toBe(true);
    expect(result.runsToFailure).toBe(1);
    expect(result.tracePath).toBe(join(outDir, 'dma-misplaced-seed1.json'));
    expect(readdirSync(outDir)).toEqual(['dma-misplaced-seed1.json']);
    const file = readTraceFile(result.tracePath!);
    expect(file).toEqual(result.traceFile);
    expect(replayTraceFile(file).reproduced).toBe(true);
  });

  it('finds a protocol bug and shrinks it to the one partition that triggers it', async () => {
    const result = await fuzzCampaign({
      seed: 2,
      bug: 'continue-alone-without-test-and-set',
      runs: 10,
      outDir: null,
      // The classic shape (2 hosts, faults in the first 900 ms): one partition is all it takes.
      space: { shape: 'classic' },
    });
    expect(result.found).toBe(true);
    if (!result.found) return;
    expect(['I2', 'I3', 'I4', 'I5']).toContain(result.violation.invariant);
    expect(result.traceFile.search.faultsShrunk).toBe(1);
    expect(result.traceFile.run.schedule.faults[0]).toMatchObject({ kind: 'partition' });
    expect(result.traceFile.run.config).toMatchObject({ hosts: 2, racks: 1 });
    expect(result.minimal).toBe(true);
  });

  it('finds nothing on the system as shipped (CI budget; `npm run fuzz` runs the long campaign)', async () => {
    const result = await fuzzCampaign({ seed: 11, bug: null, runs: 12, outDir: null });
    expect(result.found ? result.violation.message : null).toBeNull();
    expect(result.runs).toBe(12);
    expect(result.stopped).toBeNull();
  });

  it('does not blame the bug for a failure the system without it shows as well', async () => {
    const alwaysFails = () => ({ invariant: 'I5' as const, atMicros: 0, message: 'always' });
    const common = {
      arbitrary: runSpecArb({ durationUs: 50_000 }),
      judge: alwaysFails,
      seed: 1,
      runs: 2,
      outDir: null,
    };
    expect((await runCampaign({ ...common, bug: 'interrupt-late' })).found).toBe(false);
    expect((await runCampaign({ ...common, bug: 'interrupt-late', attributeToBug: false })).found).toBe(true);
    const system = await runCampaign({ ...common, bug: null });
    expect(system.found).toBe(true);
    // A judge that always fails keeps failing with no fault at all: local minimisation removes them all.
    if (system.found) expect([system.traceFile.search.faultsShrunk, system.minimal]).toEqual([0, true]);
  });

  it('blames the bug when the system without it breaks the invariant only later than the bug did', async () => {
    // The judge also fails any run that lasts 150 ms: the system without the bug "breaks" I1 then.
    // The bug breaks it at once (about 20 ms); the run without the bug is asked only about that
    // stretch, so the find stands. Judged over whole runs, the system without the bug would excuse it.
    const lateFailure = (result: FtRunResult) =>
      result.violations.length > 0 || result.endUs >= 150_000
        ? {
            invariant: 'I1' as const,
            atMicros: result.endUs,
            message: result.violations[0]?.message ?? 'late',
          }
        : null;
    const common = {
      arbitrary: runSpecArb({ durationUs: 200_000 }),
      judge: lateFailure,
      invariants: ['I1' as const],
      seed: 1,
      runs: 1,
      outDir: null,
      shrinkRuns: 0,
    };
    const result = await runCampaign({ ...common, bug: 'dma-misplaced' });
    expect(result.found && result.violation.message).toMatch(
      /secondary of vm1 .* (diverged|could not follow)/,
    );
    expect((await runCampaign({ ...common, bug: null })).found).toBe(true);
  });

  it('is a pure function of its seed: the same campaign finds the same counterexample', async () => {
    const campaign = () =>
      fuzzCampaign({
        seed: 5,
        bug: 'dma-misplaced',
        runs: 5,
        shrinkRuns: 10,
        outDir: null,
        space: { durationUs: 300_000 },
      });
    const [a, b] = [await campaign(), await campaign()];
    expect(a.found && b.found).toBe(true);
    if (!a.found || !b.found) return;
    expect(b.traceFile.run).toEqual(a.traceFile.run);
    expect(b.traceFile.expected).toEqual(a.traceFile.expected);
    expect(b.executions).toBe(a.executions);
  });

  it('judges a bug by what it is declared to break, and reports what else it broke', async () => {
    // interrupt-late breaks I1 in every run; asked for I6 only, the campaign runs on past I1.
    const result = await fuzzCampaign({
      seed: 2,
      bug: 'interrupt-late',
      runs: 2,
      invariants: ['I6'],
      outDir: null,
      space: { durationUs: 200_000, determinismEvery: 0 },
    });
    expect(result.found).toBe(false);
    expect(result.runs).toBe(2);
    // I1 first (the divergence), then whatever the diverged pair goes on to break: none of it
    // happens without the bug.
    expect(result.incidental[0]).toMatchObject({ invariant: 'I1', run: 1, alsoWithoutBug: false });
    expect(result.incidental.every((v) => !v.alsoWithoutBug && v.invariant !== 'I6')).toBe(true);
    expect(result.incidental[0]!.message).toMatch(/^I1 \(lockstep\) violated/);
  });

  it('stops before the next run on a stop request or at its wall-clock ceiling, and says so', async () => {
    const common = { seed: 1, bug: null, runs: 50, outDir: null, space: { durationUs: 100_000 } };
    let runs = 0;
    const interrupted = await fuzzCampaign({
      ...common,
      stop: () => (runs >= 2 ? 'interrupted' : null),
      onRun: (done) => {
        runs = done;
      },
    });
    expect([interrupted.found, interrupted.runs, interrupted.stopped]).toEqual([false, 2, 'interrupted']);
    const ceiling = await fuzzCampaign({ ...common, budgetMs: 1 });
    expect(ceiling.stopped).toBe('ceiling');
    expect(ceiling.runs).toBeLessThan(50);
  });
});

describe('ftcheck fuzz', () => {
  it('exits 1 with the counterexample path and the figures in --json', async () => {
    const c = capture();
    const out = join(dir, 'cli');
    const code = await main(
      [
        'fuzz',
        '--runs',
        '3',
        '--seed',
        '2',
        '--bug',
        'interrupt-late',
        '--shrink-runs',
        '5',
        '--out',
        out,
        '--json',
      ],
      c.io,
    );
    expect(code).toBe(1);
    const json = JSON.parse(c.out.join(''));
    expect(json).toMatchObject({ invariant: 'I1', bug: 'interrupt-late', seed: 2 });
    expect(json.counterexample).toBe(join(out, 'interrupt-late-seed2.json'));
    expect(existsSync(json.counterexample)).toBe(true);
    expect(json.runs).toBe(1);
    expect([json.runsToFailure, json.minimal, json.stopped, json.exitCode]).toEqual([1, true, null, 1]);
    expect(json.schedulesPerSecond).toBeGreaterThan(0);
    expect(json.modelCoverage.states).toMatch(/^\d+\/11$/);
  });

  it('splits its search over --workers threads and finds what one thread finds, in the same trace file', async () => {
    // pending-disk-write-not-reissued first fails at schedule 10 of seed 2: one stripe of 3 finds
    // it, after the other stripes ran every schedule before it (and some after, which do not count).
    const run = async (workers: string) => {
      const c = capture();
      const out = join(dir, `workers-${workers}`);
      const args = ['fuzz', '--runs', '12', '--seed', '2', '--bug', 'pending-disk-write-not-reissued'];
      const code = await main(
        [...args, '--shrink-budget', '0', '--workers', workers, '--out', out, '--json'],
        c.io,
      );
      const json = JSON.parse(c.out.join(''));
      const trace = readFileSync(json.counterexample, 'utf8');
      for (const wallClock of ['schedulesPerSecond', 'timeToFirstFailureMs', 'counterexample'])
        delete json[wallClock];
      return { code, json, trace };
    };
    const one = await run('1');
    const three = await run('3');
    expect(one.code).toBe(1);
    expect(one.json).toMatchObject({ runs: 10, runsToFailure: 10, invariant: 'I4' });
    expect(three).toEqual(one);
  });

  it('exits 4, inconclusive, when the --budget ceiling comes before its runs with nothing found', async () => {
    const c = capture();
    const code = await main(
      ['fuzz', '--runs', '100000', '--budget', '1s', '--out', join(dir, 'ceiling')],
      c.io,
    );
    expect(code).toBe(4);
    expect(c.out.join('\n')).toMatch(/no violation so far, stopped by the --budget ceiling: inconclusive/);
  });

  it.each([
    [['--bug', 'no-such-bug'], /--bug: unknown bug 'no-such-bug'/],
    [['--budget', 'soon'], /--budget: expected a duration/],
    [['--budget', '0s'], /--budget must be a duration between 1s and 24h/],
    [['--runs', '0'], /--runs must be a positive integer/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--workers', '0'], /--workers must be an integer in 1..64/],
    [['--shrink-runs', '-1'], /--shrink-runs must be an integer in 0..1000000/],
  ])('exits 2 on bad input %j', async (args, message) => {
    const c = capture();
    expect(await main(['fuzz', ...args], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(message);
  });
});
