// The explorer example in README.md, run as written: documentation that cannot go stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { explore } from '../src/check/explorer/explore.ts';
import { formatStepTable } from '../src/check/explorer/stepTable.ts';

type Counters = { a: number; b: number };

describe('README explorer example', () => {
  it('is the code in the README and finds sumBelow4 with a 4-step counterexample', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      "invariants: [{ name: 'sumBelow4', holds: (s) => s.context.a + s.context.b < 4 }],",
    );
    const counters = setup({
      types: {} as { context: Counters; events: { type: 'INC'; which: 'a' | 'b' } },
      guards: { belowMax: ({ context, event }) => context[event.which] < 3 },
      actions: { increment: assign(({ context, event }) => ({ [event.which]: context[event.which] + 1 })) },
    }).createMachine({
      context: { a: 0, b: 0 },
      initial: 'counting',
      states: { counting: { on: { INC: { guard: 'belowMax', actions: 'increment' } } } },
    });
    const result = explore<Counters>({
      name: 'counters',
      machine: counters,
      events: () => [
        { type: 'INC', which: 'a' },
        { type: 'INC', which: 'b' },
      ],
      invariants: [{ name: 'sumBelow4', holds: (s) => s.context.a + s.context.b < 4 }],
      liveness: [{ name: 'aReachesMax', from: () => true, goal: (s) => s.context.a === 3 }],
      stable: (s) => s.context.a === 3 && s.context.b === 3,
    });
    const violation = result.violations.find((v) => v.property === 'sumBelow4');
    expect(violation?.trace.length).toBe(5);
    expect(formatStepTable(violation!.trace)).toContain('INC');
  });
});
