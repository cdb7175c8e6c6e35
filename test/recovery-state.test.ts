// The primary's loss is a state, not only a fault's instant (RecoveryMonitor, I5): a pair that
// forms around a primary that already lost every storage path owes a go-live from then on. Fault
// hunt 11 wrote a cluster whose engaged primary no longer acted on a storage loss it had suffered
// while alone: its guest never booted, and I5's clock, started only at faults, never ran (the
// HBAs failed while no survivor existed). Seeded here by making FtVm.storageLost a no-op.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FtVm } from '../src/cluster/ft-vm.ts';
import { runScenario } from './ft-scenario.ts';

// Every HBA of the primary's host fails at 5 ms, while it is alone; its first pairing is at ~10 ms.
const run = () =>
  runScenario([{ at: '5ms', kind: 'hba-fail', host: 'primary', path: 'all' }], {
    seed: 0,
    durationUs: 2_500_000,
    stopOnViolation: true,
  });

describe('a pair formed around a primary without storage', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is reported when the primary never gives way to its secondary', () => {
    vi.spyOn(FtVm.prototype, 'storageLost').mockImplementation(() => {});
    const i5 = run().violations.find((v) => v.invariant === 'I5');
    expect(i5?.message).toMatch(/vm1 had no live primary 1000 ms after losing it on h1/);
    // Judged from the pairing, not from the HBA fault: no survivor existed then.
    expect(i5?.timeUs).toBeGreaterThan(1_005_000);
  });

  it('passes the shipped cluster, whose primary halts once paired and whose secondary goes live', () => {
    expect(run().violations).toEqual([]);
  });
});
