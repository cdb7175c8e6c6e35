import { describe, expect, it } from 'vitest';
import { type GateOptions, type GateStage, recordInvariant, runGate } from '../src/check/gate/gate.ts';

const options: GateOptions = {
  hosts: 3,
  guests: ['kvstore'],
  seed: 1,
  budgetSeconds: 100,
  workers: 1,
  bugs: [],
  reportsDir: '/nonexistent',
  toolVersion: 'test',
  tty: false,
  log: () => {},
};

function stage(name: string, weight: number, run: GateStage['run']): GateStage {
  return { name, weight, run };
}

describe('gate pipeline', () => {
  it('passes when every checked invariant holds and splits the budget by weight', async () => {
    const budgets: number[] = [];
    const results = await runGate(
      [
        stage('a', 1, async (c) => {
          budgets.push(c.budgetSeconds);
          recordInvariant(c.results, 'I3', 'a', true);
        }),
        stage('b', 3, async (c) => {
          budgets.push(c.budgetSeconds);
        }),
      ],
      options,
      new AbortController().signal,
    );
    expect(results.verdict).toBe('pass');
    expect(results.invariants.I3).toEqual({ verdict: 'hold', checkedBy: ['a'], counterexamples: [] });
    expect(results.invariants.I1.verdict).toBe('not-checked');
    expect(budgets[0]).toBeCloseTo(25, 0);
    expect(budgets[1]).toBeGreaterThan(70);
  });

  it('fails on a violation, which a later hold never overwrites', async () => {
    const results = await runGate(
      [
        stage('a', 1, async (c) =>
          recordInvariant(c.results, 'I2', 'a', false, 'counterexamples/x.json', 'dup'),
        ),
        stage('b', 1, async (c) => recordInvariant(c.results, 'I2', 'b', true)),
      ],
      options,
      new AbortController().signal,
    );
    expect(results.verdict).toBe('fail');
    expect(results.invariants.I2.verdict).toBe('violated');
    expect(results.invariants.I2.counterexamples).toEqual(['counterexamples/x.json']);
  });

  it('fails when a seeded bug escapes, errors when a stage throws, and stops on abort', async () => {
    const escaped = await runGate(
      [
        stage('bugs', 1, async (c) => {
          c.results.bugs = [{ name: 'x', level: 'model', breaks: ['I3'], caught: false, seconds: 1 }];
        }),
      ],
      options,
      new AbortController().signal,
    );
    expect(escaped.verdict).toBe('fail');
    const broken = await runGate(
      [
        stage('boom', 1, async () => {
          throw new Error('kaput');
        }),
      ],
      options,
      new AbortController().signal,
    );
    expect(broken.verdict).toBe('error');
    expect(broken.figures['boom error']).toBe('kaput');
    const abort = new AbortController();
    let ranSecond = false;
    const interrupted = await runGate(
      [
        stage('first', 1, async () => abort.abort()),
        stage('second', 1, async () => {
          ranSecond = true;
        }),
      ],
      options,
      abort.signal,
    );
    expect(ranSecond).toBe(false);
    expect(interrupted.verdict).toBe('interrupted');
  });
});
