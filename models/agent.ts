// The hypervisor agent of one host for one FT VM: pure protocol logic, events in, commands out.
// Commands are xstate `emit`ted events (Stateright's actor shape): the model checker's abstract
// environment and the cluster simulation both interpret them. Timeouts are events (PEER_SILENT),
// never xstate delays, so the machine stays explorable. Guards and actions are named so diagrams
// read well and seeded bugs (models/bugs.ts) swap implementations by name via `machine.provide`.
import { and, assign, emit, setup } from 'xstate';

/** Events an environment sends to an agent (see models/README.md for who sends what, when). */
export type AgentEvent =
  | { type: 'POWER_ON' } // start the FT VM here as primary (the lock is already ours)
  | { type: 'SPAWN_SECONDARY' } // the HA service placed a new secondary on this host
  | { type: 'SNAPSHOT_READY' } // the primary's snapshot arrived: lockstep can engage
  | { type: 'LOCKSTEP_ENGAGED' } // (primary) a new secondary engaged with us
  | { type: 'LOG_ENTRY' } // (secondary) a log entry arrived on the logging channel
  | { type: 'OUTPUT_READY'; acked: boolean } // (primary) the VM produced an output; acked: its log entry is acknowledged
  | { type: 'HEARTBEAT_DUE' } // periodic tick: send a heartbeat to the peer
  | { type: 'PEER_SILENT'; logPending: boolean } // heartbeat/logging timeout; logPending: received log not yet replayed
  | { type: 'LOG_DRAINED' } // (going live) every received entry has been replayed
  | { type: 'LOCK_GRANTED'; pendingIo: boolean } // test-and-set won; pendingIo: started I/O not completed
  | { type: 'LOCK_DENIED' } // test-and-set lost: someone else went live
  | { type: 'STORAGE_UNREACHABLE' } // test-and-set could not reach shared storage
  | { type: 'STORAGE_LOST' } // every storage path of this host is down
  | { type: 'IO_REISSUED' } // pending I/O has been reissued
  | { type: 'CRASH' } // the host failed (fail-stop)
  | { type: 'REPAIR' } // the host is back after repair
  | { type: 'RESET' }; // a halted VM instance was cleaned up

/** Commands an agent emits; the environment must carry each one out. */
export type AgentCommand =
  | { type: 'takeClientAddress' } // announce the FT VM's network address from this host
  | { type: 'requestSnapshot' } // ask the live primary for a snapshot to start a secondary from
  | { type: 'ackLogEntry' } // acknowledge the received log entry to the primary
  | { type: 'releaseOutput' } // let the held output reach the outside world
  | { type: 'sendHeartbeat' }
  | { type: 'disengage' } // leave lockstep: stop sending/expecting log traffic
  | { type: 'replayLog' } // replay every received log entry, then answer LOG_DRAINED
  | { type: 'testAndSet' } // atomic test-and-set of the FT lock with our generation
  | { type: 'reissuePendingIo' } // reissue started-but-not-completed disk I/O, then answer IO_REISSUED
  | { type: 'halt' } // stop this VM instance for good
  | { type: 'announceCandidate' }; // a repaired host offers itself for future secondaries

export const AGENT_EVENT_TYPES = [
  'POWER_ON',
  'SPAWN_SECONDARY',
  'SNAPSHOT_READY',
  'LOCKSTEP_ENGAGED',
  'LOG_ENTRY',
  'OUTPUT_READY',
  'HEARTBEAT_DUE',
  'PEER_SILENT',
  'LOG_DRAINED',
  'LOCK_GRANTED',
  'LOCK_DENIED',
  'STORAGE_UNREACHABLE',
  'STORAGE_LOST',
  'IO_REISSUED',
  'CRASH',
  'REPAIR',
  'RESET',
] as const satisfies readonly AgentEvent['type'][];

export const AGENT_COMMAND_TYPES = [
  'takeClientAddress',
  'requestSnapshot',
  'ackLogEntry',
  'releaseOutput',
  'sendHeartbeat',
  'disengage',
  'replayLog',
  'testAndSet',
  'reissuePendingIo',
  'halt',
  'announceCandidate',
] as const satisfies readonly AgentCommand['type'][];

export interface AgentContext {
  /** The VM instance on this host was a primary when the host failed (what a stale primary remembers). */
  wasPrimary: boolean;
}

