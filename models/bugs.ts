// Seeded protocol bugs: each one is an alternative implementation of a named guard of the agent
// or HA machine, bound with `machine.provide` — never an `if (bug)` branch in the machines.
// The model checker must catch every one with a short counterexample (test/explorer.bugs.test.ts).
import type { SeededBug } from '../src/base/invariants.ts';
import type { agentMachine } from './agent.ts';
import type { haMachine } from './haService.ts';

type AgentImplementations = Parameters<typeof agentMachine.provide>[0];
type HaImplementations = Parameters<typeof haMachine.provide>[0];

export interface ModelBug extends SeededBug {
  level: 'model';
  agent?: AgentImplementations;
  ha?: HaImplementations;
}

export const MODEL_BUGS: readonly ModelBug[] = [
  {
    name: 'go-live-without-test-and-set',
    level: 'model',
    breaks: ['I3'],
    description: 'The secondary goes live on a heartbeat timeout without winning the test-and-set.',
    agent: { guards: { lockRequiredToGoLive: () => false } },
  },
  {
    name: 'output-before-ack',
    level: 'model',
    breaks: ['I2'],
    description: 'The primary releases an output before the secondary acknowledged its log entry.',
    agent: { guards: { outputAcknowledged: () => true } },
  },
  {
    name: 'go-live-without-replay',
    level: 'model',
    breaks: ['I4'],
    description: 'The secondary goes live without replaying the log it already received.',
    agent: { guards: { logAlreadyReplayed: () => true } },
  },
  {
    name: 'skip-pending-io-reissue',
    level: 'model',
    breaks: ['I4'],
    description: 'The new primary goes live without reissuing the disk I/O the old primary left pending.',
    agent: { guards: { noPendingIo: () => true } },
  },
  {
    name: 'respawn-on-primary-host',
    level: 'model',
    breaks: ['I5'],
    description: 'The HA service places the new secondary on a host already running the VM (the primary).',
    ha: {
      guards: {
        hostEligible: ({ event }) =>
          event.type === 'CANDIDATE' &&
          event.healthy &&
          event.hasCapacity !== false &&
          event.breaksAntiAffinity !== true,
      },
    },
  },
  {
    name: 'stale-primary-resumes',
    level: 'model',
    breaks: ['I3'],
    description:
      'A repaired host resumes as the primary it was before it failed, instead of rejoining as a candidate.',
    agent: { guards: { mayResumeAsPrimary: ({ context }) => context.wasPrimary } },
  },
  {
    name: 'continue-alone-without-test-and-set',
    level: 'model',
    breaks: ['I3', 'I2'],
    description:
      'The primary continues alone when its secondary goes silent, without winning the test-and-set.',
    agent: { guards: { lockRequiredToContinueAlone: () => false } },
  },
];

export function findModelBug(name: string): ModelBug | undefined {
  return MODEL_BUGS.find((bug) => bug.name === name);
}
