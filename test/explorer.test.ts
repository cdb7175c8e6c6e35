import { describe, expect, it } from 'vitest';
import { assign, createMachine, raise, setup, transition } from 'xstate';
import { agentMachine } from '../models/agent.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import type { ClusterContext } from '../models/clusterState.ts';
import { AGENT_ALPHABET } from '../models/environment.ts';
import type { ClusterEvent } from '../models/envSteps.ts';
import { Prng } from '../src/base/prng.ts';
import { compileMachine, UnsupportedMachineError } from '../src/check/explorer/compile.ts';
import { explore } from '../src/check/explorer/explore.ts';
import type { ExplorerModel } from '../src/check/explorer/types.ts';
import { verifyCompiled } from '../src/check/explorer/verify.ts';

// A tiny user model: two bounded counters (the README example's shape).
interface Counters {
  a: number;
  b: number;
}
const counters = setup({
  types: {} as { context: Counters; events: { type: 'INC'; which: 'a' | 'b' } },
  guards: { belowMax: ({ context, event }) => context[event.which] < 3 },
  actions: { increment: assign(({ context, event }) => ({ [event.which]: context[event.which] + 1 })) },
}).createMachine({
  context: { a: 0, b: 0 },
  initial: 'counting',
  states: { counting: { on: { INC: { guard: 'belowMax', actions: 'increment' } } } },
});
const incA = { type: 'INC', which: 'a' } as const;
const incB = { type: 'INC', which: 'b' } as const;
const counterModel = (extra: Partial<ExplorerModel<Counters>> = {}): ExplorerModel<Counters> => ({
  name: 'counters',
  machine: counters,
  events: () => [incA, incB],
  invariants: [],
  stable: (s) => s.context.a === 3 && s.context.b === 3,
  ...extra,
});

describe('explorer on a small user model', () => {
  it('visits every state once, on both engines, with identical counts', () => {
    for (const engine of ['generic', 'compiled'] as const) {
      const result = explore(counterModel(), { engine });
      expect([result.engine, result.states, result.transitions, result.depth]).toEqual([engine, 16, 24, 6]);
      expect(result.complete).toBe(true);
      expect(result.violations).toEqual([]);
    }
  });

  it('reports an invariant violation with a shortest counterexample', () => {
    const model = counterModel({
      invariants: [{ name: 'sumBelow4', holds: (s) => s.context.a + s.context.b < 4 }],
    });
    for (const engine of ['generic', 'compiled'] as const) {
      const [violation] = explore(model, { engine }).violations;
      expect(violation!.property).toBe('sumBelow4');
      expect(violation!.trace.length).toBe(5); // the initial state plus four increments
      expect(violation!.trace[0]!.event).toBeNull();
      const last = violation!.trace.at(-1)!.state.context;
      expect(last.a + last.b).toBe(4);
    }
  });

  it('finds deadlocks in states the model does not call stable', () => {
    const result = explore(counterModel({ stable: undefined }), { engine: 'compiled' });
    expect(result.violations.map((v) => [v.kind, v.trace.length])).toEqual([['deadlock', 7]]);
  });

  it('checks liveness on the explored graph and returns the shallowest witness', () => {
    const holds = counterModel({
      liveness: [{ name: 'aReachesMax', from: () => true, goal: (s) => s.context.a === 3 }],
    });
    expect(explore(holds).violations).toEqual([]);
    const fails = counterModel({
      liveness: [{ name: 'backToStart', from: () => true, goal: (s) => s.context.a + s.context.b === 0 }],
    });
    const [violation] = explore(fails).violations;
    expect([violation!.kind, violation!.property, violation!.trace.length]).toEqual([
      'liveness',
      'backToStart',
      2,
    ]);
  });
});

describe('bounds through input', () => {
  // A user machine whose bounds come in through xstate's `input`, as a packaged user model does.
  const bounded = setup({
    types: {} as {
      context: Counters & { max: number };
      events: { type: 'INC'; which: 'a' | 'b' };
      input: { max: number };
    },
    guards: { belowMax: ({ context, event }) => context[event.which] < context.max },
    actions: { increment: assign(({ context, event }) => ({ [event.which]: context[event.which] + 1 })) },
  }).createMachine({
    context: ({ input }) => ({ a: 0, b: 0, max: input.max }),
    initial: 'counting',
    states: { counting: { on: { INC: { guard: 'belowMax', actions: 'increment' } } } },
  });
  const model = (max: number): ExplorerModel<Counters & { max: number }> => ({
    name: `bounded(max=${max})`,
    machine: bounded,
    input: { max },
    events: () => [incA, incB],
    invariants: [],
    stable: (s) => s.context.a === s.context.max && s.context.b === s.context.max,
  });

  it('explores (max + 1)² states on both engines, with the bound read from input', () => {
    for (const max of [2, 5]) {
      for (const engine of ['generic', 'compiled'] as const) {
        const result = explore(model(max), { engine });
        expect([result.engine, result.states, result.violations]).toEqual([engine, (max + 1) ** 2, []]);
      }
    }
    expect(verifyCompiled(model(4), { walks: 20, depth: 8 }).mismatch).toBeNull();
  });
});