export const agentSetup = setup({
  types: {} as { context: AgentContext; events: AgentEvent; emitted: AgentCommand },
  guards: {
    /** The Output Rule: release only once the secondary acknowledged the output's log entry. */
    outputAcknowledged: ({ event }) => event.type === 'OUTPUT_READY' && event.acked,
    /** Nothing received is left to replay, so the go-live sequence may skip draining. */
    logAlreadyReplayed: ({ event }) => event.type === 'PEER_SILENT' && !event.logPending,
    /** Going live requires winning the test-and-set on shared storage. */
    lockRequiredToGoLive: () => true,
    /** A primary that lost its secondary must win the test-and-set before continuing alone. */
    lockRequiredToContinueAlone: () => true,
    /** No started-but-uncompleted I/O is left, so nothing needs reissuing. */
    noPendingIo: ({ event }) => event.type === 'LOCK_GRANTED' && !event.pendingIo,
    /** A repaired host never resumes its old role: it rejoins as a candidate only. */
    mayResumeAsPrimary: () => false,
  },
  actions: {
    takeClientAddress: emit({ type: 'takeClientAddress' }),
    requestSnapshot: emit({ type: 'requestSnapshot' }),
    ackLogEntry: emit({ type: 'ackLogEntry' }),
    releaseOutput: emit({ type: 'releaseOutput' }),
    sendHeartbeat: emit({ type: 'sendHeartbeat' }),
    disengage: emit({ type: 'disengage' }),
    replayLog: emit({ type: 'replayLog' }),
    testAndSet: emit({ type: 'testAndSet' }),
    reissuePendingIo: emit({ type: 'reissuePendingIo' }),
    halt: emit({ type: 'halt' }),
    announceCandidate: emit({ type: 'announceCandidate' }),
    rememberRole: assign({ wasPrimary: (_, params: { primary: boolean }) => params.primary }),
  },
});

const crashAs = (primary: boolean) => ({
  target: '#agent.failed',
  actions: { type: 'rememberRole' as const, params: { primary } },
});

type LockWon = string | { guard: 'noPendingIo'; target: string }[];

const acquiringLock = (won: LockWon) => ({
  entry: 'testAndSet' as const,
  on: {
    LOCK_GRANTED: won,
    LOCK_DENIED: { target: '#agent.halted', actions: 'halt' as const },
    // Storage unreachable: keep trying (re-entering re-issues the test-and-set), never go live.
    STORAGE_UNREACHABLE: { target: 'acquiringLock', reenter: true },
  },
});

export const agentMachine = agentSetup.createMachine({
  id: 'agent',
  context: { wasPrimary: false },
  initial: 'idle',
  on: { CRASH: crashAs(false) },
  states: {
    idle: {
      tags: ['candidate'],
      on: {
        POWER_ON: 'primary.alone',
        SPAWN_SECONDARY: { target: 'secondary.syncing', actions: 'requestSnapshot' },
      },
    },
    secondary: {
      tags: ['secondary'],
      initial: 'syncing',
      states: {
        syncing: {
          on: { SNAPSHOT_READY: 'engaged', PEER_SILENT: '#agent.idle' },
        },
        engaged: {
          tags: ['engaged'],
          on: {
            LOG_ENTRY: { actions: 'ackLogEntry' },
            HEARTBEAT_DUE: { actions: 'sendHeartbeat' },
            PEER_SILENT: [
              {
                guard: and(['logAlreadyReplayed', 'lockRequiredToGoLive']),
                target: 'goingLive.acquiringLock',
                actions: 'disengage',
              },
              { guard: 'logAlreadyReplayed', target: 'goingLive.reissuingIo', actions: 'disengage' },
              { target: 'goingLive.draining', actions: 'disengage' },
            ],
          },
        },
        goingLive: {
          initial: 'draining',
          states: {
            draining: {
              entry: 'replayLog',
              on: {
                LOG_DRAINED: [
                  { guard: 'lockRequiredToGoLive', target: 'acquiringLock' },
                  { target: 'reissuingIo' },
                ],
              },
            },
            acquiringLock: acquiringLock([
              { guard: 'noPendingIo', target: '#agent.primary.alone' },
              { target: 'reissuingIo' } as { guard: 'noPendingIo'; target: string },
            ]),
            reissuingIo: { entry: 'reissuePendingIo', on: { IO_REISSUED: '#agent.primary.alone' } },
          },
        },
      },
    },
    primary: {
      tags: ['primary'],
      on: { CRASH: crashAs(true) },
      initial: 'alone',
      states: {
        engaged: {
          tags: ['engaged', 'acting'],
          on: {
            OUTPUT_READY: { guard: 'outputAcknowledged', actions: 'releaseOutput' },
            HEARTBEAT_DUE: { actions: 'sendHeartbeat' },
            STORAGE_LOST: { target: '#agent.halted', actions: 'halt' },
            PEER_SILENT: [
              { guard: 'lockRequiredToContinueAlone', target: 'acquiringLock', actions: 'disengage' },
              { target: 'alone', actions: 'disengage' },
            ],
          },
        },
        acquiringLock: acquiringLock('alone'),
        alone: {
          tags: ['acting', 'solo'],
          entry: 'takeClientAddress',
          on: { OUTPUT_READY: { actions: 'releaseOutput' }, LOCKSTEP_ENGAGED: 'engaged' },
        },
      },
    },
    halted: { on: { RESET: 'idle' } },
    failed: {
      on: {
        CRASH: {},
        REPAIR: [
          { guard: 'mayResumeAsPrimary', target: 'primary.alone' },
          {
            target: 'idle',
            actions: ['announceCandidate', { type: 'rememberRole', params: { primary: false } }],
          },
        ],
      },
    },
  },
});
