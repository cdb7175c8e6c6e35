// A timer interrupt the guest armed is delivered by the acting primary's hypervisor (TimerMonitor,
// I4): judged on the VM's CLINT, never on the hypervisor's own record of what it raised. Fault hunt
// 11 wrote a go-live that took the new primary's pending compare value as already raised ("the
// replayed log delivered it"): the guest's timer died at every failover, no client request
// depended on it, and 600 runs passed. Seeded here by wrapping FtVm.promote in the test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FtInstance } from '../src/cluster/ft-instance.ts';
import { FtVm } from '../src/cluster/ft-vm.ts';
import { runScenario } from './ft-scenario.ts';

const run = () =>
  runScenario([{ at: '300ms', kind: 'crash', host: 'primary' }], {
    seed: 0,
    durationUs: 1_500_000,
    stopOnViolation: true,
  });

type Promote = { promote(instance: FtInstance): void };

describe('timer interrupts are delivered', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a go-live that takes the pending timer as already raised', () => {
    const original = (FtVm.prototype as unknown as Promote).promote;
    vi.spyOn(FtVm.prototype as unknown as Promote, 'promote').mockImplementation(function (
      this: FtVm,
      instance: FtInstance,
    ) {
      original.call(this, instance);
      // The fault: the compare value the guest holds now counts as delivered.
      instance.timerInjectedFor = instance.vm!.timerCompare();
    });
    const i4 = run().violations.find((v) => v.invariant === 'I4');
    expect(i4?.message).toMatch(
      /the guest of vm1 armed its timer for [\d.]+ ms but the acting primary on h\d had still not raised the interrupt/,
    );
  });

  it('passes the shipped cluster through the same failover', () => {
    const result = run();
    expect(result.violations).toEqual([]);
  });
});
