// A new spawn supersedes a stream that never paired (FtVm.spawnSecondary). Found by a sweep of
// runs forced to be quiet services with creeping delays: HA gave up on a spawn whose target had
// engaged but whose acknowledgement was still crossing a 308 ms logging delay, and placed the next
// secondary on h5 while the primary still held the first stream. The snapshot transfer to h5 was
// then a silent no-op, h5 waited out its watchdog for nothing, and re-protection came late (I5).
import { describe, expect, it } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';

const spec = {
  seed: 8890,
  guest: 'kvstore-quiet' as const,
  durationUs: 9_398_000,
  config: {
    hosts: 5,
    racks: 1,
    heartbeatTimeoutUs: 510_000,
    loggingTimeoutUs: 240_000,
    reprotectBoundUs: 2_500_000,
    networks: { logging: { latencyUs: 1343, jitterUs: 134 }, storage: { latencyUs: 1444, jitterUs: 144 } },
  },
  clientsPerVm: 1,
  requestIntervalUs: 1_224_000,
  checkDeterminism: false,
  schedule: {
    version: 1 as const,
    faults: [
      { at: '701ms', kind: 'partition', network: 'heartbeat', host: 'h1' },
      { at: '2666ms', kind: 'crash', host: 'primary' },
      { at: '1815ms', kind: 'delay', network: 'logging', between: ['primary', 'secondary'], ms: 231 },
      { at: '3684ms', kind: 'delay', network: 'logging', between: ['primary', 'secondary'], ms: 308 },
    ],
  },
};

describe('a new spawn supersedes a stream that never paired', () => {
  it('sends the snapshot to the next target and re-protects in time', () => {
    const result = runFt(runOptionsOf(spec, null, 'events'));
    expect(result.violations).toEqual([]);
    const snapshots = result.trace.entries.filter(
      ([, kind, , detail]) => kind === 'vm' && detail.op === 'snapshot' && detail.to === 'h5',
    );
    expect(snapshots.length).toBeGreaterThan(0);
  });

  it('without that rule the next spawn waits out its watchdog: I5', () => {
    const behaviour = {
      ...correctBehaviour,
      name: 'keeps-unpaired-streams',
      supersedesUnpairedStreams: false,
    };
    const result = runFt({ ...runOptionsOf(spec, null), behaviour });
    expect(result.violations[0]?.invariant).toBe('I5');
    expect(result.violations[0]?.message).toMatch(
      /vm1 was not protected again within 2500 ms although a spare host exists/,
    );
  });
});
