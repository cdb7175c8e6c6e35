// One network (client, logging, heartbeat or storage) as a set of point-to-point links between
// named endpoints (hosts "h1"…, clients "c1"…, the storage array "storage"). Every decision about
// a message is a predicate on this network's own seeded stream (`shouldDrop`, `shouldDuplicate`,
// `transitUs`), so the same seed gives the same fate to the same message.
//
// Reliable networks (logging, storage: TCP-like) deliver in FIFO order per link; loss costs a
// retransmission delay, and only a partition, a dead endpoint or `retransmitsMax` losses in a row
// break the message. Datagram networks (heartbeat, client: UDP-like) drop, duplicate and reorder.
import { assert } from '../base/assert.ts';
import type { Prng } from '../base/prng.ts';
import type { NetworkKind } from '../sim/fault-schedule.ts';
import type { Simulator } from '../sim/simulator.ts';
import { TRACE_DETAIL_MESSAGES, type TraceDetail } from '../sim/trace.ts';

export const RETRANSMITS_MAX = 8;

export interface LinkParams {
  latencyUs: number;
  /** Uniform extra delay in [0, jitterUs]. */
  jitterUs: number;
  lossRate: number;
  duplicateRate: number;
  /** Bytes per simulated microsecond (1 ≈ 8 Mbit/s; 125 ≈ 1 Gbit/s). */
  bandwidthBytesPerUs: number;
}

export interface Link {
  source: string;
  target: string;
}

/** Whether an endpoint can send / receive now; for hosts also its incarnation. */
export interface EndpointState {
  up(endpoint: string): boolean;
  incarnation(endpoint: string): number;
}

interface Impairment {
  extraDelayUs: number;
  lossRate: number;
  duplicateRate: number;
}

const ALL = '*';

export class Network {
  private readonly prng: Prng;
  private readonly partitioned = new Set<string>();
  /** When each scope was last cut: a message in flight across a cut is lost even if healed since. */
  private readonly lastCutUs = new Map<string, number>();
  private readonly impairments = new Map<string, Impairment>();
  /** `effective` per directed link (source, then target), until the impairments change. */
  private readonly effectiveByLink = new Map<string, Map<string, Readonly<Impairment>>>();
  /** `scopeKey(source, target)` per directed link, built once (every send looks it up). */
  private readonly pairKeys = new Map<string, Map<string, string>>();
  /** FIFO on reliable networks: last scheduled arrival per directed link, by source then target. */
  private readonly lastArrivalUs = new Map<string, Map<string, number>>();
  private messageId = 0;
  /** What `effective` returns while no impairment is set (most of every run): no allocation. */
  private readonly unimpaired: Readonly<Impairment>;
  /** Told of every delivered message that carries a tag (the FT VM it belongs to). */
  onDelivered: ((link: Link, label: string, tag: string, sentUs: number) => void) | null = null;

  constructor(
    readonly kind: NetworkKind,
    private readonly sim: Simulator,
    readonly params: LinkParams,
    private readonly endpoints: EndpointState,
  ) {
    assert(params.latencyUs >= 0 && Number.isInteger(params.latencyUs), 'latencyUs must be an integer ≥ 0');
    assert(params.jitterUs >= 0 && Number.isInteger(params.jitterUs), 'jitterUs must be an integer ≥ 0');
    assert(params.bandwidthBytesPerUs > 0, 'bandwidthBytesPerUs must be positive');
    this.prng = sim.prng(`network:${kind}`);
    this.unimpaired = Object.freeze({
      extraDelayUs: 0,
      lossRate: params.lossRate,
      duplicateRate: params.duplicateRate,
    });
  }

  get reliable(): boolean {
    return this.kind === 'logging' || this.kind === 'storage';
  }

  // --- faults ---------------------------------------------------------------------------------

  /** Cuts `a`–`b`, or every link of `a` when `b` is omitted. */
  partition(a: string, b?: string): void {
    this.partitioned.add(scopeKey(a, b));
    this.lastCutUs.set(scopeKey(a, b), this.sim.now);
  }

  /** Heals `a`–`b`; every link of `a` (and pairs involving it); or everything. */
  heal(a?: string, b?: string): void {
    if (a === undefined) this.partitioned.clear();
    else if (b !== undefined) this.partitioned.delete(scopeKey(a, b));
    else
      for (const key of [...this.partitioned]) if (key.split('|').includes(a)) this.partitioned.delete(key);
  }

