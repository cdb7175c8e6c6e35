// The networks as the fault schedule made them: which links are cut and which delay, loss and
// duplication are in force, kept from the faults themselves, as EnvironmentTruth keeps the hosts.
// The monitors judge the cluster against this, never against the simulated network's own
// bookkeeping: a network that kept an impairment after the schedule lifted it (fault hunt 13: a
// per-link cache never cleared) must not be able to excuse itself by reporting what it does.
// The rules are the schedule's: a cut of a pair, of every link of a host, or (storage) of a host's
// path to the array; a heal of a pair, of every link of a host, or of everything; an impairment of
// a pair, a host's links or the whole network, the strongest in force on a link winning, never
// below the network's configured base rates.
import type { LinkParams } from '../../cluster/network.ts';
import { STORAGE_ENDPOINT } from '../../cluster/storage-path.ts';
import type { NetworkKind } from '../../sim/fault-schedule.ts';

export interface NetworkLink {
  source: string;
  target: string;
}

interface Impairment {
  extraDelayUs: number;
  lossRate: number;
  duplicateRate: number;
}

const ALL = '*';

const scopeKey = (a: string, b?: string) => (b === undefined ? a : a < b ? `${a}|${b}` : `${b}|${a}`);

/** One network's cuts and impairments. */
export class NetworkState {
  private readonly cuts = new Set<string>();
  private readonly impairments = new Map<string, Impairment>();
  /** The strongest impairment per directed link (source, then target), until the next change. */
  private readonly strongestByLink = new Map<string, Map<string, Impairment>>();

  constructor(
    readonly kind: NetworkKind,
    private readonly base: LinkParams,
  ) {}

  cut(host: string | undefined, between: readonly [string, string] | undefined): void {
    if (this.kind === 'storage') {
      for (const name of host !== undefined ? [host] : between!)
        this.cuts.add(scopeKey(name, STORAGE_ENDPOINT));
    } else if (between !== undefined) this.cuts.add(scopeKey(between[0], between[1]));
    else this.cuts.add(scopeKey(host!));
  }

  heal(host: string | undefined, between: readonly [string, string] | undefined): void {
    if (this.kind === 'storage' && (host !== undefined || between !== undefined)) {
      for (const name of host !== undefined ? [host] : between!)
        this.cuts.delete(scopeKey(name, STORAGE_ENDPOINT));
    } else if (between !== undefined) this.cuts.delete(scopeKey(between[0], between[1]));
    else if (host === undefined) this.cuts.clear();
    else for (const key of [...this.cuts]) if (key.split('|').includes(host)) this.cuts.delete(key);
  }

  impair(
    change: Partial<Impairment>,
    host: string | undefined,
    between: readonly [string, string] | undefined,
  ): void {
    const key = between !== undefined ? scopeKey(between[0], between[1]) : host === undefined ? ALL : host;
    const current = this.impairments.get(key) ?? { extraDelayUs: 0, lossRate: 0, duplicateRate: 0 };
    this.impairments.set(key, { ...current, ...change });
    this.strongestByLink.clear();
  }

  isPartitioned(link: NetworkLink): boolean {
    if (this.cuts.size === 0) return false;
    return (
      this.cuts.has(scopeKey(link.source, link.target)) ||
      this.cuts.has(link.source) ||
      this.cuts.has(link.target)
    );
  }

  lossRateOf(link: NetworkLink): number {
    return this.impairments.size === 0 ? this.base.lossRate : this.strongest(link).lossRate;
  }

  extraDelayOf(link: NetworkLink): number {
    return this.impairments.size === 0 ? 0 : this.strongest(link).extraDelayUs;
  }

  /** The strongest of the impairments in force on `link`, never below the base rates (cached: monitors ask often). */
  private strongest(link: NetworkLink): Impairment {
    let byTarget = this.strongestByLink.get(link.source);
    if (byTarget === undefined) {
      byTarget = new Map();
      this.strongestByLink.set(link.source, byTarget);
    }
    let result = byTarget.get(link.target);
    if (result === undefined) {
      result = { extraDelayUs: 0, lossRate: this.base.lossRate, duplicateRate: this.base.duplicateRate };
      for (const key of [ALL, link.source, link.target, scopeKey(link.source, link.target)]) {
        const impairment = this.impairments.get(key);
        if (impairment === undefined) continue;
        result.extraDelayUs = Math.max(result.extraDelayUs, impairment.extraDelayUs);
        result.lossRate = Math.max(result.lossRate, impairment.lossRate);
        result.duplicateRate = Math.max(result.duplicateRate, impairment.duplicateRate);
      }
      byTarget.set(link.target, result);
    }
    return result;
  }
}
