// A 3-host kvstore run with a hand-written fault schedule (seed 1 unless given), and agent machines with one event
// dropped from one state: the seeded bugs of the failure-detection tests.
import { readFileSync } from 'node:fs';
import type { AnyStateMachine } from 'xstate';
import { agentMachine } from '../models/agent.ts';
import { type FtRunOptions, runFt } from '../src/check/monitors/ft-run.ts';
import { cloneConfig, rebuild, type StateConfig, stateAt } from '../src/check/mutate/machine-config.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

export function runScenario(faults: Record<string, unknown>[], options: Partial<FtRunOptions> = {}) {
  return runFt({
    behaviour: correctBehaviour,
    ...options,
    seed: options.seed ?? 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: options.durationUs ?? 3_000_000,
    config: { hosts: 3 },
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
}

/** The agent machine with `event` ignored in the state at `path`. */
export function agentIgnoring(path: string[], event: string): AnyStateMachine {
  const config = cloneConfig(agentMachine.config as StateConfig);
  const state = stateAt(config, path);
  const { [event]: _ignored, ...on } = state.on as Record<string, unknown>;
  state.on = on as typeof state.on;
  return rebuild(agentMachine, config);
}
