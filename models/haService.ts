// The HA service for one FT VM: watches the pair and, when the primary runs unprotected, picks a
// new secondary host (healthy, never a host already running this VM) and spawns the secondary from
// a snapshot of the primary. It is pure like the agent: events in, `spawnSecondary` out. Every host
// runs an instance; the one on the lowest live host leads, so losing its host is a LEADER_LOST event
// that restarts the decision on another host — no central manager holds state the pair needs.
import { emit, setup } from 'xstate';

export type HaEvent =
  | { type: 'PRIMARY_UNPROTECTED' } // the live primary runs without an engaged secondary
  | CandidateEvent // one host, offered for placement
  | { type: 'ENGAGED' } // the new secondary engaged lockstep: protected again
  | { type: 'SPAWN_FAILED' } // the target host or the primary went away during the spawn
  | { type: 'LEADER_LOST' }; // the host running the leading HA instance failed

/**
 * A host offered for placement. `healthy`: up with a working storage path; `runsThisVm`: an
 * instance of this FT VM (the primary) already runs there. Optional, for environments that model
 * them (absent = no objection): `hasCapacity` false when the host has no free slot;
 * `breaksAntiAffinity` true when rack anti-affinity is configured and the host shares the
 * primary's rack.
 */
export interface CandidateEvent {
  type: 'CANDIDATE';
  host: number;
  healthy: boolean;
  runsThisVm: boolean;
  hasCapacity?: boolean;
  breaksAntiAffinity?: boolean;
}

export type HaCommand = { type: 'spawnSecondary'; host: number };

export const HA_EVENT_TYPES = [
  'PRIMARY_UNPROTECTED',
  'CANDIDATE',
  'ENGAGED',
  'SPAWN_FAILED',
  'LEADER_LOST',
] as const satisfies readonly HaEvent['type'][];

export const haSetup = setup({
  types: {} as { events: HaEvent; emitted: HaCommand },
  guards: {
    /** Placement rule: healthy, free capacity, never a host running this VM, rack anti-affinity. */
    hostEligible: ({ event }) =>
      event.type === 'CANDIDATE' &&
      event.healthy &&
      !event.runsThisVm &&
      event.hasCapacity !== false &&
      event.breaksAntiAffinity !== true,
  },
  actions: {
    spawnSecondary: emit(({ event }) => ({
      type: 'spawnSecondary' as const,
      host: event.type === 'CANDIDATE' ? event.host : -1,
    })),
  },
});

export const haMachine = haSetup.createMachine({
  id: 'ha',
  initial: 'watching',
  on: { LEADER_LOST: '.watching', ENGAGED: '.watching' },
  states: {
    watching: { on: { PRIMARY_UNPROTECTED: 'selecting' } },
    selecting: {
      on: { CANDIDATE: { guard: 'hostEligible', target: 'spawning', actions: 'spawnSecondary' } },
    },
    spawning: { on: { SPAWN_FAILED: 'selecting' } },
  },
});
