// A survivor slowed down again shortly before its primary dies owes, at its new speed, the backlog
// lag control had let build at the old one (RecoveryMonitor, I5): no lag control can keep that
// under the high mark. Found by a sweep of quiet-service runs: a secondary at ×14 with 91 134
// instructions of backlog (64 ms of its replay, under the 100 ms mark) is slowed to ×1000, and its
// primary crashes 3 ms later; the correct survivor needs 4.74 s to replay it, which the drain
// allowance alone (4.1 s) did not cover. And re-protection, which follows the go-live, is owed
// as much more time as the drain stretched the go-live.
import { describe, expect, it } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';

const spec = {
  seed: 0,
  guest: 'kvstore-quiet' as const,
  durationUs: 8_161_000,
  config: { hosts: 2, racks: 1, cpuCapacity: 2 },
  clientsPerVm: 1,
  requestIntervalUs: 760_000,
  checkDeterminism: false,
  schedule: {
    version: 1 as const,
    faults: [
      { at: '0ms', kind: 'slow', host: 'h2', factor: 14 },
      { at: '158ms', kind: 'slow', host: 'h2', factor: 1000 },
      { at: '161ms', kind: 'crash', host: 'primary' },
    ],
  },
};

describe('a slowdown stretches the backlog it finds', () => {
  it('gives the correct survivor the time to replay, at its new speed, the backlog it had', () => {
    const result = runFt(runOptionsOf(spec, null, 'events'));
    expect(result.violations).toEqual([]);
    const live = result.trace.entries.find(
      ([, kind, subject, detail]) =>
        kind === 'state' && subject.startsWith('h2') && detail.to === 'primary.alone',
    );
    // The drain really outlasted the failover bound and the drain allowance together.
    expect(live?.[0]).toBeGreaterThan(161_000 + 1_000_000 + 4_100_000);
  });

  it('stretches the re-protection bound by the drain that delayed the go-live it follows', () => {
    const slowThenCrash = {
      ...spec,
      durationUs: 8_013_000,
      config: { hosts: 3, racks: 1, cpuCapacity: 2, reprotectBoundUs: 2_800_000 },
      schedule: {
        version: 1 as const,
        faults: [
          { at: '11ms', kind: 'slow', host: 'h2', factor: 1000 },
          { at: '13ms', kind: 'crash', host: 'primary' },
        ],
      },
    };
    const result = runFt(runOptionsOf(slowThenCrash, null, 'events'));
    expect(result.violations).toEqual([]);
    const live = result.trace.entries.find(
      ([, kind, subject, detail]) =>
        kind === 'state' && subject.startsWith('h2') && detail.to === 'primary.alone',
    );
    // The go-live came after the re-protection bound had run out, counted from the crash.
    expect(live?.[0]).toBeGreaterThan(13_000 + 2_800_000);
  });
});
