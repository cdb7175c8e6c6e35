// A spawn whose new secondary engaged on its side but whose acknowledgements never reached the
// primary (the primary's logging NIC failed just after the snapshot left). Found by an independent
// fault hunt (round 6) on the clean tree: the spawn watchdog only told HA to decide again (the
// acknowledgement may still come over a slow link), leaving the primary stunned
// (`pausedForSnapshot`) on the stream; when the target then halted (it lost the lock) or crashed
// before HA's next attempt, nothing ever released the primary. It stayed up, reachable and
// connected to storage, and answered nothing for the rest of the run (I7). Now a target that stops
// being a secondary releases the primary stunned on its stream.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

/** 2 hosts, 2 FT VMs: vm2's primary on h2 snapshots to h1 at power-on, then loses its logging NIC. */
function run(crashAt: string) {
  return runFt({
    seed: 0,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 6_000_000,
    config: { hosts: 2, racks: 1, cpuCapacity: 2 },
    ftVms: 2,
    clientsPerVm: 1,
    clientOptions: { intervalUs: 5_000 },
    schedule: parseFaultSchedule({
      version: 1,
      faults: [
        { at: '0ms', kind: 'nic-fail', host: 'secondary', network: 'logging', path: 'all' },
        { at: crashAt, kind: 'crash', host: 'primary' },
      ],
    }),
  });
}

describe('spawn watchdog', () => {
  // 415–700 ms: after the watchdog fired (408.6 ms) and before HA's next attempt; 300 and 900 ms around it.
  it.each(['300ms', '415ms', '500ms', '700ms', '900ms'])(
    'a primary whose spawn never paired runs on when the spawn target crashes at %s',
    (crashAt) => {
      const result = run(crashAt);
      expect(result.violations).toEqual([]);
      const vm2 = result.clients.filter((c) => c.vm === 'vm2');
      expect(vm2.length).toBe(1);
      // Served to the end: the client's requests were answered all along, not just before the stall.
      expect(vm2[0]!.answered).toBeGreaterThan(500);
    },
  );
});
