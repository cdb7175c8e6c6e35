// Properties of three kinds on the explored graph: `sometimes` (a witness path), `eventually` /
// leads-to under weak fairness (SCC-based, lasso counterexamples), and how symmetry and fairness
// meet (the fairness check runs without symmetry).
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { explore } from '../src/check/explorer/explore.ts';
import type { ExplorerModel, Property } from '../src/check/explorer/types.ts';

// A clock that ticks round 0 → 1 → 2 → 0 forever, and a DONE event that ends the run.
type Clock = { tick: number; done: boolean };
type ClockEvent = { type: 'TICK' } | { type: 'DONE' } | { type: 'HALT' };
const clock = setup({
  types: {} as { context: Clock; events: ClockEvent; input: { doneOnlyAtZero: boolean } },
  guards: {
    canFinish: ({ context }) => !context.done,
    ticking: ({ context }) => !context.done,
  },
  actions: {
    tick: assign({ tick: ({ context }) => (context.tick + 1) % 3 }),
    finish: assign({ done: true }),
  },
}).createMachine({
  context: { tick: 0, done: false },
  initial: 'running',
  states: {
    running: {
      on: {
        TICK: { guard: 'ticking', actions: 'tick' },
        DONE: { guard: 'canFinish', actions: 'finish' },
        HALT: 'halted',
      },
    },
    halted: { type: 'final' },
  },
});

const events: ClockEvent[] = [{ type: 'TICK' }, { type: 'DONE' }];
const clockModel = (
  properties: Property<Clock>[],
  extra: Partial<ExplorerModel<Clock, ClockEvent>> = {},
): ExplorerModel<Clock, ClockEvent> => ({
  name: 'clock',
  machine: clock,
  input: { doneOnlyAtZero: false },
  events: () => events,
  properties,
  stable: () => true,
  ...extra,
});
const finishes: Property<Clock> = { kind: 'eventually', name: 'finishes', goal: (s) => s.context.done };

describe('eventually, under weak fairness', () => {
  it('holds when the goal action stays enabled: fairness forbids ticking forever', () => {
    const result = explore(clockModel([finishes]));
    expect(result.properties.map((p) => [p.name, p.kind, p.status])).toContainEqual([
      'finishes',
      'eventually',
      'holds',
    ]);
    expect(result.violations).toEqual([]);
  });

  it('fails with a lasso when the goal action is not fair: stem, then a cycle that ticks forever', () => {
    const unfair = explore(clockModel([finishes], { fair: (e) => e.type !== 'DONE' }));
    const [v] = unfair.violations;
    expect([v!.kind, v!.property]).toEqual(['eventually', 'finishes']);
    expect(v!.loopStart).toBe(0);
    expect(v!.trace.map((s) => s.event?.type ?? null)).toEqual([null, 'TICK', 'TICK', 'TICK']);
    expect(v!.trace.at(-1)!.state).toEqual(v!.trace[v!.loopStart!]!.state);
    expect(v!.trace.every((s) => !s.state.context.done)).toBe(true);
  });

  it('fails when the goal action is enabled only now and then (not continuously): ticking is fair', () => {
    const seldom = explore(
      clockModel([finishes], { events: (s) => (s.context.tick === 1 ? events : [{ type: 'TICK' }]) }),
    );
    const [v] = seldom.violations;
    expect(v!.property).toBe('finishes');
    expect(v!.trace.slice(v!.loopStart! + 1).map((s) => s.event!.type)).toEqual(['TICK', 'TICK', 'TICK']);
  });

  it('fails at a dead end that never reaches the goal (no cycle)', () => {
    const halting: ClockEvent[] = [{ type: 'TICK' }, { type: 'HALT' }];
    const [v] = explore(clockModel([finishes], { events: () => halting })).violations;
    expect(v!.loopStart).toBeUndefined();
    expect(v!.trace.map((s) => s.event?.type ?? null)).toEqual([null, 'HALT']);
  });

  it('checks leads-to from every state that satisfies `from`', () => {
    const fromTwo: Property<Clock> = {
      kind: 'eventually',
      name: 'twoLeadsToZero',
      from: (s) => s.context.tick === 2 && !s.context.done,
      goal: (s) => s.context.tick === 0 || s.context.done,
    };
    expect(explore(clockModel([fromTwo])).violations).toEqual([]);
    const [v] = explore(clockModel([{ ...fromTwo, goal: (s) => s.context.tick === 0 }])).violations;
    // From tick 2, DONE (fair, continuously enabled) ends the run at tick 2: a dead end.
    expect(v!.trace.map((s) => s.event?.type ?? null)).toEqual([null, 'TICK', 'TICK', 'DONE']);
  });
});

describe('sometimes', () => {
  it('reports the shortest witness, or a violation when no state satisfies it', () => {
    const result = explore(
      clockModel([
        { kind: 'sometimes', name: 'reachesTwo', holds: (s) => s.context.tick === 2 },
        { kind: 'sometimes', name: 'reachesThree', holds: (s) => s.context.tick === 3 },
      ]),
      { stopAtFirstViolation: false },
    );
    const [two, three] = result.properties;
    expect([two!.status, two!.witness!.map((s) => s.event?.type ?? null)]).toEqual([
      'holds',
      [null, 'TICK', 'TICK'],
    ]);
    expect(three!.status).toBe('violated');
    expect(result.violations.map((v) => [v.kind, v.property])).toEqual([['sometimes', 'reachesThree']]);
  });
});

// Two symmetric workers, each may take a job; a scheduler bug lets one worker starve.
type Pool = { taken: number[] };
const pool = setup({
  types: {} as { context: Pool; events: { type: 'TAKE'; worker: number } | { type: 'DROP'; worker: number } },
  guards: { idle: ({ context, event }) => context.taken[event.worker] === 0 },
  actions: {
    take: assign({
      taken: ({ context, event }) => context.taken.map((t, i) => (i === event.worker ? 1 : t)),
    }),
    drop: assign({
      taken: ({ context, event }) => context.taken.map((t, i) => (i === event.worker ? 0 : t)),
    }),
  },
}).createMachine({
  context: { taken: [0, 0] },
  initial: 'on',
  states: {
    on: {
      on: {
        TAKE: { guard: 'idle', actions: 'take' },
        DROP: { guard: ({ context, event }) => context.taken[event.worker] === 1, actions: 'drop' },
      },
    },
  },
});

describe('symmetry and fairness', () => {
  it('checks eventually properties on the full graph, and safety on the reduced one', () => {
    const result = explore<Pool>({
      name: 'pool',
      machine: pool,
      events: () =>
        [0, 1].flatMap((worker) => [
          { type: 'TAKE' as const, worker },
          { type: 'DROP' as const, worker },
        ]),
      symmetry: { arrays: ['taken'] },
      properties: [
        { kind: 'always', name: 'bounded', holds: (s) => s.context.taken.every((t) => t <= 1) },
        { kind: 'eventually', name: 'workerZeroWorks', goal: (s) => s.context.taken[0] === 1 },
      ],
    });
    expect([result.states, result.symmetry.applied, result.fairness?.states]).toEqual([3, true, 4]);
    expect(result.properties.map((p) => [p.name, p.kind, p.status])).toEqual([
      ['bounded', 'always', 'holds'],
      ['deadlock', 'deadlock', 'holds'],
      ['stepsComplete', 'always', 'holds'],
      ['workerZeroWorks', 'eventually', 'holds'],
    ]);
  });
});
