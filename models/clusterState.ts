// The abstract environment's state: one FT VM on N interchangeable hosts. Every field is a small
// bounded integer, so a state packs into N + 1 int32 words (one per host, one for the rest) and
// host symmetry is just sorting the host words.
import { assert } from '../src/base/assert.ts';

/** A request the environment still has to answer for the agent on a host (from its last command). */
export const REQ = { none: 0, snapshot: 1, replay: 2, testAndSet: 3, reissue: 4 } as const;
export const REQ_NAMES = ['none', 'snapshot', 'replay', 'testAndSet', 'reissue'] as const;

export interface HostState {
  /** The agent's state id in the agent's actor table. */
  agent: number;
  up: number;
  /** At least one storage path (HBA) works. */
  storage: number;
  /** This host's VM instance holds the current generation of the FT lock (not fenced). */
  current: number;
  /** Log entries executed (primary) or replayed (secondary) by the VM instance here. */
  hist: number;
  /** Log entries received (secondary). */
  recv: number;
  /** A disk write of this VM instance is outstanding at the storage. */
  ioOut: number;
  req: number;
}

export interface ClusterContext {
  hosts: HostState[];
  /** The HA service's state id in its actor table. */
  ha: number;
  /** Log entries the primary has acknowledged by the current secondary. */
  acked: number;
  /** Outputs released to the outside world (one per log entry, in order). */
  released: number;
  /** The VM's disk write reached the disk under the current generation. */
  durable: number;
  /** The logging/heartbeat network between the hosts is partitioned. */
  partitioned: number;
  /** A secondary was placed on a host already running this VM (an anti-affinity breach). */
  colocated: number;
  crashesLeft: number;
  partitionsLeft: number;
  storageLossesLeft: number;
}

// Bit layout of a host word and of the global word: [shift, width].
const HOST_FIELDS: [keyof HostState, number, number][] = [
  ['agent', 0, 6],
  ['up', 6, 1],
  ['storage', 7, 1],
  ['current', 8, 1],
  ['hist', 9, 3],
  ['recv', 12, 3],
  ['ioOut', 15, 1],
  ['req', 16, 3],
];
type GlobalField = Exclude<keyof ClusterContext, 'hosts'>;
const GLOBAL_FIELDS: [GlobalField, number, number][] = [
  ['ha', 0, 4],
  ['acked', 4, 3],
  ['released', 7, 3],
  ['durable', 10, 1],
  ['partitioned', 11, 1],
  ['colocated', 12, 1],
  ['crashesLeft', 13, 3],
  ['partitionsLeft', 16, 3],
  ['storageLossesLeft', 19, 3],
];
export const COUNTER_MAX = 7;

function pack<T>(record: T, fields: [keyof T, number, number][]): number {
  let word = 0;
  for (const [name, shift, width] of fields) {
    const value = record[name] as number;
    assert(value >= 0 && value < 1 << width, `${String(name)}=${value} does not fit ${width} bits`);
    word |= value << shift;
  }
  return word;
}

function unpack<T>(word: number, fields: [keyof T, number, number][]): T {
  const record = {} as Record<keyof T, number>;
  for (const [name, shift, width] of fields) record[name] = (word >>> shift) & ((1 << width) - 1);
  return record as T;
}

export const packHost = (host: HostState): number => pack(host, HOST_FIELDS);
export const unpackHost = (word: number): HostState => unpack<HostState>(word, HOST_FIELDS);

/** The codec the fast explorer path stores states with: word 0 = globals, words 1..N = hosts. */
export function clusterCodec(hostCount: number) {
  return {
    width: hostCount + 1,
    encode(context: ClusterContext, out: Int32Array, offset: number): void {
      out[offset] = pack(context, GLOBAL_FIELDS);
      for (let h = 0; h < hostCount; h++) out[offset + 1 + h] = packHost(context.hosts[h]!);
    },
    decode(row: Int32Array, offset: number): ClusterContext {
      const context = unpack<Omit<ClusterContext, 'hosts'>>(row[offset]!, GLOBAL_FIELDS) as ClusterContext;
      context.hosts = [];
      for (let h = 0; h < hostCount; h++) context.hosts.push(unpackHost(row[offset + 1 + h]!));
      return context;
    },
    /** Host symmetry on packed rows: sort the host words (insertion sort, N ≤ 8). */
    canonicalize(row: Int32Array, offset: number): void {
      for (let i = offset + 2; i <= offset + hostCount; i++) {
        const word = row[i]!;
        let j = i - 1;
        while (j > offset && row[j]! > word) {
          row[j + 1] = row[j]!;
          j--;
        }
        row[j + 1] = word;
      }
    },
  };
}

/** Host symmetry on contexts: hosts ordered by their packed word, the same order as `canonicalize`. */
export function canonicalClusterContext(context: ClusterContext): ClusterContext {
  const hosts = [...context.hosts].sort((a, b) => packHost(a) - packHost(b));
  return { ...context, hosts };
}

export function cloneContext(context: ClusterContext): ClusterContext {
  return { ...context, hosts: context.hosts.map((h) => ({ ...h })) };
}
