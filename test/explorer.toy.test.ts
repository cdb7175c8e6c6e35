// Machines the compiled engine must hold: the SPIN yardstick's toy (one parallel region per host,
// guards and actions with params, an inline guard, bounds through input) and a user machine with
// nested states and guards over the state value. Counts are SPIN's (bench/spin/model.pml).
import { describe, expect, it } from 'vitest';
import { and, assign, not, setup, stateIn } from 'xstate';
import { toyModel } from '../bench/spin/model.ts';
import { explore } from '../src/check/explorer/explore.ts';
import type { ExplorerModel } from '../src/check/explorer/types.ts';
import { verifyCompiled } from '../src/check/explorer/verify.ts';

describe('the SPIN toy model (parallel regions, params, input)', () => {
  it('compiles and finds exactly the states SPIN finds, on both engines', () => {
    for (const engine of ['compiled', 'generic'] as const) {
      const result = explore(toyModel(3, 2, 3), { engine });
      expect([result.engine, result.states, result.transitions, result.violations]).toEqual([
        engine,
        4_392,
        21_694,
        [],
      ]);
    }
    const bigger = explore(toyModel(4, 3, 4));
    expect([bigger.engine, bigger.engineReason, bigger.states]).toEqual([
      'compiled',
      'the machine compiles',
      11_928,
    ]);
  });

  it('agrees with machine.transition on random walks', () => {
    const check = verifyCompiled(toyModel(4, 3, 4), { walks: 60, depth: 40 });
    expect(check.mismatch).toBeNull();
    expect(check.enabledSteps).toBe(2400);
  });

  it('reduces by host symmetry held in regions, records and values, identically on both engines', () => {
    for (const engine of ['compiled', 'generic'] as const) {
      const result = explore(toyModel(3, 2, 3, { symmetry: true }), { engine });
      expect([result.states, result.transitions]).toEqual([2_646, 13_094]);
      expect(result.symmetry).toEqual({ applied: true, orbitStates: 5_184, reduction: 1.959 });
    }
  });

  it('finds the seeded bug with SPIN’s shortest counterexample, SUSPECT B then PROMOTE B', () => {
    const [violation] = explore(toyModel(6, 5, 6, { bug: true })).violations;
    expect(violation!.trace.slice(1).map((s) => s.event)).toEqual([
      { type: 'SUSPECT', host: 'B' },
      { type: 'PROMOTE', host: 'B' },
    ]);
  });
});

// A user machine: a door (nested states) and an alarm (parallel region) whose guard reads the
// door's state; the number of break-ins it counts is bounded through input.
const alarmed = setup({
  types: {} as {
    context: { breakIns: number; max: number };
    events:
      | { type: 'OPEN' }
      | { type: 'CLOSE' }
      | { type: 'LOCK' }
      | { type: 'UNLOCK' }
      | { type: 'ARM' }
      | { type: 'FORCE' };
    input: { max: number };
  },
  guards: { roomForMore: ({ context }) => context.breakIns < context.max },
}).createMachine({
  id: 'home',
  type: 'parallel',
  context: ({ input }) => ({ breakIns: 0, max: input.max }),
  states: {
    door: {
      initial: 'closed',
      states: {
        open: { on: { CLOSE: 'closed' } },
        closed: {
          initial: 'unlocked',
          on: { OPEN: { target: 'open', guard: not(stateIn('#home.door.closed.locked')) } },
          states: { unlocked: { on: { LOCK: 'locked' } }, locked: { on: { UNLOCK: 'unlocked' } } },
        },
      },
    },
    alarm: {
      initial: 'off',
      states: {
        off: { on: { ARM: { target: 'armed', guard: stateIn('#home.door.closed.locked') } } },
        armed: {
          on: {
            FORCE: {
              target: 'ringing',
              guard: and(['roomForMore', stateIn('#home.door.closed')]),
              actions: assign({ breakIns: ({ context }) => context.breakIns + 1 }),
            },
          },
        },
        ringing: { on: { UNLOCK: 'off' } },
      },
    },
  },
});
const events = [
  { type: 'OPEN' },
  { type: 'CLOSE' },
  { type: 'LOCK' },
  { type: 'UNLOCK' },
  { type: 'ARM' },
  { type: 'FORCE' },
];
const alarmModel = (max: number): ExplorerModel<{ breakIns: number; max: number }> => ({
  name: 'alarmed home',
  machine: alarmed,
  input: { max },
  events: () => events,
  properties: [
    {
      kind: 'always',
      name: 'ringsOnlyLocked',
      holds: ({ value }) => {
        const v = value as { door: unknown; alarm: string };
        return v.alarm !== 'ringing' || JSON.stringify(v.door) === '{"closed":"locked"}';
      },
    },
    { kind: 'sometimes', name: 'ringsAtMax', holds: (s) => s.context.breakIns === s.context.max },
  ],
  stable: () => true,
});

describe('a user machine with nested states and guards over the state value', () => {
  it('compiles, agrees with xstate, and gives the generic engine’s counts', () => {
    expect(verifyCompiled(alarmModel(3), { walks: 50, depth: 30 }).mismatch).toBeNull();
    // The alarm can ring with the door unlocked (armed, unlocked, then forced): a real finding.
    const compiled = explore(alarmModel(3), { stopAtFirstViolation: false });
    const generic = explore(alarmModel(3), { engine: 'generic', stopAtFirstViolation: false });
    expect(compiled.violations.map((v) => [v.property, v.trace.slice(1).map((s) => s.event!.type)])).toEqual([
      ['ringsOnlyLocked', ['LOCK', 'ARM', 'UNLOCK', 'FORCE']],
    ]);
    expect(compiled.engine).toBe('compiled');
    expect([compiled.states, compiled.transitions]).toEqual([generic.states, generic.transitions]);
    expect(compiled.states).toBe(33);
    const witness = compiled.properties.find((p) => p.name === 'ringsAtMax')!;
    expect(witness.status).toBe('holds');
    expect(witness.witness!.at(-1)!.state.context.breakIns).toBe(3);
  });
});