describe('machine compiler', () => {
  it('refuses features it does not support, naming the state and the construct', () => {
    const eventless = createMachine({ initial: 'a', states: { a: { always: 'b' }, b: {} } });
    expect(() => compileMachine(eventless)).toThrow(UnsupportedMachineError);
    expect(() => compileMachine(eventless)).toThrow(/\(machine\)\.a.*eventless/);
    const delayed = createMachine({ initial: 'a', states: { a: { after: { 100: 'b' } }, b: {} } });
    expect(() => compileMachine(delayed)).toThrow(/delayed/);
    const history = createMachine({ initial: 'a', states: { a: {}, h: { type: 'history' } } });
    expect(() => compileMachine(history)).toThrow(/history/);
    const raising = createMachine({
      initial: 'a',
      states: { a: { on: { GO: { actions: raise({ type: 'X' }) } } } },
    });
    expect(() => compileMachine(raising)).toThrow(/xstate\.raise/);
    const mapContext = createMachine({ context: { seen: new Map() }, initial: 'a', states: { a: {} } });
    expect(() => compileMachine(mapContext)).toThrow(/context\.seen is a Map/);
    // Parallel states compile.
    const parallel = createMachine({ type: 'parallel', states: { x: {}, y: {} } });
    expect(compileMachine(parallel).chart.wordCount).toBe(0);
    // `auto` runs the generic engine for such machines and says why.
    const model = { name: 'eventless', machine: eventless, events: () => [], invariants: [] };
    const result = explore(model as never);
    expect(result.engine).toBe('generic');
    expect(result.engineReason).toMatch(/compiled engine refused.*eventless \(always\) transitions/);
    expect(explore(counterModel()).engineReason).toBe('the machine compiles');
  });

  it('agrees with machine.transition on random walks of the agent and the cluster model', () => {
    const agent = { name: 'agent', machine: agentMachine, events: () => AGENT_ALPHABET, invariants: [] };
    const onAgent = verifyCompiled(agent, { walks: 100, depth: 30 });
    expect(onAgent.mismatch).toBeNull();
    expect(onAgent.enabledSteps).toBe(3000);
    const onCluster = verifyCompiled(createClusterModel({ hosts: 3 }), { walks: 20, depth: 40, seed: 7 });
    expect(onCluster.mismatch).toBeNull();
    expect(onCluster.enabledSteps).toBeGreaterThan(200);
  });
});

describe('cluster model, exhaustively', () => {
  it('gives identical results on the generic and the compiled engine', () => {
    const options = { hosts: 2, entries: 1, partitions: 0 };
    const generic = explore(createClusterModel(options), { engine: 'generic' });
    const compiled = explore(createClusterModel(options), { engine: 'compiled' });
    expect([generic.engine, generic.states, generic.transitions, generic.depth]).toEqual([
      'generic',
      1_455,
      4_411,
      21,
    ]);
    expect([compiled.engine, compiled.states, compiled.transitions, compiled.depth]).toEqual([
      'compiled',
      1_455,
      4_411,
      21,
    ]);
  });

  // Pinned state counts (Stateright habit): a change in behaviour shows up here.
  it.each([
    [2, 46_901, 217_535],
    [3, 190_279, 1_016_175],
    [4, 293_172, 1_710_344],
  ])('checks %i hosts completely: %i states, every property holds', (hosts, states, transitions) => {
    // The eventually properties need the full graph (no symmetry): checked at 2 hosts here, at 3
    // hosts by the gate; the safety and reachability counts are pinned at every size.
    const result = explore(createClusterModel({ hosts }), { engine: 'compiled', eventually: hosts === 2 });
    expect(result.complete).toBe(true);
    expect([result.states, result.transitions]).toEqual([states, transitions]);
    expect(result.violations).toEqual([]);
  });

  it('steps copy on write: the source state is never mutated', () => {
    // Every host record and the context are frozen; a write to them would throw (ESM is strict).
    const model = createClusterModel({ hosts: 3 });
    const freeze = (c: ClusterContext) => {
      for (const h of c.hosts) Object.freeze(h);
      Object.freeze(c.hosts);
      return Object.freeze(c);
    };
    let snapshot = model.machine.resolveState({
      value: 'running',
      context: freeze(model.machine.config.context as never),
    });
    const initial = snapshot;
    const prng = new Prng(3);
    let steps = 0;
    for (let round = 0; round < 2000; round++) {
      const enabled = model
        .events()
        .map((e) => transition(model.machine, snapshot, e)[0])
        .filter((next) => next !== snapshot);
      steps += enabled.length;
      const next = enabled[prng.nextInt(Math.max(1, enabled.length))];
      snapshot = next
        ? model.machine.resolveState({ value: 'running', context: freeze(next.context) })
        : initial;
    }
    expect(steps).toBeGreaterThan(4000);
  });

  it('symmetry reduction is sound: the raw space maps onto the canonical one', () => {
    const model = createClusterModel({ hosts: 2, entries: 1, partitions: 0, storageLosses: 0 });
    const raw = explore({ ...model, symmetry: undefined });
    expect(raw.states).toBeGreaterThan(273);
    expect(raw.violations).toEqual([]);
  });

  it('counterexample traces are real runs of the machine', () => {
    const model = createClusterModel({ hosts: 2 });
    const result = explore(
      { ...model, invariants: [{ name: 'neverReleases', holds: (s) => s.context.released === 0 }] },
      { engine: 'compiled' },
    );
    const trace = result.violations[0]!.trace;
    let snapshot = model.machine.resolveState({
      value: trace[0]!.state.value,
      context: trace[0]!.state.context,
    });
    for (const step of trace.slice(1)) {
      [snapshot] = transition(model.machine, snapshot, step.event as ClusterEvent);
      expect(snapshot.context).toEqual(step.state.context);
    }
    expect(snapshot.context.released).toBe(1);
  });
});
