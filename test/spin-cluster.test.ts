// The SPIN yardstick on ftcheck's own cluster model (bench/spin-cluster/): the generated Promela
// port must have exactly the states ftcheck finds without host symmetry, or the bench compares two
// different searches. Small bounds, pan built without optimisation (only counts matter here).
// spin and gcc come from `npm test`'s pretest; FTCHECK_SKIP_SPIN=1 skips on purpose, and a missing
// tool otherwise fails with how to get it.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPan, hashBitsFor, spinMissing, spinSkipped } from '../bench/spin-cluster/pan.ts';
import { clusterPromela, type PromelaOptions } from '../bench/spin-cluster/promela.ts';
import { findModelBug } from '../models/bugs.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { explore } from '../src/check/explorer/explore.ts';

/** ftcheck and SPIN on one model; with a bug both go on past violations so the counts still compare. */
function bothSides(options: PromelaOptions) {
  const bug = options.bug === undefined ? undefined : findModelBug(options.bug);
  const ours = explore(createClusterModel({ ...options, bug }), {
    engine: 'compiled',
    symmetry: false,
    skipLiveness: true,
    stopAtFirstViolation: bug === undefined,
  });
  const pan = buildPan(options, 0);
  try {
    return { ours, spin: pan.run(hashBitsFor(ours.states), bug !== undefined) };
  } finally {
    pan.dispose();
  }
}

describe.skipIf(spinSkipped())(
  'SPIN on the Promela port of the cluster model (FTCHECK_SKIP_SPIN=1 skips)',
  () => {
    beforeAll(() => {
      const missing = spinMissing();
      if (missing) throw new Error(missing);
    });

    it('finds exactly the states ftcheck finds without symmetry (2 hosts, 1 entry)', () => {
      const { ours, spin } = bothSides({ hosts: 2, entries: 1 });
      expect(ours.violations).toEqual([]);
      expect(spin.errors).toBe(0);
      expect(spin.states).toBe(ours.states);
      expect(ours.states).toBeGreaterThan(10_000);
    });

    it('follows the agent’s and the HA service’s tables: seeded bugs change both sides alike and fail asserts', () => {
      for (const bug of ['output-before-ack', 'respawn-on-primary-host']) {
        const { ours, spin } = bothSides({ hosts: 2, entries: 1, bug });
        expect(ours.violations.length, bug).toBeGreaterThan(0);
        expect(spin.errors, bug).toBeGreaterThan(0);
        expect(spin.states, bug).toBe(ours.states);
      }
    });
  },
);

describe('the Promela generator', () => {
  it('is deterministic and carries the model’s bounds and initial state', () => {
    const text = clusterPromela({ hosts: 2, entries: 1 });
    expect(clusterPromela({ hosts: 2, entries: 1 })).toBe(text);
    expect(text).toContain('#define HOSTS 2');
    expect(text).toContain('#define ENTRIES 1');
    expect(text).toMatch(/byte agent\[HOSTS\] = \{ 0, \d+ \};/);
  });

  it('refuses what it does not port: an environment bug, an unknown bug', () => {
    expect(() => clusterPromela({ bug: 'snapshot-outlasts-respawn-timeout' })).toThrow(/environment guard/);
    expect(() => clusterPromela({ bug: 'no-such-bug' })).toThrow(/unknown model bug/);
  });
});
