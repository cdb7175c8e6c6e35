// Seeded protocol bugs: each one is an alternative implementation of a named guard of the agent
// or HA machine, or of the abstract environment's failure detector, bound with `machine.provide` —
// never an `if (bug)` branch in the machines. The model checker must catch every one with a short
// counterexample (test/explorer.bugs.test.ts); one of them only starves (a lasso, no bad state).
import type { SeededBug } from '../src/base/invariants.ts';
import type { agentMachine } from './agent.ts';
import { AE, agentReacts } from './environment.ts';
import { type HostGuard, hostStepGuard } from './envSteps.ts';
import type { haMachine } from './haService.ts';

type AgentImplementations = Parameters<typeof agentMachine.provide>[0];
type HaImplementations = Parameters<typeof haMachine.provide>[0];

export interface ModelBug extends SeededBug {
  level: 'model';
  agent?: AgentImplementations;
  ha?: HaImplementations;
  /** Alternative guards of the abstract environment's steps, by the cluster machine's guard name. */
  environment?: { guards: Record<string, HostGuard> };
}

const correctTimeout = hostStepGuard('TIMEOUT');

export const MODEL_BUGS: readonly ModelBug[] = [
  {
    name: 'go-live-without-test-and-set',
    level: 'model',
    breaks: ['I3', 'I2', 'I4'],
    description: 'The secondary goes live on a heartbeat timeout without winning the test-and-set.',
    agent: { guards: { lockRequiredToGoLive: () => false } },
  },
  {
    name: 'output-before-ack',
    level: 'model',
    breaks: ['I2', 'I4'],
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
    // I5: the repaired host takes up the primary's role without the VM's state (replica monitor).
    breaks: ['I8', 'I3', 'I5'],
    description:
      'A repaired host resumes as the primary it was before it failed, instead of rejoining as a candidate.',
    agent: { guards: { mayResumeAsPrimary: ({ context }) => context.wasPrimary } },
  },
  {
    name: 'continue-alone-without-test-and-set',
    level: 'model',
    breaks: ['I3', 'I2', 'I4', 'I5'],
    description:
      'The primary continues alone when its secondary goes silent, without winning the test-and-set.',
    agent: { guards: { lockRequiredToContinueAlone: () => false } },
  },
  {
    name: 'snapshot-outlasts-respawn-timeout',
    level: 'model',
    breaks: ['I5'],
    description:
      'The failure detector gives up on a new secondary before its snapshot can arrive, so every respawn is abandoned and retried: protection is never restored, though nothing unsafe ever happens.',
    environment: {
      guards: {
        canTimeout: (t, c, x, h) =>
          correctTimeout(t, c, x, h) ||
          (x.up === 1 && t.kinds.secSyncing[x.agent] === 1 && agentReacts(t, c, h, AE.peerSilentDrained)),
      },
    },
  },
];

export function findModelBug(name: string): ModelBug | undefined {
  return MODEL_BUGS.find((bug) => bug.name === name);
}
