// A step of the model that throws is a finding about the model (I0, property `stepsComplete`),
// reported with the shortest path to the state it was taken from and the event and error; only
// an error raised by ftcheck's own checking code stops the search (exit 3).
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/base/package-root.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { exploreParallel } from '../src/check/explorer/parallel.ts';
import { exploreSwarm } from '../src/check/explorer/swarm.ts';
import { thrownByChecker } from '../src/check/explorer/thrown.ts';
import { THROWING_MODEL_MODULE, throwingModel } from './fixtures/throwing-model.ts';

const LIMIT = 4;

const finding = (r: ReturnType<typeof explore>) =>
  r.violations.map((v) => ({
    property: v.property,
    invariant: v.invariant,
    steps: v.trace.length - 1,
    last: v.trace.at(-1)!.state.context,
    event: v.thrown?.event?.type,
    error: v.thrown?.error,
  }));

describe('a step that throws', () => {
  for (const engine of ['compiled', 'generic'] as const) {
    it(`is an I0 finding with its shortest path (${engine} engine)`, () => {
      const result = explore(throwingModel(LIMIT), { engine });
      expect(finding(result)).toEqual([
        {
          property: 'stepsComplete',
          invariant: 'I0',
          steps: LIMIT,
          last: { a: LIMIT, b: 0 },
          event: 'INC_A',
          error: expect.stringMatching(
            /^RangeError: counter a passed its limit 4 at throwing-model\.ts:\d+$/,
          ),
        },
      ]);
      expect(result.complete).toBe(false);
      const property = result.properties.find((p) => p.name === 'stepsComplete');
      expect(property).toMatchObject({ kind: 'always', invariant: 'I0', status: 'violated' });
    });
  }

  it('holds, and is listed, on a model whose steps never throw', () => {
    const result = explore(throwingModel(LIMIT), { engine: 'compiled' });
    const clean = explore(
      { ...throwingModel(LIMIT), events: () => [{ type: 'INC_B' }] },
      { engine: 'compiled' },
    );
    expect(result.violations).toHaveLength(1);
    expect(clean.violations).toEqual([]);
    expect(clean.properties.find((p) => p.name === 'stepsComplete')?.status).toBe('holds');
  });

  it('is found by the parallel search as by the sequential one', async () => {
    const sequential = explore(throwingModel(12), { eventually: false });
    const parallel = await exploreParallel(
      { module: THROWING_MODEL_MODULE, exportName: 'throwingModel', args: [12] },
      { workers: 2, shareAt: 1, eventually: false },
    );
    expect(parallel.parallel?.note).toBe(
      'a worker met a step that throws; the sequential search reports it with its path',
    );
    expect(finding(parallel)).toEqual(finding(sequential));
    expect(finding(parallel)[0]).toMatchObject({ property: 'stepsComplete', steps: 12 });
  });
});

describe('a step that throws, under swarm', () => {
  it('is a violation each member can find, replayed and shown with the event that throws', () => {
    const result = exploreSwarm(throwingModel(LIMIT), { members: 3, seed: 1, maxStates: 10_000 });
    expect(result.verdict).toBe('violation');
    expect(result.violation).toMatchObject({ property: 'stepsComplete', invariant: 'I0', kind: 'invariant' });
    expect(result.violation!.trace.at(-1)!.state.context).toMatchObject({ a: LIMIT });
    expect(result.violation!.thrown).toEqual({
      event: { type: 'INC_A' },
      error: expect.stringMatching(/^RangeError: counter a passed its limit 4 at throwing-model\.ts:\d+$/),
    });
    expect(result.properties.find((p) => p.name === 'stepsComplete')?.status).toBe('violated');
  });
});

describe('who threw', () => {
  const root = packageRoot();
  const stack = (...frames: string[]) =>
    ['AssertionError: x', ...frames.map((f) => `    at f (${f}:1:2)`)].join('\n');
  it("blames ftcheck only for its own checking code (after the assert helper's frame)", () => {
    expect(thrownByChecker(stack(`${root}/src/base/assert.ts`, `${root}/models/environment.ts`))).toBe(false);
    expect(thrownByChecker(stack(`file://${root}/src/cluster/ft-vm.ts`))).toBe(false);
    expect(thrownByChecker(stack('/home/user/project/src/check/model.ts'))).toBe(false);
    expect(thrownByChecker(stack(`${root}/src/base/assert.ts`, `${root}/src/check/explorer/trace.ts`))).toBe(
      true,
    );
    expect(thrownByChecker(stack(`file://${root}/src/cli/commands/explore.ts`))).toBe(true);
    expect(thrownByChecker('Error: no frames')).toBe(true);
  });
});
