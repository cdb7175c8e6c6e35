// What the environment really is, as the fault schedule made it: which hosts are up and which of
// their components (HBAs, client NICs, logging NIC) work. The monitors judge the FT implementation
// against this, never against the implementation's own view of its hardware — a bug in how a host
// counts its storage paths must not be able to excuse itself. The networks likewise (cuts, delay,
// loss: network-truth.ts), kept from the faults rather than read from the simulated network.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver, FaultTarget } from '../../cluster/observer.ts';
import { STORAGE_ENDPOINT } from '../../cluster/storage-path.ts';
import { type Fault, NETWORK_KINDS, type NetworkKind } from '../../sim/fault-schedule.ts';
import { NetworkState } from './network-truth.ts';

interface HostTruth {
  readonly rack: string;
  up: boolean;
  /** Working HBAs (storage paths) and client NICs, of two each; the one logging NIC. */
  hbas: [boolean, boolean];
  clientNics: [boolean, boolean];
  loggingNic: boolean;
  slowFactor: number;
  /** When the host last went down (−1: never). */
  downAtUs: number;
  /** Since when its storage requests go unanswered (−1: they do not now). */
  storageSilentSinceUs: number;
  /** The last stretch in which they went unanswered that has ended (null: none). */
  storageSilence: StorageSilence | null;
}

/** A stretch of simulated time in which a running host's storage requests went unanswered. */
export interface StorageSilence {
  fromUs: number;
  toUs: number;
}

/** A storage path losing this share of its messages or more cannot be relied on for service. */
export const STORAGE_LOSS_SERVICE_MAX = 0.5;

export class EnvironmentTruth implements ClusterObserver {
  private readonly hosts = new Map<string, HostTruth>();
  /** Each network's cuts and impairments, as the schedule set them. */
  readonly networks: Record<NetworkKind, NetworkState>;
  /** When the last fault of the schedule fired (−1: none yet). */
  lastFaultUs = -1;
  /**
   * Judges that must see the environment as it was up to a fault (the quiet interval before it)
   * run here, before the fault changes it: a repair must not make a spare appear in hindsight.
   */
  private readonly beforeFault: ((timeUs: number) => void)[] = [];

  constructor(cluster: Cluster) {
    this.networks = Object.fromEntries(
      NETWORK_KINDS.map((kind) => [kind, new NetworkState(kind, cluster.networks[kind].params)]),
    ) as Record<NetworkKind, NetworkState>;
    for (const host of cluster.hosts) {
      this.hosts.set(host.name, {
        rack: host.rack,
        up: true,
        hbas: [true, true],
        clientNics: [true, true],
        loggingNic: true,
        slowFactor: 1,
        downAtUs: -1,
        storageSilentSinceUs: -1,
        storageSilence: null,
      });
    }
  }

  onBeforeFault(judge: (timeUs: number) => void): void {
    this.beforeFault.push(judge);
  }

  fault(fault: Fault, timeUs: number, target: FaultTarget): void {
    for (const judge of this.beforeFault) judge(timeUs);
    // The networks as the previous fault left them: a cut and its heal between two queries of
    // storageSilence is still seen.
    for (const name of this.hosts.keys()) this.noteStorageSilence(name);
    this.lastFaultUs = timeUs;
    const host = target.host === undefined ? undefined : this.hosts.get(target.host);
    switch (fault.kind) {
      case 'crash':
      case 'power-off-rack':
        for (const name of target.hosts) this.down(name, timeUs);
        return;
      case 'repair':
        if (host !== undefined) this.repair(host);
        return;
      case 'hba-fail':
        if (host !== undefined) failPaths(host.hbas, fault.path);
        return;
      case 'nic-fail':
        if (host === undefined) return;
        if (fault.network === 'logging') host.loggingNic = false;
        else failPaths(host.clientNics, fault.path);
        return;
      case 'slow':
        if (host !== undefined) host.slowFactor = fault.factor;
        return;
      case 'partition':
        this.networks[fault.network].cut(target.host, target.between);
        return;
      case 'heal':
        this.networks[fault.network].heal(target.host, target.between);
        return;
      case 'delay':
        this.networks[fault.network].impair(
          { extraDelayUs: Math.round(fault.ms * 1000) },
          target.host,
          target.between,
        );
        return;
      case 'loss':
        this.networks[fault.network].impair({ lossRate: fault.rate }, target.host, target.between);
        return;
      case 'duplicate':
        this.networks[fault.network].impair({ duplicateRate: fault.rate }, target.host, target.between);
        return;
      default:
        return;
    }
  }

  private down(name: string, timeUs: number): void {
    const host = this.hosts.get(name);
    if (host === undefined || !host.up) return;
    host.up = false;
    host.downAtUs = timeUs;
    // A host that went down starts its retries afresh when it comes back.
    host.storageSilentSinceUs = -1;
    host.storageSilence = null;
  }

