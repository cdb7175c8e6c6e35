// The cluster's one typed options object (TigerBeetle's simulator shape): every timing, link
// parameter and placement rule of a run, with documented defaults, validated at the door with an
// error that names the field.
import { z } from 'zod';
import { didYouMean } from '../base/suggest.ts';
import { LOG_ENTRY_BYTES_MAX } from '../lockstep/log-codec.ts';
import { LOOKAHEAD_ENTRIES_DEFAULT } from '../lockstep/secondary-replayer.ts';
import { formatPath } from '../sim/fault-schedule.ts';
import type { LinkParams } from './network.ts';

export interface ClusterConfig {
  /** Hosts h1…hN (2–64). */
  hosts: number;
  /** Racks r1…rM; host i sits in rack ((i − 1) mod M) + 1, so neighbours are in different racks. */
  racks: number;
  /** VM slots per host (FT primaries, secondaries and plain VMs all take one). */
  cpuCapacity: number;
  /** Guest instructions per simulated microsecond at full speed (20 ≈ a 20 MIPS host). */
  instructionsPerUs: number;
  /** Length of one execution time slice. */
  sliceUs: number;
  /** The primary's state digest is taken for the I1 comparison at most this often. */
  checkpointIntervalUs: number;
  networks: { logging: LinkParams; heartbeat: LinkParams; client: LinkParams; storage: LinkParams };
  heartbeatIntervalUs: number;
  /** Peer declared failed after this much heartbeat silence… */
  heartbeatTimeoutUs: number;
  /** …or this much silence on the logging channel (kept busy by keepalives). */
  loggingTimeoutUs: number;
  /** A storage request without a reply for this long has failed. */
  storageTimeoutUs: number;
  /** Wait before retrying an unreachable storage operation. */
  storageRetryUs: number;
  /** Log bytes buffered (each side) before the primary stalls; at least the largest entry. */
  logBufferBytes: number;
  /** Largest log segment the primary hands to the logging network (a resend goes in these too). */
  logSegmentBytes: number;
  /** Log entries the secondary decodes ahead of its VM. */
  replayLookaheadEntries: number;
  /** Never place a secondary in the primary's rack. */
  rackAntiAffinity: boolean;
  /** I5: the service must resume this long after the failure at most. */
  failoverBoundUs: number;
  /** I5: redundancy must be back this long after it was lost, when a spare host exists. */
  reprotectBoundUs: number;
  /** How long a halted instance takes to be cleaned up so its host is a candidate again. */
  haltCleanupUs: number;
}

const link = (latencyUs: number, bandwidthBytesPerUs: number): LinkParams => ({
  latencyUs,
  jitterUs: Math.floor(latencyUs / 10),
  lossRate: 0,
  duplicateRate: 0,
  bandwidthBytesPerUs,
});

export const CLUSTER_CONFIG_DEFAULT: ClusterConfig = {
  hosts: 3,
  racks: 1,
  cpuCapacity: 4,
  instructionsPerUs: 20,
  sliceUs: 1000,
  checkpointIntervalUs: 5000,
  networks: {
    logging: link(100, 125),
    heartbeat: link(100, 125),
    client: link(200, 125),
    storage: link(150, 500),
  },
  heartbeatIntervalUs: 50_000,
  heartbeatTimeoutUs: 400_000,
  loggingTimeoutUs: 400_000,
  storageTimeoutUs: 100_000,
  storageRetryUs: 50_000,
  logBufferBytes: 1 << 20,
  logSegmentBytes: 64 * 1024,
  replayLookaheadEntries: LOOKAHEAD_ENTRIES_DEFAULT,
  rackAntiAffinity: false,
  failoverBoundUs: 1_000_000,
  reprotectBoundUs: 3_000_000,
  haltCleanupUs: 100_000,
};

const micros = z.number().int().min(0).max(3_600_000_000);
const positiveMicros = z.number().int().min(1).max(3_600_000_000);
const linkSchema = z.strictObject({
  latencyUs: micros,
  jitterUs: micros,
  lossRate: z.number().min(0).max(1),
  duplicateRate: z.number().min(0).max(1),
  bandwidthBytesPerUs: z.number().positive(),
});

const configSchema = z.strictObject({
  hosts: z.number().int().min(2).max(64),
  racks: z.number().int().min(1).max(64),
  cpuCapacity: z.number().int().min(1).max(1000),
  instructionsPerUs: z.number().positive().max(10_000),
  sliceUs: positiveMicros,
  checkpointIntervalUs: positiveMicros,
  networks: z.strictObject({
    logging: linkSchema,
    heartbeat: linkSchema,
    client: linkSchema,
    storage: linkSchema,
  }),
  heartbeatIntervalUs: positiveMicros,
  heartbeatTimeoutUs: positiveMicros,
  loggingTimeoutUs: positiveMicros,
  storageTimeoutUs: positiveMicros,
  storageRetryUs: positiveMicros,
  logBufferBytes: z
    .number()
    .int()
    .min(LOG_ENTRY_BYTES_MAX)
    .max(1 << 30),
  logSegmentBytes: z
    .number()
    .int()
    .min(16)
    .max(1 << 30),
  replayLookaheadEntries: z
    .number()
    .int()
    .min(1)
    .max(1 << 20),
  rackAntiAffinity: z.boolean(),
  failoverBoundUs: positiveMicros,
  reprotectBoundUs: positiveMicros,
  haltCleanupUs: positiveMicros,
});

export class ClusterConfigError extends Error {
  override name = 'ClusterConfigError';
  /**
   * `field`: the dotted path of what is wrong inside the config ('' for the config as a whole);
   * `detail`: what is wrong with it. The message reads `cluster.<field>: <detail>`.
   */
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`cluster${field === '' ? '' : `.${field}`}: ${detail}`);
  }
}

export type ClusterConfigInput = Partial<Omit<ClusterConfig, 'networks'>> & {
  networks?: Partial<{ [K in keyof ClusterConfig['networks']]: Partial<LinkParams> }>;
};

/** Fills defaults and validates; throws ClusterConfigError naming the field. */
export function resolveClusterConfig(input: ClusterConfigInput = {}): ClusterConfig {
  const base = CLUSTER_CONFIG_DEFAULT;
  const networks = input.networks ?? {};
  const merged = {
    ...base,
    ...input,
    networks: {
      logging: { ...base.networks.logging, ...networks.logging },
      heartbeat: { ...base.networks.heartbeat, ...networks.heartbeat },
      client: { ...base.networks.client, ...networks.client },
      storage: { ...base.networks.storage, ...networks.storage },
    },
  };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      // Name the unknown key itself (a typo like `hots` is the field that is wrong).
      const known = Object.keys(valueAt(CLUSTER_CONFIG_DEFAULT, issue.path) ?? {});
      const key = issue.keys[0]!;
      throw new ClusterConfigError(fieldPath([...issue.path, key]), `unknown field${didYouMean(key, known)}`);
    }
    throw new ClusterConfigError(fieldPath(issue.path), issue.message);
  }
  if (parsed.data.racks > parsed.data.hosts) {
    throw new ClusterConfigError('racks', `${parsed.data.racks} racks for ${parsed.data.hosts} hosts`);
  }
  return parsed.data;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : formatPath(path);
}

function valueAt(root: object, path: readonly PropertyKey[]): object | undefined {
  let value: unknown = root;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return typeof value === 'object' && value !== null ? value : undefined;
}

export function rackOfHost(hostIndex: number, racks: number): string {
  return `r${((hostIndex - 1) % racks) + 1}`;
}
