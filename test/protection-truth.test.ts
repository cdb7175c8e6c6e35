// I5 re-protection is judged on a pair that is there, not on the cluster's word: an
// implementation that loses track of its secondary's loss (it neither reports the VM unprotected
// nor tells HA, so no new secondary is spawned) keeps counting the VM protected with one copy for
// good, and the recovery monitor reports it once the re-protection bound has passed since the
// pair broke.
import { describe, expect, it, vi } from 'vitest';
import { FtVm } from '../src/cluster/ft-vm.ts';
import { HaDriver } from '../src/cluster/ha-driver.ts';
import { runScenario } from './ft-scenario.ts';

const notReprotected = (result: ReturnType<typeof runScenario>) =>
  result.violations.filter((v) => /was not protected again within/.test(v.message));

describe('re-protection judged on the pair in truth', () => {
  const secondaryCrash = [{ at: '300ms', kind: 'crash', host: 'secondary' }];

  it('reports a cluster that never reports the loss of its secondary', () => {
    type WithSetProtected = { setProtected(isProtected: boolean): void };
    const prototype = FtVm.prototype as unknown as WithSetProtected;
    const original = prototype.setProtected;
    const spy = vi.spyOn(prototype, 'setProtected').mockImplementation(function (
      this: WithSetProtected,
      isProtected: boolean,
    ) {
      if (isProtected) original.call(this, true);
    });
    const ha = vi.spyOn(HaDriver.prototype, 'unprotected').mockImplementation(() => {});
    try {
      const [violation] = notReprotected(runScenario(secondaryCrash, { durationUs: 4_000_000 }));
      expect(violation?.invariant).toBe('I5');
      expect(violation?.message).toMatch(
        /the cluster counted it protected, but no secondary on an up host was in lockstep on its primary's current log stream/,
      );
      // The clock ran from when the primary was alone (it went on by itself: the secondary's
      // crash at 300 ms, detected), not from any word of the cluster, which never came.
      expect(violation?.timeUs).toBeLessThan(300_000 + 1_000_000 + 3_000_000);
    } finally {
      spy.mockRestore();
      ha.mockRestore();
    }
  });

  it('passes the correct cluster, which re-protects after the same crash', () => {
    const result = runScenario(secondaryCrash);
    expect(notReprotected(result)).toEqual([]);
    expect(result.vms[0]).toMatchObject({ protected: true, secondary: 'h3' });
  });
});
