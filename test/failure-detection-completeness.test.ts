// I5 starts with detection: a peer that really fell silent (nothing of the VM delivered from it on
// the heartbeat network or the logging channel for the detection timeout) must be declared failed
// within a heartbeat interval or two. An independent fault hunt wrote a primary that stamped its
// own log sends as "traffic from the peer", so it never noticed its logging channel was cut: the
// pair stayed half-dead with nothing in the failover records to show for it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { type FtRunOptions, runFt } from '../src/check/monitors/ft-run.ts';
import { cloneConfig, rebuild, type StateConfig, stateAt } from '../src/check/mutate/machine-config.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function run(faults: Record<string, unknown>[], options: Partial<FtRunOptions> = {}) {
  return runFt({
    behaviour: correctBehaviour,
    ...options,
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 3_000_000,
    config: { hosts: 3 },
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
}

const cutLogging = [
  { at: '500ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
];
const UNDETECTED =
  /heard nothing of vm1 from its peer h\d on the logging channel for .* and still had not declared it failed: a silent peer went undetected/;

describe('failure detection is complete (I5)', () => {
  it('the correct system declares a peer cut off on the logging channel, with no finding', () => {
    const result = run(cutLogging);
    expect(result.violations).toEqual([]);
    const declared = result.trace.entries.filter(
      ([, kind, , data]) => kind === 'info' && data.note === 'peer-silent',
    );
    expect(declared.length).toBeGreaterThan(0);
  });

  it('a primary that does not watch its secondary stays engaged with a silent peer', () => {
    const result = run(cutLogging, {
      behaviour: { ...correctBehaviour, name: 'primary-deaf', watchesPeer: (i) => !i.isPrimary },
    });
    const violation = result.violations.find((v) => v.invariant === 'I5');
    expect(violation?.host).toBe('h1');
    expect(violation?.message).toMatch(UNDETECTED);
    // Reported at the deadline: the timeout and two heartbeat intervals after the cut.
    expect(violation?.timeUs).toBeLessThanOrEqual(500_000 + 400_000 + 2 * 50_000);
  });

  it('an agent that ignores PEER_SILENT while engaged is caught the same way', () => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    const engaged = stateAt(config, ['secondary', 'engaged']);
    const { PEER_SILENT: _ignored, ...on } = engaged.on as Record<string, unknown>;
    engaged.on = on as typeof engaged.on;
    const result = run(cutLogging, { agentMachine: rebuild(agentMachine, config) });
    const violation = result.violations.find((v) => v.invariant === 'I5' && v.host === 'h2');
    expect(violation?.message).toMatch(UNDETECTED);
  });
});
