// I8: a failover needs a cause in the environment. A primary whose agent forgets to send its
// heartbeats (a model mutant the gate's fuzz sample once killed only by luck, through a split
// brain) falls silent on a perfectly healthy cluster: the secondary's detector is right to fire,
// and the failover is still the implementation's own doing. A partition of the pair is a cause.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { type FtRunOptions, runFt } from '../src/check/monitors/ft-run.ts';
import { cloneConfig, rebuild, type StateConfig, stateAt } from '../src/check/mutate/machine-config.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function run(faults: Record<string, unknown>[], options: Partial<FtRunOptions> = {}) {
  return runFt({
    ...options,
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 3_000_000,
    config: { hosts: 3 },
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
}

function silentPrimary() {
  const config = cloneConfig(agentMachine.config as StateConfig);
  const engaged = stateAt(config, ['primary', 'engaged']);
  const { HEARTBEAT_DUE: _dropped, ...on } = engaged.on as Record<string, unknown>;
  engaged.on = on as typeof engaged.on;
  return rebuild(agentMachine, config);
}

describe('a failover needs a cause in the environment (I8)', () => {
  it('a healthy primary that sends no heartbeats: the failover is reported', () => {
    const result = run([], { agentMachine: silentPrimary() });
    const violation = result.violations.find((v) => v.invariant === 'I8');
    expect(violation?.message).toMatch(
      /declared h\d failed although h\d was up and running vm1 \(primary\.engaged\) and nothing in the environment silenced it/,
    );
  });

  it("a partition of the pair is a cause: the correct system's detector fires without a finding", () => {
    const result = run([
      { at: '500ms', kind: 'partition', network: 'heartbeat', between: ['primary', 'secondary'] },
      { at: '500ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
    ]);
    const declared = result.trace.entries.filter(
      ([, kind, , data]) => kind === 'info' && data.note === 'peer-silent',
    );
    expect(declared.length).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});
