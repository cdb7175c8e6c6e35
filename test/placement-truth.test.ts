// I5's placement rule judges capacity by what actually runs on the target host, not only by the
// host's own slot count: an HA service that over-commits a full host is reported, even when the
// slot accounting it relied on says there was room. Seeded here by making every host report a
// free slot (the HA driver's capacity filter then passes every host).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { Host } from '../src/cluster/host.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
const freeSlots = Object.getOwnPropertyDescriptor(Host.prototype, 'freeSlots')!;

// Three hosts with one slot each: vm1's primary on h1, the plain vm2 on h2, vm1's secondary on
// h3. When h3 crashes, the only other host (h2) is full: there is no spare.
function run() {
  return runFt({
    seed: 3,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 2_000_000,
    config: { hosts: 3, cpuCapacity: 1, reprotectBoundUs: 800_000 },
    ftVms: 1,
    plainVms: 1,
    schedule: parseFaultSchedule({ version: 1, faults: [{ at: '300ms', kind: 'crash', host: 'h3' }] }),
  });
}

afterEach(() => {
  Object.defineProperty(Host.prototype, 'freeSlots', freeSlots);
});

describe('I5 placement: capacity by what runs on the host', () => {
  it('the correct HA service leaves vm1 unprotected when the only other host is full', () => {
    const result = run();
    expect(result.violations).toEqual([]);
    expect(result.vms[0]!.protected).toBe(false);
  });

  it('an HA service that over-commits the full host is reported', () => {
    Object.defineProperty(Host.prototype, 'freeSlots', { get: () => 1, configurable: true });
    const result = run();
    // It places vm1's secondary on h2 at power-on, beside vm2's slot: h2 ends up running two VMs.
    const placement = result.violations.find((v) => v.invariant === 'I5');
    expect(placement?.message).toBe('h2 runs 2 VMs on its 1 slots (over-committed when vm1 was protected)');
  });
});
