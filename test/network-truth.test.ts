// The monitors' own account of the networks (network-truth.ts, kept from the faults) agrees with
// the simulated networks on every link after any sequence of cuts, heals and impairments: the
// monitors judge against the schedule, and on a correct network that is what the network does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetworkState } from '../src/check/monitors/network-truth.ts';
import { Cluster } from '../src/cluster/cluster.ts';
import { STORAGE_ENDPOINT } from '../src/cluster/storage-path.ts';
import { NETWORK_KINDS, type NetworkKind } from '../src/sim/fault-schedule.ts';

const HOSTS = ['h1', 'h2', 'h3'] as const;
const ENDPOINTS = [...HOSTS, 'c1', STORAGE_ENDPOINT];

const scopeArb = fc.oneof(
  fc.record({ host: fc.constantFrom(...HOSTS) }),
  fc
    .tuple(fc.constantFrom(...HOSTS), fc.constantFrom(...HOSTS))
    .filter(([a, b]) => a !== b)
    .map((between) => ({ between })),
  fc.constant({}),
);
const opArb = fc.record({
  kind: fc.constantFrom('partition', 'heal', 'delay', 'loss', 'duplicate'),
  network: fc.constantFrom(...NETWORK_KINDS),
  scope: scopeArb,
  value: fc.integer({ min: 0, max: 3 }),
});

describe('network truth', () => {
  it('agrees with the simulated networks on every link after any fault sequence', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
        const cluster = new Cluster({
          seed: 1,
          vms: [
            {
              name: 'vm1',
              ft: false,
              primaryHost: 'h1',
              createVm: () => {
                throw new Error('never started');
              },
            },
          ],
          clients: [],
        });
        const truth = Object.fromEntries(
          NETWORK_KINDS.map((k) => [k, new NetworkState(k, cluster.networks[k].params)]),
        ) as Record<NetworkKind, NetworkState>;
        for (const { kind, network, scope, value } of ops) {
          const host = 'host' in scope ? scope.host : undefined;
          const between = 'between' in scope ? (scope.between as [string, string]) : undefined;
          // The schedule cuts only named links (a storage cut names its host or pair).
          if (kind === 'partition' && host === undefined && between === undefined) continue;
          if (kind === 'partition') {
            cluster.partition(network, host, between);
            truth[network].cut(host, between);
          } else if (kind === 'heal') {
            cluster.heal(network, host, between);
            truth[network].heal(host, between);
          } else {
            const change =
              kind === 'delay'
                ? { extraDelayUs: value * 10_000 }
                : kind === 'loss'
                  ? { lossRate: value / 4 }
                  : { duplicateRate: value / 4 };
            cluster.impair(network, change, host, between);
            truth[network].impair(change, host, between);
          }
        }
        for (const k of NETWORK_KINDS) {
          for (const source of ENDPOINTS) {
            for (const target of ENDPOINTS) {
              if (source === target) continue;
              const link = { source, target };
              const net = cluster.networks[k];
              expect([k, link, truth[k].isPartitioned(link)]).toEqual([k, link, net.isPartitioned(link)]);
              expect(truth[k].lossRateOf(link)).toBe(net.lossRateOf(link));
              expect(truth[k].extraDelayOf(link)).toBe(net.extraDelayOf(link));
            }
          }
        }
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it('keeps a lifted impairment lifted, whatever the network reports', () => {
    const state = new NetworkState('logging', {
      latencyUs: 1,
      jitterUs: 0,
      lossRate: 0,
      duplicateRate: 0,
      bandwidthBytesPerUs: 1,
    });
    state.impair({ extraDelayUs: 300_000 }, undefined, ['h1', 'h2']);
    expect(state.extraDelayOf({ source: 'h2', target: 'h1' })).toBe(300_000);
    state.impair({ extraDelayUs: 0 }, undefined, ['h1', 'h2']);
    expect(state.extraDelayOf({ source: 'h2', target: 'h1' })).toBe(0);
  });
});
