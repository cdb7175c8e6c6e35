// The cluster steps the protocol machines through remembered xstate transitions (machine-steps.ts)
// instead of live actors. Differential test: on random walks (mostly enabled events, some disabled
// ones), every machine (agent, HA and each seeded-bug variant) gives the same states, tags and
// emitted commands both ways.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, createActor } from 'xstate';
import { AGENT_EVENT_TYPES, agentMachine } from '../models/agent.ts';
import { MODEL_BUGS } from '../models/bugs.ts';
import { HA_EVENT_TYPES, haMachine } from '../models/haService.ts';
import { MachineActor } from '../src/cluster/agent-actor.ts';
import { stateName } from '../src/cluster/machine-steps.ts';
import { TraceRecorder } from '../src/sim/trace.ts';

type Event = { type: string } & Record<string, unknown>;

const AGENT_EVENTS: Event[] = AGENT_EVENT_TYPES.flatMap((type): Event[] => {
  if (type === 'OUTPUT_READY') return [true, false].map((acked) => ({ type, acked }));
  if (type === 'PEER_SILENT') return [true, false].map((logPending) => ({ type, logPending }));
  if (type === 'LOCK_GRANTED') return [true, false].map((pendingIo) => ({ type, pendingIo }));
  return [{ type }];
});

const HA_EVENTS: Event[] = HA_EVENT_TYPES.flatMap((type): Event[] => {
  if (type !== 'CANDIDATE') return [{ type }];
  const candidates: Event[] = [];
  for (const host of [1, 2, 3])
    for (const healthy of [true, false])
      for (const runsThisVm of [true, false])
        for (const hasCapacity of [true, false])
          candidates.push({ type, host, healthy, runsThisVm, hasCapacity });
  return candidates;
});

const TAGS = ['primary', 'secondary', 'engaged', 'acting', 'candidate', 'solo'];

/** Walks a live actor and a remembered-steps actor side by side; returns the first difference. */
function compare(machine: AnyStateMachine, all: Event[], choices: number[]): string | null {
  const live = createActor(machine);
  const emitted: unknown[] = [];
  live.on('*', (command) => emitted.push(command));
  live.start();
  const remembered = new MachineActor<Event, Event>(machine, 'test', new TraceRecorder(1), () => 0);
  for (const [i, choice] of choices.entries()) {
    const enabled = all.filter((event) => live.getSnapshot().can(event as never));
    const pool = choice % 5 === 0 || enabled.length === 0 ? all : enabled;
    const event = pool[Math.floor(choice / 5) % pool.length]!;
    live.send(event as never);
    const commands = remembered.send(event);
    const snapshot = live.getSnapshot();
    if (stateName(snapshot.value) !== remembered.state) return `step ${i}: state differs`;
    if (JSON.stringify(commands) !== JSON.stringify(emitted.splice(0))) return `step ${i}: commands differ`;
    for (const tag of TAGS) {
      if (snapshot.hasTag(tag) !== remembered.hasTag(tag)) return `step ${i}: tag ${tag} differs`;
    }
  }
  return null;
}

const walk = fc.array(fc.nat({ max: 10_000 }), { maxLength: 30 });

describe('remembered machine steps', () => {
  const variants = (machine: AnyStateMachine, key: 'agent' | 'ha'): [string, AnyStateMachine][] => [
    [key, machine],
    ...MODEL_BUGS.filter((bug) => bug[key] !== undefined).map((bug): [string, AnyStateMachine] => [
      bug.name,
      machine.provide(bug[key] as never),
    ]),
  ];

  it.each(variants(agentMachine, 'agent'))('%s: same steps as a live xstate actor', (_name, machine) => {
    fc.assert(
      fc.property(walk, (choices) => compare(machine, AGENT_EVENTS, choices) === null),
      { seed: 12, numRuns: 100 },
    );
  });

  it.each(variants(haMachine, 'ha'))('%s: same steps as a live xstate actor', (_name, machine) => {
    fc.assert(
      fc.property(walk, (choices) => compare(machine, HA_EVENTS, choices) === null),
      { seed: 13, numRuns: 100 },
    );
  });

  it('a state change is traced and counted like an actor step', () => {
    const trace = new TraceRecorder(1);
    const actor = new MachineActor<Event, Event>(agentMachine, 'h1/vm1', trace, () => 42);
    expect(actor.send({ type: 'SPAWN_SECONDARY' })).toEqual([{ type: 'requestSnapshot' }]);
    expect(actor.state).toBe('secondary.syncing');
    expect(trace.stored()).toEqual([
      [42, 'state', 'h1/vm1', { from: 'idle', to: 'secondary.syncing', on: 'SPAWN_SECONDARY' }],
    ]);
    expect(actor.send({ type: 'LOCK_DENIED' })).toEqual([]);
    expect([...actor.transitionsTaken]).toEqual(['idle|SPAWN_SECONDARY|secondary.syncing']);
  });
});
