import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { MODEL_BUGS } from '../models/bugs.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { BUG_CATALOG } from '../src/check/bugs/catalog.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { toItf } from '../src/check/explorer/itf.ts';
import { formatStepTable } from '../src/check/explorer/stepTable.ts';
import { cloneConfig, rebuild, type StateConfig, stateAt } from '../src/check/mutate/machine-config.ts';
import { findModelMutant } from '../src/check/mutate/model-mutants.ts';
import { incompleteAgentModel } from './fixtures/incomplete-agent.ts';
import { lateDisengageModel } from './fixtures/late-disengage-agent.ts';
import { reissueBeforeLockModel } from './fixtures/reissue-before-lock-agent.ts';

// The exact shortest counterexample of each seeded bug on 2 hosts (steps after the initial state).
const EXPECTED: Record<string, [property: string, steps: number]> = {
  'go-live-without-test-and-set': ['singleActingPrimary', 6],
  'output-before-ack': ['outputReproducible', 5],
  'go-live-without-replay': ['releasedOutputSurvives', 10],
  'skip-pending-io-reissue': ['pendingWriteOutstanding', 7],
  'respawn-on-primary-host': ['secondaryOnSeparateHost', 2],
  'stale-primary-resumes': ['addressFollowsCurrentPrimary', 2],
  'continue-alone-without-test-and-set': ['outputReproducible', 7],
  // Starvation only: a lasso (6-step stem, 3-step cycle), found by the check under fairness.
  'snapshot-outlasts-respawn-timeout': ['protectionRestored', 9],
};
const STARVING = new Set(['snapshot-outlasts-respawn-timeout']);

describe('seeded model bugs', () => {
  it('the catalog lists every model bug', () => {
    expect(BUG_CATALOG.filter((b) => b.level === 'model').map((b) => b.name)).toEqual(Object.keys(EXPECTED));
  });

  it.each(MODEL_BUGS.map((bug) => [bug.name, bug] as const))(
    '%s is caught with a short counterexample',
    (_, bug) => {
      const model = createClusterModel({ hosts: 2, bug });
      const result = explore(model, { engine: 'compiled' });
      expect(result.violations.length).toBe(1);
      const violation = result.violations[0]!;
      expect([violation.property, violation.trace.length - 1]).toEqual(EXPECTED[bug.name]);
      expect(bug.breaks).toContain(violation.invariant);
      if (STARVING.has(bug.name)) {
        // Every safety and reachability property holds; the cycle avoids the goal forever.
        expect(result.properties.filter((p) => p.status === 'violated').map((p) => p.kind)).toEqual([
          'eventually',
        ]);
        expect(violation.loopStart).toBe(6);
        expect(violation.trace.at(-1)!.state).toEqual(violation.trace[6]!.state);
        expect(violation.trace.slice(7).map((s) => s.event!.type)).toEqual([
          'HA_CANDIDATE',
          'TIMEOUT',
          'HA_SPAWN_FAILED',
        ]);
        const goal = model.properties.find((p) => p.name === 'protectionRestored')!.goal;
        expect(violation.trace.some((step) => goal(step.state))).toBe(false);
      } else {
        const last = violation.trace.at(-1)!.state;
        const property = model.invariants.find((p) => p.name === violation.property)!;
        expect(property.holds(last)).toBe(false);
        expect(violation.trace.slice(0, -1).every((step) => property.holds(step.state))).toBe(true);
      }

      const table = formatStepTable(violation.trace, model.view);
      expect(table.split('\n').length).toBe(violation.trace.length + 1);
      const itf = JSON.parse(JSON.stringify(toItf(violation.trace, model.name, violation.description)));
      expect(itf['#meta'].format).toBe('ITF');
      expect(itf.states.length).toBe(violation.trace.length);
      expect(itf.vars).toContain('hosts');
      expect(itf.states[1]['mbt::actionTaken']).toBe(violation.trace[1]!.event!.type);
    },
  );

  it('the bugs are caught at 3 hosts too', () => {
    // (The starving bug needs the full 3-host graph for its fairness check: the gate runs it at 2.)
    for (const bug of MODEL_BUGS.filter((b) => !STARVING.has(b.name))) {
      const result = explore(createClusterModel({ hosts: 3, bug }), { engine: 'compiled' });
      expect(result.violations.map((v) => v.property)).toEqual([EXPECTED[bug.name]![0]]);
    }
  });
});