  /** Sets an impairment for `a`–`b`, every link of `a`, or the whole network (no endpoints). */
  impair(change: Partial<Impairment>, a?: string, b?: string): void {
    const key = a === undefined ? ALL : scopeKey(a, b);
    const current = this.impairments.get(key) ?? { extraDelayUs: 0, lossRate: 0, duplicateRate: 0 };
    this.impairments.set(key, { ...current, ...change });
    this.effectiveByLink.clear();
  }

  /** Whether a cut touched the link at or after `sinceUs`. */
  private cutSince(link: Link, sinceUs: number): boolean {
    const lastCutUs = this.lastCutUs;
    if (lastCutUs.size === 0) return false;
    return (
      (lastCutUs.get(this.pairKey(link)) ?? -1) >= sinceUs ||
      (lastCutUs.get(link.source) ?? -1) >= sinceUs ||
      (lastCutUs.get(link.target) ?? -1) >= sinceUs
    );
  }

  isPartitioned(link: Link): boolean {
    if (this.partitioned.size === 0) return false;
    return (
      this.partitioned.has(this.pairKey(link)) ||
      this.partitioned.has(scopeKey(link.source)) ||
      this.partitioned.has(scopeKey(link.target))
    );
  }

  // --- predicates -----------------------------------------------------------------------------

  /** The link cannot carry anything now: partitioned or an endpoint down. No randomness. */
  isCut(link: Link): boolean {
    return this.isPartitioned(link) || !this.endpoints.up(link.source) || !this.endpoints.up(link.target);
  }

  /** The loss rate in force on a link (base rate or an impairment, whichever is higher). */
  lossRateOf(link: Link): number {
    return this.effective(link).lossRate;
  }

  /** The extra one-way delay in force on a link (a `delay` impairment). */
  extraDelayOf(link: Link): number {
    return this.effective(link).extraDelayUs;
  }

  shouldDrop(link: Link): boolean {
    return this.prng.chance(this.effective(link).lossRate);
  }

  shouldDuplicate(link: Link): boolean {
    return this.prng.chance(this.effective(link).duplicateRate);
  }

  /** One-way time for a message of `sizeBytes`: latency + impairment + jitter + serialisation. */
  transitUs(link: Link, sizeBytes: number): number {
    const jitter = this.params.jitterUs > 0 ? this.prng.nextInt(this.params.jitterUs + 1) : 0;
    const serialise = Math.ceil(sizeBytes / this.params.bandwidthBytesPerUs);
    return this.params.latencyUs + this.effective(link).extraDelayUs + jitter + serialise;
  }

  // --- sending --------------------------------------------------------------------------------

  /**
   * Sends a message; `deliver` runs at the target when (and if) it arrives. At trace detail
   * `messages` the trace records send / recv / drop / dup, the send with `info` (log positions,
   * request numbers: callers build it only at that level). Returns false when the message was
   * dropped at once.
   */
  send(
    link: Link,
    sizeBytes: number,
    label: string,
    deliver: () => void,
    info?: TraceDetail,
    tag?: string,
  ): boolean {
    const id = ++this.messageId;
    const trace = this.sim.trace;
    const traced = trace.detail >= TRACE_DETAIL_MESSAGES;
    if (traced) {
      const subject = `${link.source}>${link.target}`;
      trace.record(this.sim.now, 'send', subject, {
        net: this.kind,
        msg: label,
        id,
        bytes: sizeBytes,
        ...info,
      });
    }
    if (this.isCut(link)) {
      if (traced) this.traceDrop(link, id, this.cutReason(link));
      return false;
    }
    let transit = this.transitUs(link, sizeBytes);
    if (this.reliable) {
      const retransmits = this.countRetransmits(link);
      if (retransmits > RETRANSMITS_MAX) {
        if (traced) this.traceDrop(link, id, 'loss');
        return false;
      }
      transit += retransmits * (2 * this.params.latencyUs + 1);
      let fromSource = this.lastArrivalUs.get(link.source);
      if (fromSource === undefined) {
        fromSource = new Map();
        this.lastArrivalUs.set(link.source, fromSource);
      }
      const arrival = Math.max(this.sim.now + transit, fromSource.get(link.target) ?? 0);
      fromSource.set(link.target, arrival);
      this.scheduleArrival(link, arrival, id, this.tagged(link, label, tag, deliver));
      return true;
    }
    if (this.shouldDrop(link)) {
      if (traced) this.traceDrop(link, id, 'loss');
      return false;
    }
    const arrive = this.tagged(link, label, tag, deliver);
    this.scheduleArrival(link, this.sim.now + transit, id, arrive);
    if (this.shouldDuplicate(link)) {
      if (traced) trace.record(this.sim.now, 'dup', `${link.source}>${link.target}`, { net: this.kind, id });
      this.scheduleArrival(link, this.sim.now + this.transitUs(link, sizeBytes), id, arrive);
    }
    return true;
  }

