// After a storage outage the first reply may wait out a backed-off timeout (storage-backoff.ts):
// a host retries a timed-out request with a doubled timeout, and cannot tell a cut path from a
// slow array. Found by a sweep of quiet-service runs: a survivor cut from storage for 2.1 s went
// live 1.65 s after the heal and was reported (I5, re-protection); with an 8 s cut even the
// primary's disk requests answer 2.6 s after the heal (I7). The allowance is bounded by the
// outage, so a survivor that stops retrying is still reported.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { BACKOFF_TIMEOUTS_MAX, storageBackoffUs } from '../src/check/monitors/storage-backoff.ts';
import { CLUSTER_CONFIG_DEFAULT } from '../src/cluster/config.ts';
import { FtVm } from '../src/cluster/ft-vm.ts';

const cutThenHeal = (healMs: number, crash: boolean, cut: Record<string, unknown>) => ({
  seed: 1,
  guest: 'kvstore' as const,
  durationUs: healMs * 1000 + 9_000_000,
  config: { hosts: 3 },
  clientsPerVm: 1,
  requestIntervalUs: 5_000,
  checkDeterminism: false,
  schedule: {
    version: 1 as const,
    faults: [
      { at: '0ms', kind: 'partition', network: 'storage', ...cut },
      ...(crash ? [{ at: '10ms', kind: 'crash', host: 'h1' }] : []),
      { at: `${healMs}ms`, kind: 'heal', network: 'storage' },
    ],
  },
});

const run = (spec: ReturnType<typeof cutThenHeal>) =>
  runFt({ ...runOptionsOf(spec, null, 'events'), stopOnViolation: false });

describe('storage backoff after an outage', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('allows the timeout in flight at the heal (at most the outage plus one timeout), then a retry pause', () => {
    const config = CLUSTER_CONFIG_DEFAULT;
    const t = config.storageTimeoutUs;
    expect(storageBackoffUs(config, null, 0)).toBe(0);
    const short = { fromUs: 1_000_000, toUs: 1_300_000 };
    expect(storageBackoffUs(config, short, 1_300_000)).toBe(300_000 + t + config.storageRetryUs);
    // A clock that starts later owes only what is left of it.
    expect(storageBackoffUs(config, short, 1_500_000)).toBe(100_000 + t + config.storageRetryUs);
    expect(storageBackoffUs(config, short, 9_000_000)).toBe(0);
    const long = { fromUs: 0, toUs: 60_000_000 };
    expect(storageBackoffUs(config, long, 60_000_000)).toBe(BACKOFF_TIMEOUTS_MAX * t + config.storageRetryUs);
  });

  it('passes the shipped cluster through long cuts of the survivor and of a lone primary', () => {
    for (const healMs of [2151, 8000]) {
      const survivor = run(cutThenHeal(healMs, true, { between: ['primary', 'secondary'] }));
      expect(survivor.violations, `survivor, heal at ${healMs} ms`).toEqual([]);
      const primary = run(cutThenHeal(healMs, false, { host: 'primary' }));
      expect(primary.violations, `primary, heal at ${healMs} ms`).toEqual([]);
    }
  });

  it('still reports a survivor that stops retrying its test-and-set', () => {
    const original = (FtVm.prototype as unknown as { testAndSet: (i: unknown) => void }).testAndSet;
    let attempts = 0;
    vi.spyOn(
      FtVm.prototype as unknown as { testAndSet: (i: unknown) => void },
      'testAndSet',
    ).mockImplementation(function (this: FtVm, instance: unknown) {
      // The fault: after four attempts the survivor waits for good.
      if (++attempts <= 4) original.call(this, instance);
    });
    const result = run(cutThenHeal(2151, true, { between: ['primary', 'secondary'] }));
    const i7 = result.violations.find((v) => v.invariant === 'I7');
    expect(i7?.message).toMatch(/unanswered .* after service was possible, although h2 could serve it/);
  });
});