describe('the environment answers every request', () => {
  // A reply the agent ignores is consumed, not held back until the agent is in a state that wants
  // it: an agent that stops retrying an unreachable test-and-set (its self-transition lost
  // `reenter`, so the entry action never runs again) is left waiting forever: a deadlock.
  it('an agent that never retries an unreachable test-and-set deadlocks the model', () => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    for (const path of [
      ['primary', 'acquiringLock'],
      ['secondary', 'goingLive', 'acquiringLock'],
    ]) {
      const state = stateAt(config, path);
      state.on = { ...state.on, STORAGE_UNREACHABLE: { target: 'acquiringLock' } };
    }
    const result = explore(createClusterModel({ hosts: 2, agentMachine: rebuild(agentMachine, config) }), {
      engine: 'compiled',
    });
    expect(result.violations.map((v) => v.property)).toContain('deadlock');
    expect(explore(createClusterModel({ hosts: 2 }), { engine: 'compiled' }).violations).toEqual([]);
  });
});

describe('the environment offers held outputs to the agent in every state', () => {
  // The Output Rule is the agent's to keep: the data plane asks to release a held output whenever
  // it has one, and the agent decides. The VM does not run while the primary claims the lock,
  // but outputs it produced before are still held; a primary that releases them there ("nobody
  // is left to acknowledge") before it knows whether its secondary went live breaks I2.
  it('a primary that releases held output while it claims the lock to go on alone breaks I2', () => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    const claiming = stateAt(config, ['primary', 'acquiringLock']);
    claiming.on = { ...claiming.on, OUTPUT_READY: { actions: 'releaseOutput' } };
    const result = explore(createClusterModel({ hosts: 2, agentMachine: rebuild(agentMachine, config) }), {
      engine: 'compiled',
    });
    expect(result.violations.map((v) => v.property)).toContain('outputReproducible');
  });
});

describe('an engaged primary without storage', () => {
  // A primary alone ignores the loss of its storage (nobody to fail over to); engaged, it halts so
  // its secondary takes over. The environment re-tells the loss when such a primary engages, as the
  // cluster does, and `engagedPrimaryHasStorage` (I7) says what must follow.
  const withoutStorageLost = (path: string[]) => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    const state = stateAt(config, path);
    const { STORAGE_LOST: _dropped, ...kept } = state.on as Record<string, unknown>;
    state.on = kept as typeof state.on;
    return rebuild(agentMachine, config);
  };

  it('a primary that ignores STORAGE_LOST once engaged breaks engagedPrimaryHasStorage (I7)', () => {
    const result = explore(
      createClusterModel({ hosts: 2, agentMachine: withoutStorageLost(['primary', 'engaged']) }),
      { engine: 'compiled' },
    );
    expect(result.violations.map((v) => v.property)).toContain('engagedPrimaryHasStorage');
  });

  it('the correct agent: every engaged primary has storage, also one that lost it while alone', () => {
    const result = explore(createClusterModel({ hosts: 2, entries: 1 }), { engine: 'compiled' });
    expect(result.properties.find((p) => p.name === 'engagedPrimaryHasStorage')?.status).toBe('holds');
  });
});

