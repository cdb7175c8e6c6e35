// A new primary whose client NICs were down when it went live, repaired a moment later, on a
// 2-host cluster: the old primary is down, nobody else is left to talk to, and the clients'
// packets to the old host are cut at send. Nothing is delivered for seconds. Found by an
// independent fault hunt (round 5): with an address that never moved, neither I5 nor I7 said a
// word. I7 started its "service possible since" clock at its next observation (the end of the
// run) instead of at the repair that made service possible, and I5 dropped its address deadline
// on any later fault (the repair) instead of restarting it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { clusterBehaviour } from '../src/cluster/cluster-bugs.ts';
import { type ClusterBehaviour, correctBehaviour } from '../src/cluster/cluster-context.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function run(behaviour: ClusterBehaviour, faults: Record<string, unknown>[]) {
  return runFt({
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 4_000_000,
    config: { hosts: 2 },
    behaviour,
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
}

const secondaryNicsLostThenPrimaryCrash = [
  { at: '100ms', kind: 'nic-fail', host: 'secondary', path: 'all' },
  { at: '200ms', kind: 'crash', host: 'primary' },
];
const repairedAt1s = [...secondaryNicsLostThenPrimaryCrash, { at: '1000ms', kind: 'repair', host: 'h2' }];
const addressNotMoved = clusterBehaviour('client-address-not-moved');

describe('clocks in a quiet cluster', () => {
  it('the correct system: the survivor takes the address at its go-live and serves once its NICs are back', () => {
    expect(run(correctBehaviour, repairedAt1s).violations).toEqual([]);
  });

  it('an address left on the dead host after a go-live, NICs repaired later: I5 on the restarted clock', () => {
    const [first] = run(addressNotMoved, repairedAt1s).violations;
    expect(first?.invariant).toBe('I5');
    expect(first?.message).toMatch(/vm1 went live on h2 but its client address still points at h1/);
    // The deadline restarted at the repair (1 s), one failover bound later.
    expect(first?.timeUs).toBe(2_000_000);
  });

  it('I7 judges from the fault that made service possible, not from its next observation', () => {
    // Besides I5's address rule, I7 must see the stall: the run's next observation is its end.
    const result = run(addressNotMoved, repairedAt1s);
    const i7 = result.violations.find((v) => v.invariant === 'I7');
    expect(i7?.message).toMatch(/c1's request #\d+ to vm1 .* although h2 could serve it/);
    expect(i7!.timeUs).toBeLessThan(4_000_000);
  });
});
