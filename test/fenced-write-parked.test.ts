// A primary whose secondary died claims the lock over a slow storage path: its test-and-set wins
// at the array, but every reply times out before it arrives, so the primary still holds the old
// generation when a disk write it retried meanwhile comes back fenced. Dropping that write (as the
// data plane once did) leaves the guest waiting for a completion that never comes: the service
// stalls for good with the lock won and a secondary re-protecting it. Found by reasoning over an
// independent fault hunt's report, then reproduced here; the write is now parked until the
// instance's generation moves on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function run(behaviour = correctBehaviour) {
  return runFt({
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 10_000_000,
    config: { hosts: 3 },
    behaviour,
    traceDetail: 'events',
    schedule: parseFaultSchedule({
      version: 1,
      faults: [
        { at: '300ms', kind: 'delay', network: 'storage', host: 'primary', ms: 300 },
        { at: '600ms', kind: 'crash', host: 'secondary' },
      ],
    }),
  });
}

describe('a write fenced before its own lock reply arrives', () => {
  it('is sent again with the new generation: the service goes on', () => {
    const result = run();
    expect(result.violations).toEqual([]);
    const fenced = result.trace.entries.filter(([, kind, , data]) => kind === 'disk' && data.fenced === true);
    expect(fenced.length).toBeGreaterThan(0);
    expect(result.vms[0]).toMatchObject({ primary: 'h1', generation: 2, protected: true });
  });

  it('dropped, it stalls the clients for good: I7', () => {
    const result = run({ ...correctBehaviour, name: 'fenced-write-dropped', parksFencedWrites: false });
    expect(result.violations[0]?.invariant).toBe('I7');
    expect(result.violations[0]?.message).toMatch(/c1's request #\d+ to vm1 .* although h1 could serve it/);
  });
});