describe('an agent that does not handle an event the environment delivers', () => {
  // DELIVER, CRASH, REPAIR, RESET, the snapshot's arrival and the HA's spawn tell the agent what
  // happened without asking whether its state handles it. An agent with no transition for such an
  // event is a finding about the model (agentHandlesDeliveredEvents, I0) with its shortest path,
  // exit 1 like any other — never an internal error of the checker (exit 3).
  it.each(['compiled', 'generic'] as const)(
    'an engaged secondary without LOG_ENTRY breaks agentHandlesDeliveredEvents at the delivery (%s engine)',
    (engine) => {
      const model = incompleteAgentModel({ hosts: 2, logEntry: 'unhandled' });
      const result = explore(model, { engine });
      expect(result.violations.map((v) => [v.property, v.invariant, v.trace.length - 1])).toEqual([
        ['agentHandlesDeliveredEvents', 'I0', 5],
      ]);
      const trace = result.violations[0]!.trace;
      const last = trace.at(-1)!;
      expect(last.event).toMatchObject({ type: 'DELIVER' });
      const receiver = last.state.context.hosts[(last.event as unknown as { host: number }).host]!;
      expect(model.tables.agent.paths[receiver.agent]).toBe('secondary.engaged');
      expect(model.itfVars(last.state)).toMatchObject({ unhandled: 'LOG_ENTRY' });
      expect(trace.slice(0, -1).every((step) => model.itfVars(step.state).unhandled === '')).toBe(true);
      expect(formatStepTable(trace, model.view).split('\n').at(-1)).toContain('unhandled: LOG_ENTRY');
    },
  );

  it('a halted agent that cannot be reset is caught at the RESET', () => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    stateAt(config, ['halted']).on = {};
    const model = createClusterModel({ hosts: 2, agentMachine: rebuild(agentMachine, config) });
    const violation = explore(model, { engine: 'compiled', eventually: false }).violations[0]!;
    expect(violation.property).toBe('agentHandlesDeliveredEvents');
    expect(violation.trace.at(-1)!.event).toMatchObject({ type: 'RESET' });
    expect(model.itfVars(violation.trace.at(-1)!.state)).toMatchObject({ unhandled: 'RESET' });
  });

  it('a LOG_ENTRY handled silently (targetless, no acknowledgement) is handled, and safe, but starves the clients', () => {
    // The channel carries only what the secondary's agent acknowledged (`ackLogEntry`), so a
    // secondary that never acknowledges holds every output back for good: no safety property
    // breaks, `requestsAnswered` (eventually, under fairness) does, with a lasso.
    const safety = { engine: 'compiled', eventually: false } as const;
    const silent = explore(incompleteAgentModel({ hosts: 2, logEntry: 'silent' }), safety);
    const correct = explore(createClusterModel({ hosts: 2 }), safety);
    for (const result of [silent, correct]) {
      expect(result.properties.find((p) => p.name === 'agentHandlesDeliveredEvents')).toMatchObject({
        kind: 'always',
        invariant: 'I0',
        status: 'holds',
      });
      expect(result.violations).toEqual([]);
    }
    expect([correct.states, correct.transitions]).toEqual([46_901, 217_535]);
    const starving = explore(incompleteAgentModel({ hosts: 2, logEntry: 'silent' }), { engine: 'compiled' });
    expect(starving.violations.map((v) => [v.property, v.invariant, v.kind])).toEqual([
      ['requestsAnswered', 'I7', 'eventually'],
    ]);
  });
});

describe('an agent that disengages late', () => {
  // A host's end of the logging stream is attached from the snapshot until its agent's
  // `disengage` (the host field `link`); DELIVER, REPLAY and ACK run between attached ends, in
  // whatever state the agents are. The correct agent is attached exactly while engaged, so its
  // graph is the one the state-name gating gave.
  it('the correct agent is attached exactly while engaged, and every property holds', () => {
    const model = createClusterModel({ hosts: 2 });
    const k = model.tables.kinds;
    const attachedWhileEngaged = {
      name: 'attachedExactlyWhileEngaged',
      id: 'I0' as const,
      description: "a host's end of the logging stream is attached exactly while its agent is engaged",
      holds: (s: { context: { hosts: { agent: number; link: number }[] } }) =>
        s.context.hosts.every((x) => x.link === (k.secEngaged[x.agent]! | k.primEngaged[x.agent]!)),
    };
    const result = explore(
      { ...model, invariants: [...model.invariants, attachedWhileEngaged] },
      {
        engine: 'compiled',
      },
    );
    expect(result.violations).toEqual([]);
    expect([result.states, result.transitions]).toEqual([46_901, 217_535]);
  });

  it('a draining secondary still attached is told the log it no longer expects (agentHandlesDeliveredEvents)', () => {
    // The fault hunt's mutant: PEER_SILENT with log pending drains without `disengage`, which
    // comes only at LOG_DRAINED. After a partition heals, the primary (not yet timed out) ships
    // its next entry to the draining secondary, whose state has no LOG_ENTRY.
    const model = lateDisengageModel({ hosts: 2, variant: 'silent' });
    const result = explore(model, { engine: 'compiled' });
    expect(result.violations.map((v) => [v.property, v.invariant, v.trace.length - 1])).toEqual([
      ['agentHandlesDeliveredEvents', 'I0', 10],
    ]);
    const last = result.violations[0]!.trace.at(-1)!;
    expect(last.event).toMatchObject({ type: 'DELIVER' });
    const receiver = last.state.context.hosts[(last.event as unknown as { host: number }).host]!;
    expect([model.tables.agent.paths[receiver.agent], receiver.link]).toEqual([
      'secondary.goingLive.draining',
      1,
    ]);
    expect(model.itfVars(last.state)).toMatchObject({ unhandled: 'LOG_ENTRY' });
    expect(formatStepTable(result.violations[0]!.trace, model.view)).toContain('[gen,attached]');
  });

  it('one that also acknowledges what arrives while draining loses a released output (releasedOutputSurvives)', () => {
    // What the cluster's data plane does for a secondary that has not disengaged: it acknowledges
    // what it receives. The primary releases the output of an entry that arrived after the drain
    // was asked for, and the secondary goes live without it.
    const model = lateDisengageModel({ hosts: 2, variant: 'acknowledging' });
    const result = explore(model, { engine: 'compiled' });
    expect(result.violations.map((v) => [v.property, v.invariant, v.trace.length - 1])).toEqual([
      ['releasedOutputSurvives', 'I4', 17],
    ]);
    const last = result.violations[0]!.trace.at(-1)!.state;
    const live = last.context.hosts.find((x) => model.tables.agent.paths[x.agent] === 'primary.alone')!;
    expect([live.hist, live.recv, last.context.released]).toEqual([1, 2, 2]);
  });
});

