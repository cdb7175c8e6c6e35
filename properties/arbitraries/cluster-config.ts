// Cluster configurations for fuzzing: 2–5 hosts in 1–3 racks, rack anti-affinity, failure
// detection timeouts, link latencies and slow hosts. Every optional knob shrinks to "absent"
// (the documented default), hosts toward 2 and racks toward 1, so a shrunk counterexample names
// only the configuration that matters.
import fc from 'fast-check';
import { CLUSTER_CONFIG_DEFAULT, type ClusterConfigInput } from '../../src/cluster/config.ts';

export const FUZZ_HOSTS_MIN = 2;
export const FUZZ_HOSTS_MAX = 5;
export const FUZZ_RACKS_MAX = 3;

export interface FuzzClusterConfig {
  hosts: number;
  /** Clamped to `hosts` when the run spec is built. */
  racks: number;
  rackAntiAffinity: boolean;
  heartbeatTimeoutUs?: number;
  loggingTimeoutUs?: number;
  loggingLatencyUs?: number;
  clientLatencyUs?: number;
  storageLatencyUs?: number;
  /**
   * I5's re-protection bound; shorter than the default 3 s so short runs can see it broken, but
   * never below what a correct protocol needs with one unlucky placement (minReprotectBoundUs).
   */
  reprotectBoundUs?: number;
  /** Hosts that run slow from the start (a `slow` fault at 0 ms): host number (clamped) and factor. */
  slowHosts: { host: number; factor: number }[];
}

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

export function clusterConfigArb(): fc.Arbitrary<FuzzClusterConfig> {
  return fc.record({
    hosts: fc.integer({ min: FUZZ_HOSTS_MIN, max: FUZZ_HOSTS_MAX }),
    racks: fc.integer({ min: 1, max: FUZZ_RACKS_MAX }),
    rackAntiAffinity: fc.boolean(),
    heartbeatTimeoutUs: optional(fc.integer({ min: 20, max: 60 }).map((n) => n * 10_000)),
    loggingTimeoutUs: optional(fc.integer({ min: 20, max: 60 }).map((n) => n * 10_000)),
    loggingLatencyUs: optional(fc.integer({ min: 20, max: 2_000 })),
    clientLatencyUs: optional(fc.integer({ min: 20, max: 2_000 })),
    storageLatencyUs: optional(fc.integer({ min: 20, max: 2_000 })),
    reprotectBoundUs: optional(fc.integer({ min: 8, max: 30 }).map((n) => n * 100_000)),
    slowHosts: fc.array(
      fc.record({
        host: fc.integer({ min: 1, max: FUZZ_HOSTS_MAX }),
        factor: fc.integer({ min: 2, max: 20 }),
      }),
      { maxLength: 1 },
    ),
  });
}

/** The cluster options of a fuzzed configuration: only the fields it sets. */
export function toClusterConfigInput(config: FuzzClusterConfig): ClusterConfigInput {
  const input: ClusterConfigInput = { hosts: config.hosts, racks: Math.min(config.racks, config.hosts) };
  if (config.rackAntiAffinity) input.rackAntiAffinity = true;
  if (config.heartbeatTimeoutUs !== undefined) input.heartbeatTimeoutUs = config.heartbeatTimeoutUs;
  if (config.loggingTimeoutUs !== undefined) input.loggingTimeoutUs = config.loggingTimeoutUs;
  if (config.reprotectBoundUs !== undefined)
    input.reprotectBoundUs = Math.max(config.reprotectBoundUs, minReprotectBoundUs(config));
  const networks: NonNullable<ClusterConfigInput['networks']> = {};
  if (config.loggingLatencyUs !== undefined) networks.logging = latency(config.loggingLatencyUs);
  if (config.clientLatencyUs !== undefined) networks.client = latency(config.clientLatencyUs);
  if (config.storageLatencyUs !== undefined) networks.storage = latency(config.storageLatencyUs);
  if (Object.keys(networks).length > 0) input.networks = networks;
  return input;
}

const latency = (latencyUs: number) => ({ latencyUs, jitterUs: Math.floor(latencyUs / 10) });

/**
 * Re-protection follows the failover (detection and go-live, the failover bound), and the HA
 * service learns that a host cannot take the secondary (a dead logging NIC, say) only from a spawn
 * that fails: its watchdog is about one detection timeout. A bound shorter than both together is
 * an SLA no correct implementation meets (a sweep found the shipped cluster reported at 992 ms
 * against a drawn 900 ms after one such spawn).
 */
export function minReprotectBoundUs(config: FuzzClusterConfig): number {
  const detectionUs = Math.max(
    config.heartbeatTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.heartbeatTimeoutUs,
    config.loggingTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.loggingTimeoutUs,
  );
  return CLUSTER_CONFIG_DEFAULT.failoverBoundUs + detectionUs;
}
