import { describe, expect, it } from 'vitest';
import { GATE_CAMPAIGN_DEFAULT } from '../src/check/gate/campaign-plan.ts';
import {
  type GateOptions,
  type GateStage,
  recordInvariant,
  runGate,
  type StageContext,
} from '../src/check/gate/gate.ts';
import { StopFlag } from '../src/check/gate/stop-flag.ts';

const options: GateOptions = {
  hosts: 3,
  guests: ['kvstore'],
  seed: 1,
  campaign: GATE_CAMPAIGN_DEFAULT,
  workers: 1,
  bugs: [],
  reportsDir: '/nonexistent',
  toolVersion: 'test',
  tty: false,
  log: () => {},
};

/** A stage from a body; a body that returns nothing completed. */
function stage(name: string, body: (context: StageContext) => Promise<unknown>): GateStage {
  return { name, run: async (context) => ((await body(context)) === 'stopped' ? 'stopped' : 'complete') };
}

/** A stage that works until the stop flag is set, like a fuzz campaign between two runs. */
const untilStopped = (name: string) =>
  stage(name, async (c) => {
    while (c.stop.reason === null) await new Promise((resolve) => setTimeout(resolve, 5));
    return 'stopped';
  });

describe('gate pipeline', () => {
  it('passes when every checked invariant holds, with each stage complete', async () => {
    const results = await runGate(
      [stage('a', async (c) => recordInvariant(c.results, 'I3', 'a', true)), stage('b', async () => {})],
      options,
      new AbortController().signal,
    );
    expect(results.verdict).toBe('pass');
    expect(results.stages).toEqual([
      { name: 'a', status: 'complete' },
      { name: 'b', status: 'complete' },
    ]);
    expect(results.invariants.I3).toEqual({ verdict: 'hold', checkedBy: ['a'], counterexamples: [] });
    expect(results.invariants.I1.verdict).toBe('not-checked');
    expect(results.config.campaign).toEqual(GATE_CAMPAIGN_DEFAULT);
    expect(results.config.budgetSeconds).toBeUndefined();
    expect(Object.keys(results.timing.stages)).toEqual(['a', 'b']);
    expect(results.timing.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/); // wall clock: timing only
  });

  it('fails on a violation, which a later hold never overwrites', async () => {
    const results = await runGate(
      [
        stage('a', async (c) =>
          recordInvariant(c.results, 'I2', 'a', false, 'counterexamples/x.json', 'dup'),
        ),
        stage('b', async (c) => recordInvariant(c.results, 'I2', 'b', true)),
      ],
      options,
      new AbortController().signal,
    );
    expect(results.verdict).toBe('fail');
    expect(results.invariants.I2.verdict).toBe('violated');
    expect(results.invariants.I2.counterexamples).toEqual(['counterexamples/x.json']);
  });

  it('fails when a seeded bug escaped, but not when it was only stopped or not reached', async () => {
    const withBugs = (status: 'escaped' | 'inconclusive' | 'not-run') =>
      runGate(
        [
          stage('bugs', async (c) => {
            c.results.bugs = [{ name: 'x', level: 'model', breaks: ['I3'], status, caught: false }];
          }),
        ],
        options,
        new AbortController().signal,
      );
    expect((await withBugs('escaped')).verdict).toBe('fail');
    expect((await withBugs('inconclusive')).verdict).toBe('pass');
    expect((await withBugs('not-run')).verdict).toBe('pass');
  });

  it('errors when a stage throws', async () => {
    const broken = await runGate(
      [
        stage('boom', async () => {
          throw new Error('kaput');
        }),
      ],
      options,
      new AbortController().signal,
    );
    expect(broken.verdict).toBe('error');
    expect(broken.stages).toEqual([{ name: 'boom', status: 'error' }]);
    expect(broken.figures['boom error']).toBe('kaput');
  });

  it('on a signal stops at the next check: interrupted, later stages not run, even with a violation', async () => {
    const abort = new AbortController();
    let ranLast = false;
    const results = await runGate(
      [
        stage('done', async (c) => recordInvariant(c.results, 'I4', 'done', false, undefined, 'lost')),
        stage('cut', async (c) => {
          abort.abort();
          await new Promise((resolve) => setImmediate(resolve));
          return c.stop.reason === 'interrupted' ? 'stopped' : 'complete';
        }),
        stage('last', async () => {
          ranLast = true;
        }),
      ],
      options,
      abort.signal,
    );
    expect(ranLast).toBe(false);
    expect(results.stages.map((s) => s.status)).toEqual(['complete', 'interrupted', 'not-run']);
    expect(results.invariants.I4.verdict).toBe('violated');
    expect(results.verdict).toBe('interrupted');
  });

  it('at the wall-clock ceiling is inconclusive, never fail, and skips the stages left', async () => {
    const results = await runGate(
      [stage('first', async () => {}), untilStopped('long'), stage('after', async () => {})],
      { ...options, budgetSeconds: 0.05 },
      new AbortController().signal,
    );
    expect(results.stages.map((s) => s.status)).toEqual(['complete', 'inconclusive', 'inconclusive']);
    expect(results.verdict).toBe('inconclusive');
    expect(results.config.budgetSeconds).toBe(0.05);
  });

  it('a violation found before the ceiling still fails the gate', async () => {
    const results = await runGate(
      [stage('found', async (c) => recordInvariant(c.results, 'I3', 'found', false)), untilStopped('long')],
      { ...options, budgetSeconds: 0.05 },
      new AbortController().signal,
    );
    expect(results.verdict).toBe('fail');
  });
});

describe('stop flag', () => {
  it('is shared through its buffer, and an interrupt outranks the ceiling', () => {
    const flag = new StopFlag();
    const view = new StopFlag(flag.buffer);
    expect(view.reason).toBeNull();
    flag.request('ceiling');
    expect(view.reason).toBe('ceiling');
    view.request('interrupted');
    expect(flag.reason).toBe('interrupted');
    flag.request('ceiling');
    expect(flag.reason).toBe('interrupted');
  });
});