describe('an engaged agent holds its end of the logging stream (engagedAgentAttached)', () => {
  // Fault hunt 11: a secondary that loses the lock race goes back to `engaged` instead of halting.
  // Detached, it replays nothing, yet its failure detector keeps cycling through the lock, which
  // the other properties took for progress; a third host restores protection all the same.
  it.each([
    'agent~retarget~secondary.goingLive.acquiringLock~LOCK_DENIED.0~secondary.engaged',
    'agent~retarget~primary.acquiringLock~LOCK_DENIED.0~secondary.engaged',
  ])('catches %s', (id) => {
    const model = createClusterModel({ hosts: 2, agentMachine: findModelMutant(id)!.build() });
    const result = explore(model, { engine: 'compiled', stopAtFirstViolation: true });
    const violation = result.violations[0]!;
    expect([violation.property, violation.invariant]).toEqual(['engagedAgentAttached', 'I5']);
    const property = model.invariants.find((p) => p.name === 'engagedAgentAttached')!;
    expect(property.holds(violation.trace.at(-1)!.state)).toBe(false);
    expect(violation.trace.slice(0, -1).every((step) => property.holds(step.state))).toBe(true);
  });
});

describe('an agent that reissues pending I/O before claiming the lock', () => {
  // Fault hunt 11's model fault, which the explorer held while the abstract array fenced writes
  // by generation (a secondary holds the current one from its snapshot) and answered a reissue at
  // once. The array completes the lock owner's writes only, and a reissue is a commit.
  it('deadlocks at the owner fence: its reissued write waits for the lock it claims after the answer', () => {
    const result = explore(reissueBeforeLockModel(2), { engine: 'compiled' });
    const violation = result.violations[0]!;
    expect([violation.kind, violation.property]).toEqual(['deadlock', 'deadlock']);
    const model = reissueBeforeLockModel(2);
    const last = model.itfVars(violation.trace.at(-1)!.state) as {
      hosts: { agent: string; req: string; ioOut: boolean; current: boolean; owner: boolean }[];
    };
    expect(last.hosts).toContainEqual(
      expect.objectContaining({
        agent: 'secondary.goingLive.reissuingIo',
        req: 'reissue',
        ioOut: true,
        current: true,
        owner: false,
      }),
    );
  });

  it('the correct agent claims the lock first: a reissue reaches the array under the lock and completes', () => {
    const model = createClusterModel({ hosts: 2 });
    const reissuing = model.tables.agent.names.indexOf('secondary.goingLive.reissuingIo');
    type Host = { agent: number; ioOut: number; owner: number };
    const hosts = (s: { context: unknown }) => (s.context as { hosts: Host[] }).hosts;
    const result = explore(
      {
        ...model,
        properties: [
          ...model.properties,
          {
            name: 'reissueOwnsLock',
            kind: 'always',
            holds: (s) => hosts(s).every((x) => x.agent !== reissuing || x.owner === 1),
          },
          {
            name: 'reissuedWriteOut',
            kind: 'sometimes',
            holds: (s) => hosts(s).some((x) => x.agent === reissuing && x.ioOut === 1),
          },
        ],
      },
      { engine: 'compiled' },
    );
    expect(reissuing).toBeGreaterThanOrEqual(0);
    expect(result.violations).toEqual([]);
    expect(result.properties.find((p) => p.name === 'reissuedWriteOut')!.status).toBe('holds');
  });
});
