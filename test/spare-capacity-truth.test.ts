// Re-protection is demanded whenever a spare could take the secondary, and a spare's free slot is
// judged on the VMs actually running there, not on the host's own slot count (RecoveryMonitor,
// I5). Fault hunt 10 wrote a crash that never gave its instances' slots back: the repaired host
// stayed "full" by its own count, HA never placed a secondary there, and the monitor — which read
// the same count — excused the re-protection that never came. Seeded here by wrapping
// FtInstance.clear in the test.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { FtInstance } from '../src/cluster/ft-instance.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

// Two hosts with one slot each: the secondary's host crashes and is repaired at once, and is then
// the only place a new secondary can go.
const run = () =>
  runFt({
    seed: 0,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 3_200_000,
    config: { hosts: 2, racks: 1, cpuCapacity: 1 },
    clientOptions: { intervalUs: 5_000 },
    schedule: parseFaultSchedule({
      version: 1,
      faults: [
        { at: '0ms', kind: 'crash', host: 'secondary' },
        { at: '0ms', kind: 'repair', host: 'h2' },
      ],
    }),
    stopOnViolation: true,
  });

describe('spare capacity judged on what runs there', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a crash that leaks the slots of its instances: the repaired spare is never used', () => {
    const original = FtInstance.prototype.clear;
    vi.spyOn(FtInstance.prototype, 'clear').mockImplementation(function (this: FtInstance) {
      const leaked = (this as unknown as { holdsSlot: boolean }).holdsSlot && !this.host.up;
      original.call(this);
      // The fault: a crashed host gives nothing back.
      if (leaked) this.host.slotsUsed++;
    });
    const i5 = run().violations.find((v) => v.invariant === 'I5');
    expect(i5?.message).toMatch(/vm1 was not protected again within \d+ ms although a spare host exists/);
  });

  it('passes the correct cluster on the same run, which re-protects on the repaired host', () => {
    const result = run();
    expect(result.violations).toEqual([]);
    // The new secondary holds the repaired host's one slot (the correct cluster leaks nothing).
    expect(result.hostStates.find((h) => h.name === 'h2')).toMatchObject({ up: true, slotsUsed: 1 });
  });
});
