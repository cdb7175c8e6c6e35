import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor, type EventObject } from 'xstate';
import { type ActorTable, buildActorTable } from '../models/actorTable.ts';
import { type AgentCommand, agentMachine } from '../models/agent.ts';
import { findModelBug, MODEL_BUGS } from '../models/bugs.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { AE, AGENT_ALPHABET, HA_ALPHABET } from '../models/environment.ts';
import { type HaEvent, haMachine } from '../models/haService.ts';
import { agentWithLogEntry } from './fixtures/incomplete-agent.ts';

/** Runs a machine as an actor (as the cluster simulation does) and records what it emits. */
function drive(machine: AnyStateMachine, events: EventObject[]) {
  const actor = createActor(machine).start();
  const emitted: string[] = [];
  actor.on('*', (e: AgentCommand) => emitted.push(e.type));
  const states: string[] = [];
  for (const event of events) {
    actor.send(event);
    states.push(JSON.stringify(actor.getSnapshot().value));
  }
  return { states, emitted, snapshot: actor.getSnapshot() };
}

describe('hypervisor agent', () => {
  it('runs the secondary go-live sequence: drain, test-and-set (retrying), reissue, go live', () => {
    const run = drive(agentMachine, [
      { type: 'SPAWN_SECONDARY' },
      { type: 'SNAPSHOT_READY' },
      { type: 'LOG_ENTRY' },
      { type: 'PEER_SILENT', logPending: true },
      { type: 'LOG_DRAINED' },
      { type: 'STORAGE_UNREACHABLE' },
      { type: 'LOCK_GRANTED', pendingIo: true },
      { type: 'IO_REISSUED' },
    ] as EventObject[]);
    expect(run.states.at(-1)).toBe('{"primary":"alone"}');
    expect(run.emitted).toEqual([
      'requestSnapshot',
      'ackLogEntry',
      'disengage',
      'replayLog',
      'testAndSet',
      'testAndSet',
      'reissuePendingIo',
      'takeClientAddress',
    ]);
  });

  it('halts when it loses the test-and-set', () => {
    const run = drive(agentMachine, [
      { type: 'SPAWN_SECONDARY' },
      { type: 'SNAPSHOT_READY' },
      { type: 'PEER_SILENT', logPending: false },
      { type: 'LOCK_DENIED' },
    ] as EventObject[]);
    expect(run.states.at(-1)).toBe('"halted"');
    expect(run.emitted.slice(-2)).toEqual(['testAndSet', 'halt']);
  });

  it('holds output until acknowledged, and continues alone only after winning the lock', () => {
    const run = drive(agentMachine, [
      { type: 'POWER_ON' },
      { type: 'LOCKSTEP_ENGAGED' },
      { type: 'OUTPUT_READY', acked: false },
      { type: 'OUTPUT_READY', acked: true },
      { type: 'PEER_SILENT', logPending: false },
      { type: 'LOCK_GRANTED', pendingIo: false },
    ] as EventObject[]);
    expect(run.states).toEqual([
      '{"primary":"alone"}',
      '{"primary":"engaged"}',
      '{"primary":"engaged"}',
      '{"primary":"engaged"}',
      '{"primary":"acquiringLock"}',
      '{"primary":"alone"}',
    ]);
    expect(run.emitted).toEqual([
      'takeClientAddress',
      'releaseOutput',
      'disengage',
      'testAndSet',
      'takeClientAddress',
    ]);
  });

  it('rejoins as a candidate after repair; the stale-primary bug resumes instead', () => {
    const events = [{ type: 'POWER_ON' }, { type: 'CRASH' }, { type: 'REPAIR' }];
    expect(drive(agentMachine, events).states.at(-1)).toBe('"idle"');
    const bug = findModelBug('stale-primary-resumes')!;
    expect(drive(agentMachine.provide(bug.agent!), events).states.at(-1)).toBe('{"primary":"alone"}');
  });

  it('works with @xstate/graph shortest paths (for model-based tests of the emulator)', () => {
    const paths = getShortestPaths(agentMachine, { events: [...AGENT_ALPHABET] });
    const values = new Set(paths.map((p) => JSON.stringify(p.state.value)));
    expect(values.size).toBe(11); // every state node, `failed` with and without the remembered role
    expect(values).toContain('{"secondary":{"goingLive":"reissuingIo"}}');
  });

  it('tabulates into a small finite actor whose every state is reachable', () => {
    const table = buildActorTable(agentMachine, AGENT_ALPHABET);
    expect(table.names.length).toBe(12);
    expect(table.paths).toContain('secondary.goingLive.reissuingIo');
    const reached = new Set([0, ...Array.from(table.next).filter((n) => n >= 0)]);
    expect(reached.size).toBe(table.names.length);
  });

  it('tells a transition taken silently (targetless, no action) from an event not handled at all', () => {
    const events = AGENT_ALPHABET.length;
    const step = (table: ActorTable, path: string, symbol: number) => {
      const i = table.idOf(path) * events + symbol;
      const next = table.next[i]! < 0 ? 'unhandled' : table.paths[table.next[i]!];
      return { next, commands: table.commands[i], silent: table.silent[i] };
    };
    const correct = buildActorTable(agentMachine, AGENT_ALPHABET);
    // `failed` has CRASH: {} (handled, nothing happens) and no LOG_ENTRY at all.
    expect(step(correct, 'failed', AE.crash)).toEqual({ next: 'failed', commands: [], silent: 1 });
    expect(step(correct, 'failed', AE.logEntry)).toEqual({ next: 'unhandled', commands: [], silent: 0 });
    const ack = { next: 'secondary.engaged', commands: ['ackLogEntry'], silent: 0 };
    expect(step(correct, 'secondary.engaged', AE.logEntry)).toEqual(ack);
    const silent = buildActorTable(agentWithLogEntry('silent'), AGENT_ALPHABET);
    const quiet = { next: 'secondary.engaged', commands: [], silent: 1 };
    expect(step(silent, 'secondary.engaged', AE.logEntry)).toEqual(quiet);
    const unhandled = buildActorTable(agentWithLogEntry('unhandled'), AGENT_ALPHABET);
    const dropped = { next: 'unhandled', commands: [], silent: 0 };
    expect(step(unhandled, 'secondary.engaged', AE.logEntry)).toEqual(dropped);
  });
});

