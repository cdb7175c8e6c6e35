// The monitors' record of what each instance heard from its peer (peer-traffic.ts) must survive
// reordering: a heartbeat of an earlier pair that arrives late, behind a delay lifted while it was
// in flight, says nothing about the new pair and must not hide what the new pair already
// delivered. Found by the passing impairment (properties/arbitraries/passing-impairment.ts): the
// record kept only the last delivery, so a 700 ms-late heartbeat of h3's previous instance erased
// its new instance's heartbeats and the detection monitor reported a silent peer that was talking.
import { describe, expect, it } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { PeerTraffic } from '../src/check/monitors/peer-traffic.ts';

describe('what a peer was heard saying, under reordering', () => {
  it('answers with the latest delivery of a message sent since the pair began', () => {
    let now = 0;
    const traffic = new PeerTraffic(() => now);
    const deliver = (atUs: number, sentUs: number) => {
      now = atUs;
      traffic.messageDelivered('heartbeat', 'h3', 'h2', 'heartbeat', 'vm1', sentUs);
    };
    deliver(1_350_000, 1_350_000);
    deliver(1_400_000, 1_400_000);
    // Sent at 900 ms, by an instance of an earlier pair.
    deliver(1_600_000, 900_000);
    expect(traffic.lastHeardUs('vm1', 'heartbeat', 'h3', 'h2', 1_300_000)).toBe(1_400_000);
    // Asked about the old pair, the late message is the latest news.
    expect(traffic.lastHeardUs('vm1', 'heartbeat', 'h3', 'h2', 800_000)).toBe(1_600_000);
    // A fresher message hides both.
    deliver(1_650_000, 1_650_000);
    expect(traffic.lastHeardUs('vm1', 'heartbeat', 'h3', 'h2', 1_300_000)).toBe(1_650_000);
    expect(traffic.lastHeardUs('vm1', 'heartbeat', 'h3', 'h2', 1_700_000)).toBe(1_700_000);
    expect(traffic.lastHeardUs('vm1', 'heartbeat', 'h2', 'h3', 1_300_000)).toBe(1_300_000);
  });

  it('a heartbeat delay lifted across a failover and a respawn is no silent peer', () => {
    const spec = {
      seed: 4622,
      guest: 'kvstore-quiet',
      durationUs: 4_251_000,
      config: {
        hosts: 3,
        racks: 1,
        heartbeatTimeoutUs: 230_000,
        loggingTimeoutUs: 300_000,
        reprotectBoundUs: 2_900_000,
        networks: { logging: { latencyUs: 597, jitterUs: 59 }, client: { latencyUs: 1375, jitterUs: 137 } },
        logBufferBytes: 66_517,
        logSegmentBytes: 7274,
        replayLookaheadEntries: 4,
        cpuCapacity: 1,
      },
      clientsPerVm: 1,
      requestIntervalUs: 450_000,
      checkDeterminism: false,
      schedule: {
        version: 1 as const,
        faults: [
          { at: '464ms', kind: 'nic-fail', path: 'all', network: 'logging', host: 'primary' },
          { at: '0ms', kind: 'delay', network: 'heartbeat', between: ['h3', 'h2'], ms: 700 },
          { at: '1001ms', kind: 'delay', network: 'heartbeat', between: ['h3', 'h2'], ms: 0 },
        ],
      },
    };
    const result = runFt(runOptionsOf(spec as Parameters<typeof runOptionsOf>[0], null, 'messages'));
    expect(result.violations).toEqual([]);
    // The scenario is the one described: h3 is respawned while its old heartbeats are in flight.
    const late = result.trace.entries.filter(
      ([atUs, kind, , data]) =>
        kind === 'recv' && data.net === 'heartbeat' && atUs > 1_590_000 && atUs < 1_610_000,
    );
    expect(late.length).toBeGreaterThan(2);
  });
});
