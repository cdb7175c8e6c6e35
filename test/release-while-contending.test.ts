// The agent's machine alone decides when a held output may leave (the data plane offers held outputs
// to whatever state takes an acknowledged output, as the model offers OUTPUT to any state that
// reacts). Fault hunt 10 wrote an agent that also released outputs in primary.acquiringLock — while
// its silent secondary may still win the lock and go live without them. Explore caught it; the
// cluster offered held outputs only to states tagged `acting`, so no fuzzed run could. The hunt's
// counterexample: the logging link of the pair slowed past the logging timeout (the primary
// contends for the lock) while storage is slow too (it contends for long), and the delayed
// acknowledgements arrive meanwhile.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { agentMachine, agentSetup } from '../models/agent.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

/** The shipped agent, except that primary.acquiringLock releases any output offered to it. */
function releasingWhileContending(): AnyStateMachine {
  // biome-ignore lint/suspicious/noExplicitAny: the machine's config is rebuilt field by field
  const config = agentMachine.config as any;
  const primary = config.states.primary;
  const acquiring = primary.states.acquiringLock;
  return agentSetup.createMachine({
    ...config,
    states: {
      ...config.states,
      primary: {
        ...primary,
        states: {
          ...primary.states,
          acquiringLock: {
            ...acquiring,
            on: { ...acquiring.on, OUTPUT_READY: { actions: 'releaseOutput' } },
          },
        },
      },
    },
  });
}

const run = (agent?: AnyStateMachine) =>
  runFt({
    seed: 0,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 6_000_000,
    config: {
      hosts: 2,
      racks: 1,
      loggingTimeoutUs: 200_000,
      logBufferBytes: 112_205,
      logSegmentBytes: 8123,
      replayLookaheadEntries: 4,
    },
    clientsPerVm: 2,
    clientOptions: { intervalUs: 5_000 },
    schedule: parseFaultSchedule({
      version: 1,
      faults: [
        { at: '2812ms', kind: 'delay', network: 'logging', between: ['primary', 'secondary'], ms: 297 },
        { at: '2812ms', kind: 'delay', network: 'storage', ms: 132 },
      ],
    }),
    stopOnViolation: true,
    ...(agent === undefined ? {} : { agentMachine: agent }),
  });

describe('held outputs go back to the agent, which alone applies the Output Rule', () => {
  it('catches an agent that releases outputs while it contends for the lock', () => {
    // The secondary wins the lock; the old primary, still contending, lets an output out.
    const [first] = run(releasingWhileContending()).violations;
    expect(first).toMatchObject({ invariant: 'I3', host: 'h1' });
    expect(first?.message).toMatch(/h1 emitted nic output #\d+ of vm1 without being its primary/);
  });

  it('passes the shipped agent on the same run', () => {
    expect(run().violations).toEqual([]);
  });
});
