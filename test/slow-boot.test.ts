// I7 at boot: a request sent before the VM has answered anything waits for the guest's boot as
// well, and a slowed host boots slowly. kvstore's boot is about 0.8M instructions (ledger's 16k):
// with its secondary ×90 from the start, lag control keeps the primary to the secondary's pace and
// the first answer comes seconds late — which the bound must count, not report (the lag monitor's
// sweep of slowdowns found it: request #0 "unanswered" at 3.3 s on the correct system).
import { describe, expect, it } from 'vitest';
import { runSpecChecked } from '../src/check/fuzz/run-checked.ts';
import type { RunSpec } from '../src/check/fuzz/run-spec.ts';

const slowFromBoot = (factor: number): RunSpec => ({
  seed: 1,
  guest: 'kvstore',
  durationUs: 4_000_000,
  config: { hosts: 2, racks: 1 },
  clientsPerVm: 1,
  requestIntervalUs: 2000,
  checkDeterminism: false,
  schedule: { version: 1, faults: [{ at: '0ms', kind: 'slow', host: 'h2', factor }] },
});

describe('a slowed host boots slowly (I7 counts the boot work)', () => {
  it('passes a secondary ×90 from the start, whose pair answers its first request seconds late', () => {
    expect(runSpecChecked(slowFromBoot(90), null).violations).toEqual([]);
  });
});
