// I4 as the clients read it: kvstore checks every GET against its own disk, and a "corrupt"
// answer means an acknowledged write was lost or misplaced. Seeded here in the storage array: a
// write that lands one sector off (the array still says "ok"). The correct array passes the same
// run, and the guest's answer is reported as I4 with the client that received it.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { SharedStorage } from '../src/cluster/shared-storage.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
const write = SharedStorage.prototype.write;

function run() {
  return runFt({
    seed: 2,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 1_000_000,
    config: { hosts: 2 },
    schedule: parseFaultSchedule({ version: 1, faults: [] }),
  });
}

afterEach(() => {
  SharedStorage.prototype.write = write;
});

describe('ClientAnswerMonitor', () => {
  it('the correct system answers every GET from a disk that holds what it wrote', () => {
    expect(run().violations).toEqual([]);
  });

  it('a misdirected write is reported as I4 when a GET finds its slot different', () => {
    SharedStorage.prototype.write = function (vm, host, generation, sector, data) {
      return write.call(this, vm, host, generation, sector + 1, data);
    };
    const violation = run().violations.find((v) => v.invariant === 'I4');
    expect(violation?.message).toMatch(
      /^c1: kvstore answered request #\d+ with CORRUPT: the key's slot on its disk is not the record the service had acknowledged$/,
    );
  });
});