  /**
   * The last stretch in which `name`'s storage requests went unanswered — a cut of its path to
   * the array, or half its messages lost — and that has ended; null when there was none since it
   * last came up, or while one still lasts (no service is demanded through a silent path then).
   * Networks change only at faults, so a stretch starts and ends at fault times.
   */
  storageSilence(name: string): StorageSilence | null {
    this.noteStorageSilence(name);
    const host = this.host(name);
    return host.storageSilentSinceUs >= 0 ? null : host.storageSilence;
  }

  private noteStorageSilence(name: string): void {
    const host = this.host(name);
    const silent = host.up && this.storageSilentNow(name);
    if (silent && host.storageSilentSinceUs < 0) host.storageSilentSinceUs = this.lastFaultUs;
    else if (!silent && host.storageSilentSinceUs >= 0) {
      host.storageSilence = { fromUs: host.storageSilentSinceUs, toUs: this.lastFaultUs };
      host.storageSilentSinceUs = -1;
    }
  }

  /** Requests on the host's storage network time out: cut either way, or half its messages lost. */
  private storageSilentNow(name: string): boolean {
    const storage = this.networks.storage;
    const out = { source: name, target: STORAGE_ENDPOINT };
    const back = { source: STORAGE_ENDPOINT, target: name };
    return (
      storage.isPartitioned(out) ||
      storage.isPartitioned(back) ||
      Math.max(storage.lossRateOf(out), storage.lossRateOf(back)) >= STORAGE_LOSS_SERVICE_MAX
    );
  }

  /** A repaired host comes back whole: every component works again, at full speed. */
  private repair(host: HostTruth): void {
    host.up = true;
    host.hbas = [true, true];
    host.clientNics = [true, true];
    host.loggingNic = true;
    host.slowFactor = 1;
  }

  private host(name: string): HostTruth {
    const host = this.hosts.get(name);
    if (host === undefined) throw new Error(`environment truth: no host ${name}`);
    return host;
  }

  up(name: string): boolean {
    return this.host(name).up;
  }

  downAtUs(name: string): number {
    return this.host(name).downAtUs;
  }

  /** Working HBAs of a running host (0 when it is down). */
  storagePaths(name: string): number {
    const host = this.host(name);
    return host.up ? host.hbas.filter(Boolean).length : 0;
  }

  /** Working client NICs of a running host (0 when it is down). */
  clientNics(name: string): number {
    const host = this.host(name);
    return host.up ? host.clientNics.filter(Boolean).length : 0;
  }

  loggingNic(name: string): boolean {
    const host = this.host(name);
    return host.up && host.loggingNic;
  }

  slowFactor(name: string): number {
    return this.host(name).slowFactor;
  }

  /** The host reaches the storage array: an HBA, no storage partition, a usable loss rate. */
  storageReachable(name: string): boolean {
    if (this.storagePaths(name) === 0) return false;
    const storage = this.networks.storage;
    const out = { source: name, target: STORAGE_ENDPOINT };
    const back = { source: STORAGE_ENDPOINT, target: name };
    return (
      !storage.isPartitioned(out) &&
      Math.max(storage.lossRateOf(out), storage.lossRateOf(back)) < STORAGE_LOSS_SERVICE_MAX
    );
  }

  /** Every named client reaches the host and back: a client NIC, no partition, no loss. */
  clientsReach(name: string, clients: readonly string[]): boolean {
    if (this.clientNics(name) === 0) return false;
    const network = this.networks.client;
    return clients.every((client) => {
      const out = { source: client, target: name };
      const back = { source: name, target: client };
      return !network.isPartitioned(out) && network.lossRateOf(out) === 0 && network.lossRateOf(back) === 0;
    });
  }

  /** One-way extra delay in force between the host and its clients (the worst of them). */
  clientDelayUs(name: string, clients: readonly string[]): number {
    const network = this.networks.client;
    let delay = 0;
    for (const c of clients) {
      delay = Math.max(
        delay,
        network.extraDelayOf({ source: c, target: name }),
        network.extraDelayOf({ source: name, target: c }),
      );
    }
    return delay;
  }

  /** One-way extra delay in force between the host and the storage array. */
  storageDelayUs(name: string): number {
    const storage = this.networks.storage;
    return Math.max(
      storage.extraDelayOf({ source: name, target: STORAGE_ENDPOINT }),
      storage.extraDelayOf({ source: STORAGE_ENDPOINT, target: name }),
    );
  }
}

function failPaths(paths: [boolean, boolean], path: 0 | 1 | 'all'): void {
  if (path === 'all') paths.fill(false);
  else paths[path] = false;
}