describe('HA service', () => {
  it('never places the secondary on a host already running the VM; the seeded bug does', () => {
    const offers = [
      { type: 'PRIMARY_UNPROTECTED' },
      { type: 'CANDIDATE', host: 0, healthy: true, runsThisVm: true },
      { type: 'CANDIDATE', host: 2, healthy: false, runsThisVm: false },
      { type: 'CANDIDATE', host: 1, healthy: true, runsThisVm: false },
    ] as HaEvent[];
    const spawned: unknown[] = [];
    const actor = createActor(haMachine).start();
    actor.on('spawnSecondary', (e) => spawned.push(e));
    for (const e of offers) actor.send(e);
    expect(spawned).toEqual([{ type: 'spawnSecondary', host: 1 }]);
    const buggy = createActor(haMachine.provide(findModelBug('respawn-on-primary-host')!.ha!)).start();
    const wrong: unknown[] = [];
    buggy.on('spawnSecondary', (e) => wrong.push(e));
    for (const e of offers) buggy.send(e);
    expect(wrong).toEqual([{ type: 'spawnSecondary', host: 0 }]);
  });

  it('respects capacity and rack anti-affinity when the environment reports them', () => {
    const offers = [
      { type: 'PRIMARY_UNPROTECTED' },
      { type: 'CANDIDATE', host: 1, healthy: true, runsThisVm: false, hasCapacity: false },
      { type: 'CANDIDATE', host: 2, healthy: true, runsThisVm: false, breaksAntiAffinity: true },
      {
        type: 'CANDIDATE',
        host: 3,
        healthy: true,
        runsThisVm: false,
        hasCapacity: true,
        breaksAntiAffinity: false,
      },
    ] as HaEvent[];
    const spawned: unknown[] = [];
    const actor = createActor(haMachine).start();
    actor.on('spawnSecondary', (e) => spawned.push(e));
    for (const e of offers) actor.send(e);
    expect(spawned).toEqual([{ type: 'spawnSecondary', host: 3 }]);
  });

  it('restarts its decision when its leader host is lost', () => {
    const table = buildActorTable(haMachine, HA_ALPHABET);
    expect(table.paths).toEqual(['watching', 'selecting', 'spawning']);
    const spawning = table.paths.indexOf('spawning');
    expect(table.paths[table.next[spawning * HA_ALPHABET.length + 7]!]).toBe('watching');
  });
});

describe('cluster model', () => {
  it('rejects bad options with an error naming the option', () => {
    expect(() => createClusterModel({ hosts: 1 })).toThrow(/hosts must be an integer in 2..6/);
    expect(() => createClusterModel({ entries: 9 })).toThrow(/entries/);
  });

  it('every seeded model bug is a named guard replacement, not a branch', () => {
    for (const bug of MODEL_BUGS) {
      const names = [
        ...Object.keys(bug.agent?.guards ?? {}),
        ...Object.keys(bug.ha?.guards ?? {}),
        ...Object.keys(bug.environment?.guards ?? {}),
      ];
      expect(names.length, bug.name).toBe(1);
    }
  });
});
