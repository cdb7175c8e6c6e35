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
  /** Log entries the secondary acknowledged (its agent's `ackLogEntry`); the channel carries them. */
  ackd: number;
  /**
   * This instance's end of the logging stream is attached: set when the pair forms (the snapshot,
   * on both ends), cleared by the agent's `disengage` and with the VM instance. Log, replay and
   * acknowledgements flow only between two attached ends.
   */
  link: number;
  /**
   * This host's VM instance owns the FT lock: it powered the VM on or won the last test-and-set.
   * The array completes a write only from the owner of the current generation (the cluster's
   * SharedStorage.write); a current instance that does not own the lock (a secondary from its
   * snapshot on) has its write parked until it wins, and a fenced one has it rejected.
   */
  owner: number;
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
  /**
   * An instance announced the VM's client address (`takeClientAddress`) while it was not an acting
   * primary of the current lock generation: clients were sent to an instance that must not serve them.
   */
  addressMisplaced: number;
  /**
   * The first event the environment delivered to an agent whose state does not handle it, as its
   * symbol in AGENT_ALPHABET plus one (0: none): an incomplete protocol, a finding like `colocated`.
   */
  unhandled: number;
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
  ['ackd', 19, 3],
  ['link', 22, 1],
  ['owner', 23, 1],
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
  ['unhandled', 22, 5],
  ['addressMisplaced', 27, 1],
];
export const COUNTER_MAX = 7;

function checkFits<T>(record: T, fields: [keyof T, number, number][]): void {
  for (const [name, , width] of fields) {
    const value = record[name] as number;
    assert(value >= 0 && value < 1 << width, `${String(name)}=${value} does not fit ${width} bits`);
  }
}

// Hand-unrolled packing: this runs for every transition the explorer takes.
export function packHost(x: HostState): number {
  const word =
    x.agent |
    (x.up << 6) |
    (x.storage << 7) |
    (x.current << 8) |
    (x.hist << 9) |
    (x.recv << 12) |
    (x.ioOut << 15) |
    (x.req << 16) |
    (x.ackd << 19) |
    (x.link << 22) |
    (x.owner << 23);
  if (
    x.agent >>> 6 ||
    x.hist >>> 3 ||
    x.recv >>> 3 ||
    x.ackd >>> 3 ||
    x.req >>> 3 ||
    (x.up | x.storage | x.current | x.ioOut | x.link | x.owner) >>> 1
  ) {
    checkFits(x, HOST_FIELDS);
  }
  return word;
}

export function unpackHost(w: number): HostState {
  return {
    agent: w & 63,
    up: (w >>> 6) & 1,
    storage: (w >>> 7) & 1,
    current: (w >>> 8) & 1,
    hist: (w >>> 9) & 7,
    recv: (w >>> 12) & 7,
    ioOut: (w >>> 15) & 1,
    req: (w >>> 16) & 7,
    ackd: (w >>> 19) & 7,
    link: (w >>> 22) & 1,
    owner: (w >>> 23) & 1,
  };
}

function packGlobals(c: ClusterContext): number {
  const word =
    c.ha |
    (c.acked << 4) |
    (c.released << 7) |
    (c.durable << 10) |
    (c.partitioned << 11) |
    (c.colocated << 12) |
    (c.crashesLeft << 13) |
    (c.partitionsLeft << 16) |
    (c.storageLossesLeft << 19) |
    (c.unhandled << 22) |
    (c.addressMisplaced << 27);
  if (
    c.ha >>> 4 ||
    c.unhandled >>> 5 ||
    (c.acked | c.released | c.crashesLeft | c.partitionsLeft | c.storageLossesLeft) >>> 3
  ) {
    checkFits(c, GLOBAL_FIELDS);
  }
  if ((c.durable | c.partitioned | c.colocated | c.addressMisplaced) >>> 1) checkFits(c, GLOBAL_FIELDS);
  return word;
}

