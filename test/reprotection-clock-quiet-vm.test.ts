// The re-protection clock (I5) runs only while a spare host exists, and a spare needs a primary that
// acts: while the survivor is still going live, none does. The monitor looks at the clock when
// something happens — an output, a fault, a message of the VM, a step of the protocol — and a VM
// whose guest is quiet and whose survivor claims the lock over a lossy storage path gives it
// nothing to look at for seconds. Found by the second episode (properties/arbitraries/
// second-episode.ts): the monitor judged the spare it saw once the go-live ended as there all
// along, and reported re-protection 2 s late for a go-live the lossy storage had slowed.
import { describe, expect, it } from 'vitest';
import { haMachine } from '../models/haService.ts';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';

const spec = {
  seed: 0,
  guest: 'kvstore-quiet',
  durationUs: 5_503_000,
  config: {
    hosts: 4,
    racks: 1,
    reprotectBoundUs: 2_000_000,
    networks: { client: { latencyUs: 1108, jitterUs: 110 }, storage: { latencyUs: 907, jitterUs: 90 } },
  },
  clientsPerVm: 1,
  requestIntervalUs: 1_120_000,
  checkDeterminism: false,
  schedule: {
    version: 1 as const,
    faults: [
      { at: '1134ms', kind: 'loss', network: 'storage', rate: 0.9 },
      { at: '2253ms', kind: 'crash', host: 'primary' },
    ],
  },
};

describe('the re-protection clock of a quiet VM (I5)', () => {
  it('starts when the survivor goes live, not when its primary was lost', () => {
    const result = runFt(runOptionsOf(spec as Parameters<typeof runOptionsOf>[0], null, 'events'));
    expect(result.violations).toEqual([]);
    // The scenario is the one described: the go-live took far longer than the failover bound.
    const live = result.trace.entries.find(
      ([, kind, , data]) => kind === 'role' && data.role === 'primary' && data.host !== 'h1',
    );
    expect(live?.[0]).toBeGreaterThan(2_253_000 + 2_000_000);
  });

  it('still reports a spare left unused once the survivor acts, by the bound from its go-live', () => {
    // Places the first secondary on h2 and never another: h3 and h4 stay spare.
    const onlyH2 = haMachine.provide({
      guards: {
        hostEligible: ({ event }) => event.type === 'CANDIDATE' && event.host === 2 && !event.runsThisVm,
      },
    });
    const options = runOptionsOf(spec as Parameters<typeof runOptionsOf>[0], null, 'events');
    // Long enough for the bound to pass after the slow go-live.
    const result = runFt({ ...options, durationUs: 7_500_000, haMachine: onlyH2 });
    const live = result.trace.entries.find(
      ([, kind, , data]) => kind === 'role' && data.role === 'primary' && data.host !== 'h1',
    );
    const violation = result.violations.find((v) => /not protected again/.test(v.message));
    expect(violation?.message).toMatch(
      /vm1 was not protected again within 2000 ms although a spare host exists/,
    );
    // Judged from the go-live (a look at each protocol step sees the first moment a spare exists).
    expect(violation!.timeUs).toBeGreaterThanOrEqual(live![0] + 2_000_000);
    expect(violation!.timeUs).toBeLessThanOrEqual(live![0] + 2_000_000 + 10_000);
  });
});