  private traceDrop(link: Link, id: number, why: string): void {
    this.sim.trace.record(this.sim.now, 'drop', `${link.source}>${link.target}`, { net: this.kind, id, why });
  }

  /** `deliver`, reporting the arrival first when the message carries a tag. */
  private tagged(link: Link, label: string, tag: string | undefined, deliver: () => void): () => void {
    if (tag === undefined) return deliver;
    const sentUs = this.sim.now;
    return () => {
      this.onDelivered?.(link, label, tag, sentUs);
      deliver();
    };
  }

  private countRetransmits(link: Link): number {
    let retransmits = 0;
    while (retransmits <= RETRANSMITS_MAX && this.shouldDrop(link)) retransmits++;
    return retransmits;
  }

  private scheduleArrival(link: Link, atUs: number, id: number, deliver: () => void): void {
    const incarnation = this.endpoints.incarnation(link.target);
    const sentUs = this.sim.now;
    this.sim.at(atUs, () => {
      const traced = this.sim.trace.detail >= TRACE_DETAIL_MESSAGES;
      // A partition cuts messages in flight too; a rebooted target never sees its past messages.
      const cut = this.cutSince(link, sentUs);
      if (cut || !this.endpoints.up(link.target)) {
        if (traced) this.traceDrop(link, id, cut ? 'partition' : `${link.target}-down`);
        return;
      }
      if (this.endpoints.incarnation(link.target) !== incarnation) {
        if (traced) this.traceDrop(link, id, 'rebooted');
        return;
      }
      if (traced) {
        this.sim.trace.record(this.sim.now, 'recv', `${link.source}>${link.target}`, { net: this.kind, id });
      }
      deliver();
    });
  }

  private cutReason(link: Link): string {
    if (this.isPartitioned(link)) return 'partition';
    if (!this.endpoints.up(link.source)) return `${link.source}-down`;
    return `${link.target}-down`;
  }

  /** `scopeKey(link.source, link.target)`, without building the string again. */
  private pairKey(link: Link): string {
    let byTarget = this.pairKeys.get(link.source);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.pairKeys.set(link.source, byTarget);
    }
    let key = byTarget.get(link.target);
    if (key === undefined) {
      key = scopeKey(link.source, link.target);
      byTarget.set(link.target, key);
    }
    return key;
  }

  private effective(link: Link): Readonly<Impairment> {
    if (this.impairments.size === 0) return this.unimpaired;
    let byTarget = this.effectiveByLink.get(link.source);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.effectiveByLink.set(link.source, byTarget);
    }
    let result = byTarget.get(link.target);
    if (result === undefined) {
      result = this.combinedImpairment(link);
      byTarget.set(link.target, result);
    }
    return result;
  }

  /** The strongest of the impairments in force on `link` (whole network, either end, the pair). */
  private combinedImpairment(link: Link): Readonly<Impairment> {
    const result = {
      extraDelayUs: 0,
      lossRate: this.params.lossRate,
      duplicateRate: this.params.duplicateRate,
    };
    const keys = [ALL, scopeKey(link.source), scopeKey(link.target), this.pairKey(link)];
    for (const key of keys) {
      const impairment = this.impairments.get(key);
      if (impairment === undefined) continue;
      result.extraDelayUs = Math.max(result.extraDelayUs, impairment.extraDelayUs);
      result.lossRate = Math.max(result.lossRate, impairment.lossRate);
      result.duplicateRate = Math.max(result.duplicateRate, impairment.duplicateRate);
    }
    return Object.freeze(result);
  }
}

/** "a" for all links of a; "a|b" (sorted) for the pair. */
function scopeKey(a: string, b?: string): string {
  if (b === undefined) return a;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