function unpackContext(row: Int32Array, offset: number, hostCount: number): ClusterContext {
  const w = row[offset]!;
  const hosts: HostState[] = [];
  for (let h = 0; h < hostCount; h++) hosts.push(unpackHost(row[offset + 1 + h]!));
  return {
    hosts,
    ha: w & 15,
    acked: (w >>> 4) & 7,
    released: (w >>> 7) & 7,
    durable: (w >>> 10) & 1,
    partitioned: (w >>> 11) & 1,
    colocated: (w >>> 12) & 1,
    crashesLeft: (w >>> 13) & 7,
    partitionsLeft: (w >>> 16) & 7,
    storageLossesLeft: (w >>> 19) & 7,
    unhandled: (w >>> 22) & 31,
    addressMisplaced: (w >>> 27) & 1,
  };
}

/** The codec the fast explorer path stores states with: word 0 = globals, words 1..N = hosts. */
export function clusterCodec(hostCount: number) {
  return {
    width: hostCount + 1,
    encode(context: ClusterContext, out: Int32Array, offset: number): void {
      out[offset] = packGlobals(context);
      for (let h = 0; h < hostCount; h++) out[offset + 1 + h] = packHost(context.hosts[h]!);
    },
    decode: (row: Int32Array, offset: number): ClusterContext => unpackContext(row, offset, hostCount),
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

type Globals = Omit<ClusterContext, 'hosts'>;
const GLOBAL_KEYS = GLOBAL_FIELDS.map(([name]) => name);
const HOST_KEYS = HOST_FIELDS.map(([name]) => name);

/**
 * A copy-on-write draft of one host record: reads fall through to the base record, writes are
 * kept, and only a record that really changed is copied. A step reads only what it decides on,
 * which is what lets the compiled explorer tabulate it compactly.
 */
class HostDraft {
  private readonly patch: Partial<HostState> = {};
  private changed = false;
  constructor(private readonly base: HostState) {}
  get(key: keyof HostState): number {
    const v = this.patch[key];
    return v === undefined ? this.base[key] : v;
  }
  set(key: keyof HostState, value: number): void {
    if (this.get(key) === value) return;
    this.patch[key] = value;
    this.changed = true;
  }
  result(): HostState {
    if (!this.changed) return this.base;
    const out = {} as HostState;
    for (const key of HOST_KEYS) out[key] = this.get(key);
    return out;
  }
}

for (const key of HOST_KEYS) {
  Object.defineProperty(HostDraft.prototype, key, {
    get(this: HostDraft) {
      return this.get(key);
    },
    set(this: HostDraft, value: number) {
      this.set(key, value);
    },
  });
}

/** A copy-on-write draft of a ClusterContext for one step; `patch()` is the partial update. */
export class ClusterDraft {
  readonly hosts: HostState[];
  private readonly drafts: HostDraft[];
  private readonly changes: Partial<Globals> = {};
  constructor(private readonly base: ClusterContext) {
    this.drafts = base.hosts.map((x) => new HostDraft(x));
    this.hosts = this.drafts as unknown as HostState[];
  }
  get(key: keyof Globals): number {
    const v = this.changes[key];
    return v === undefined ? this.base[key] : v;
  }
  set(key: keyof Globals, value: number): void {
    if (this.get(key) !== value) this.changes[key] = value;
  }
  /** What changed, as a partial context (unchanged host records are the base's own). */
  patch(): Partial<ClusterContext> {
    const out: Partial<ClusterContext> = { ...this.changes };
    const hosts = this.drafts.map((d) => d.result());
    if (hosts.some((x, h) => x !== this.base.hosts[h])) out.hosts = hosts;
    return out;
  }
}

for (const key of GLOBAL_KEYS) {
  Object.defineProperty(ClusterDraft.prototype, key, {
    get(this: ClusterDraft) {
      return this.get(key);
    },
    set(this: ClusterDraft, value: number) {
      this.set(key, value);
    },
  });
}

/** A draft of `c` typed as the context it edits. */
export const draftOf = (c: ClusterContext) => new ClusterDraft(c) as ClusterDraft & ClusterContext;
