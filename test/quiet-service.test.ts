// A quiet service (properties/arbitraries/quiet-service.ts): a guest with no timer and a client
// that pauses longer than failure detection, so keepalives and their acknowledgements alone carry
// liveness on the logging channel. Fault hunt 10 wrote a secondary that stopped acknowledging
// keepalives; with both ticking guests it escaped 600 runs. Seeded here as the cluster bug
// `keepalive-not-acked`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quietServiceArb, withQuietService } from '../properties/arbitraries/quiet-service.ts';
import { runSpecArb } from '../properties/arbitraries/run-spec.ts';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { CLUSTER_CONFIG_DEFAULT } from '../src/cluster/config.ts';

const spec = withQuietService(
  {
    seed: 3,
    guest: 'kvstore',
    durationUs: 2_500_000,
    config: { hosts: 3 },
    clientsPerVm: 2,
    requestIntervalUs: 5_000,
    checkDeterminism: false,
    schedule: { version: 1, faults: [] },
  },
  { paceTenths: 15 },
);

describe('quiet service', () => {
  it('pauses the one client longer than the longer detection timeout, on the timer-less guest', () => {
    expect(spec).toMatchObject({ guest: 'kvstore-quiet', clientsPerVm: 1, requestIntervalUs: 600_000 });
    const slow = withQuietService(
      { ...spec, config: { hosts: 3, heartbeatTimeoutUs: 200_000, loggingTimeoutUs: 560_000 } },
      { paceTenths: 13 },
    );
    expect(slow.requestIntervalUs).toBe(728_000);
    expect(CLUSTER_CONFIG_DEFAULT.loggingTimeoutUs).toBeLessThan(spec.requestIntervalUs);
  });

  it('keeps a healthy idle pair engaged: keepalives and their acknowledgements are enough', () => {
    const result = runFt(runOptionsOf(spec, null, 'messages'));
    expect(result.violations).toEqual([]);
    const entries = result.trace.entries;
    // The pair really had nothing to log for longer than the logging timeout…
    const logged = entries.filter(([, kind, , detail]) => kind === 'send' && detail.msg === 'log');
    const gaps = logged.slice(1).map(([timeUs], i) => timeUs - logged[i]![0]);
    expect(Math.max(...gaps)).toBeGreaterThan(CLUSTER_CONFIG_DEFAULT.loggingTimeoutUs);
    // …and no agent ever declared its peer silent.
    expect(entries.some(([, kind, , detail]) => kind === 'state' && detail.on === 'PEER_SILENT')).toBe(false);
  });

  it('catches a secondary that does not acknowledge keepalives (I8: a healthy pair failed over)', () => {
    const result = runFt(runOptionsOf(spec, 'keepalive-not-acked'));
    const i8 = result.violations.find((v) => v.invariant === 'I8');
    expect(i8?.message).toMatch(
      /declared h\d failed although h\d was up .* nothing of h\d's reached h\d on the logging channel for [\d.]+ ms: /,
    );
  });

  it('is one swarm run in eight or so, and never touches the classic benchmark shape', () => {
    const quiet = fc.sample(quietServiceArb(), { seed: 7, numRuns: 800 }).filter((q) => q !== undefined);
    expect(quiet.length).toBeGreaterThan(60);
    expect(quiet.length).toBeLessThan(150);
    const swarm = fc.sample(runSpecArb(), { seed: 7, numRuns: 200 });
    expect(swarm.some((s) => s.guest === 'kvstore-quiet')).toBe(true);
    const classic = fc.sample(runSpecArb({ shape: 'classic' }), { seed: 7, numRuns: 200 });
    expect(classic.some((s) => s.guest === 'kvstore-quiet')).toBe(false);
  });
});
