// I7 availability, as the clients see it: whenever the cluster permits service, every client
// request is answered within a stated bound. A silent stall — a primary that never declares its
// dead secondary, an Output Rule waiting forever, a survivor that cannot write its disk, a client
// address left on the wrong host — is a violation, reported with the first request that went
// unanswered, although no failover record looks wrong.
//
// "The cluster permits service" (environment, from EnvironmentTruth and the networks):
// - the VM's live primary runs on a host that is up, reaches storage (an HBA, no partition, under
//   50% loss) and reaches every client of the VM (a client NIC, no partition, no loss); or
// - a secondary holding the VM's state (engaged, or going live) runs on such a host and the
//   primary's host failed in a way FT detects: the host is down, or it lost every storage path;
// - or no instance has ever held the VM and the host it was powered on at is such a host (a VM
//   that never started owes its clients as much as one that stalled).
// Nor while a live host holding the VM is slowed more than a hundredfold: lag control then slows
// the pair below any client's patience, by design.
// A client-network partition or loss in front of a healthy primary is outside FT's failure model
// (the whitepaper's detector watches the hosts, not the clients' network): no demand then. Nor
// while an engaged pair's logging round trip is a quarter of the clients' retransmission timeout
// or more (or half the detection timeout): FT assumes a fast logging network, and the Output Rule
// makes every output wait a round trip (see loggingFast).
//
// The bound: each request's clock starts at the latest of its first transmission, the last fault
// and the moment service became permitted; it must be answered within the failover bound
// (detection + go-live) plus two client retransmission timeouts, stretched by the extra delay in
// force on the client and storage paths (four one-way trips), by the test-and-set retries a
// delayed storage network costs a survivor going live, by the guest's work on a slowed host, by
// four logging round trips of an engaged pair (the Output Rule's wait, twice per request), by
// the stall of a primary whose secondary was suddenly slowed, while the secondary replays what
// lag control let the primary run ahead, and by the backed-off storage timeout an outage of the
// server's storage path left in flight (storage-backoff.ts). The per-request parts (disk, work, Output Rule) count
// once per client of the VM: a request may queue behind one request of every other client.
import type { Cluster } from '../../cluster/cluster.ts';
import type { FtInstance } from '../../cluster/ft-instance.ts';
import type { FtVm } from '../../cluster/ft-vm.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { drainAllowanceUs } from './lag-allowance.ts';
import { describeStall } from './stall-diagnosis.ts';
import { storageBackoffUs } from './storage-backoff.ts';
import type { MonitorSink } from './violation.ts';

/** Guest instructions one request may take at most (kvstore ≈ 6k, ledger ≈ 9k per request). */
const REQUEST_INSTRUCTIONS_MAX = 50_000;
/** Retry pauses a delayed storage network may cost one request (one per timeout doubling). */
const STORAGE_RETRIES_STRETCH = 7;
/**
 * Past this slowdown of a host holding the VM, lag control slows the whole pair below any client's
 * patience by design (a 1000× slower secondary makes the primary 1000× slower): no demand then.
 */
export const SLOW_FACTOR_SERVICE_MAX = 100;
/** How often (simulated time) who-can-serve is recomputed even without a triggering event. */
const RECOMPUTE_EVERY_US = 10_000;
/** Disk reads a guest makes at boot before it can answer (kvstore: 256 sectors, 64 per read). */
export const BOOT_DISK_READS = 4;
/** Guest instructions before a guest can answer at all (kvstore ≈ 0.8M, ledger ≈ 16k). */
export const BOOT_INSTRUCTIONS_MAX = 1_000_000;

interface Server {
  host: string;
  /** 'power-on': the host the VM was powered on at, while no instance has ever held the VM. */
  role: 'primary' | 'secondary' | 'power-on';
}

interface VmWatch {
  /** The VM's name (the key it is kept under). */
  name: string;
  clients: string[];
  /** Since when service has been permitted (null: not now). */
  permittedSinceUs: number | null;
  server: Server | null;
  /** The answer bound in force (recomputed when the environment or the roles change). */
  boundUs: number;
  /** What the guest's boot adds while the VM has answered nothing yet (its disk reads and its work). */
  bootUs: number;
  /** The fault and the permitted stretch the bound was computed in (it only grows within them). */
  boundFaultUs: number;
  boundSinceUs: number | null;
}

export class AvailabilityMonitor implements ClusterObserver {
  private readonly watches = new Map<string, VmWatch>();
  private readonly reportedFor = new Set<string>();
  /** VMs some instance has held (a VM that never started still owes its clients from its power-on host). */
  private readonly started = new Set<string>();
  /** Per client (in cluster order), the requests already looked at for a give-up. */
  private readonly scannedTo: Int32Array;
  /**
   * A fault fired: its effects (partitions, impairments) are in place from the next observation.
   * Stale from the start: what the first observation finds has held since time 0 (a cluster where
   * nothing happens, a VM that never started, may first be observed at the end of the run).
   */
  private stale = true;
  /**
   * When the first fault since the last recompute fired. The environment changed then, not at the
   * next observation: in a quiet cluster (a lone primary, no peer, no client reaching it) the next
   * observation may be the end of the run, and service that became possible at the fault must be
   * judged from the fault.
   */
  private staleSinceUs = 0;
  private recomputedUs = 0;

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {
    this.scannedTo = new Int32Array(cluster.clients.length);
    for (const vm of cluster.vms) {
      if (!vm.spec.ft) continue;
      const clients = cluster.clients.filter((c) => c.vm === vm.name).map((c) => c.name);
      if (clients.length > 0)
        this.watches.set(vm.name, {
          name: vm.name,
          clients,
          permittedSinceUs: null,
          server: null,
          boundUs: 0,
          bootUs: 0,
          boundFaultUs: -1,
          boundSinceUs: null,
        });
    }
  }

  // The environment or the roles changed: who can serve, and the bound, are recomputed.
  fault(_fault: unknown, timeUs: number): void {
    if (!this.stale) this.staleSinceUs = timeUs;
    this.stale = true;
  }
  agentState(): void {
    this.refresh();
  }
  addressMoved(): void {
    this.refresh();
  }
  end(): void {
    this.refresh();
  }
  // Time passed: overdue requests are looked for.
  messageDelivered(): void {
    this.checkDue();
  }
  worldOutput(): void {
    this.checkDue();
  }

  private refresh(): void {
    this.recompute();
    this.checkDue();
  }

  private recompute(): void {
    const now = this.sink.now();
    // Roles change only with a recompute (agentState), so what holds now has held since the fault.
    const changedUs = this.stale ? this.staleSinceUs : now;
    this.stale = false;
    this.recomputedUs = now;
    // values(), not entries: no [key, value] array per watch on every delivered message.
    for (const watch of this.watches.values()) {
      const name = watch.name;
      const vm = this.vm(name);
      const server = vm.exited ? null : this.serverFor(vm, watch.clients);
      watch.server = server;
      if (server === null) {
        watch.permittedSinceUs = null;
        continue;
      }
      watch.permittedSinceUs ??= changedUs;
      // Within one permitted stretch after one fault the bound only grows: a survivor that went
      // live keeps the time its go-live was allowed (the lock's round trips, the drain), which the
      // new primary's own bound no longer lists.
      const bound = this.boundUs(vm, watch.clients, server);
      const boot =
        BOOT_DISK_READS * this.storageStretchUs(server.host) + this.workUs(vm, BOOT_INSTRUCTIONS_MAX);
      const same =
        watch.boundFaultUs === this.truth.lastFaultUs && watch.boundSinceUs === watch.permittedSinceUs;
      watch.boundUs = same ? Math.max(watch.boundUs, bound) : bound;
      watch.bootUs = same ? Math.max(watch.bootUs, boot) : boot;
      watch.boundFaultUs = this.truth.lastFaultUs;
      watch.boundSinceUs = watch.permittedSinceUs;
    }
  }

  private vm(name: string): FtVm {
    return this.cluster.vms.find((v) => v.name === name)!;
  }

  private checkDue(): void {
    const now = this.sink.now();
    // Who can serve also changes with state no observer hook reports (a secondary learning its
    // lock generation, say): looked at again every RECOMPUTE_EVERY_US of simulated time.
    if (this.stale || now - this.recomputedUs >= RECOMPUTE_EVERY_US) this.recompute();
    // values(), not entries: no [key, value] array per watch on every delivered message.
    for (const watch of this.watches.values()) {
      const name = watch.name;
      if (watch.server === null || watch.permittedSinceUs === null) continue;
      const clients = this.cluster.clients;
      for (let c = 0; c < clients.length; c++) {
        const client = clients[c]!;
        if (client.vm !== name) continue;
        this.lookForGiveUps(c, watch);
        const waiting = client.outstanding;
        if (waiting === null) continue;
        const startUs = Math.max(waiting.sentUs, this.truth.lastFaultUs, watch.permittedSinceUs);
        // A request sent before the VM's first answer waited for the guest's boot as well.
        const booting = waiting.sentUs <= this.firstAnswerUs(name);
        const dueUs = startUs + watch.boundUs + (booting ? watch.bootUs : 0);
        if (now > dueUs) this.overdue(name, watch.server, client.name, waiting, startUs, dueUs);
      }
    }
  }

  /**
   * A request its client gave up on is never answered: while the cluster has permitted service
   * ever since the request was first sent, that is a stall as much as a request still waiting
   * (the client retries for far longer than the answer bound, so a correct client gives up only
   * on a cluster that could not serve). Requests end in order, so a scan index per client suffices.
   */
  private lookForGiveUps(c: number, watch: VmWatch): void {
    const client = this.cluster.clients[c]!;
    const status = client.status;
    let k = this.scannedTo[c]!;
    for (; k < status.length; k++) {
      const state = status[k];
      if (state === 'unsent' || state === 'waiting') break;
      if (state !== 'gave-up') continue;
      const sentUs = client.firstSentUs[k]!;
      if (watch.server === null || watch.permittedSinceUs === null || watch.permittedSinceUs > sentUs)
        continue;
      const key = `${client.name}#${k}`;
      if (this.reportedFor.has(key)) continue;
      this.reportedFor.add(key);
      const now = this.sink.now();
      this.sink.report({
        invariant: 'I7',
        vm: watch.name,
        host: watch.server.host,
        timeUs: now,
        message: `${client.name} gave up on its request #${k} to ${watch.name} (first sent at ${ms(sentUs)}) by ${ms(now)} although ${watch.server.host} could serve it all along (service possible since ${ms(watch.permittedSinceUs)}): a request the cluster could serve was never answered. At ${ms(now)}: ${describeStall(this.vm(watch.name))}`,
      });
    }
    this.scannedTo[c] = k;
  }

  /** When the VM first answered any client (each client's first answer is to its request #0). */
  private firstAnswerUs(vm: string): number {
    let first = Number.POSITIVE_INFINITY;
    for (const client of this.cluster.clients) {
      const at = client.vm === vm ? client.answeredAtUs[0] : undefined;
      if (at !== undefined && at >= 0 && at < first) first = at;
    }
    return first;
  }

  private overdue(
    vm: string,
    server: Server,
    client: string,
    waiting: { index: number; sentUs: number },
    startUs: number,
    dueUs: number,
  ): void {
    const key = `${client}#${waiting.index}`;
    if (this.reportedFor.has(key)) return;
    this.reportedFor.add(key);
    this.sink.report({
      invariant: 'I7',
      vm,
      host: server.host,
      timeUs: dueUs,
      message: `${client}'s request #${waiting.index} to ${vm} (first sent at ${ms(waiting.sentUs)}) was still unanswered at ${ms(dueUs)}, ${ms(dueUs - startUs)} after service was possible, although ${server.host} could serve it (up, a storage path, reachable by the clients, ${server.role === 'power-on' ? `the host ${vm} was powered on at, where it never started` : `holding ${vm}'s state as its ${server.role}`}). At ${ms(this.sink.now())}: ${describeStall(this.vm(vm))}`,
    });
  }

  /** A host that could serve the VM now, under the rule in the header; null when none. */
  private serverFor(vm: FtVm, clients: readonly string[]): Server | null {
    // Loops, not filter/some/find with closures: this runs every RECOMPUTE_EVERY_US of every run.
    for (const i of vm.instances) {
      if (i.vm !== null) this.started.add(vm.name);
      if (i.vm === null || !this.truth.up(i.host.name)) continue;
      if (this.truth.slowFactor(i.host.name) > SLOW_FACTOR_SERVICE_MAX) return null;
    }
    // Powered on at a host that can serve, yet no instance ever held the VM: the service was owed
    // from power-on (an agent that ignores POWER_ON is a VM that never starts, not an idle one).
    if (!this.started.has(vm.name)) {
      const host = vm.spec.primaryHost;
      return this.capable(host, clients) ? { host, role: 'power-on' } : null;
    }
    let primary: FtInstance | undefined;
    for (const i of vm.instances) {
      if (i.vm !== null && i.agent.hasTag('acting') && this.truth.up(i.host.name)) {
        primary = i;
        break;
      }
    }
    if (primary !== undefined) {
      if (!this.loggingFast(primary)) return null;
      if (this.capable(primary.host.name, clients)) return { host: primary.host.name, role: 'primary' };
      // A failure FT does not detect (a client or storage partition in front of a healthy host).
      if (this.truth.storagePaths(primary.host.name) > 0) return null;
    }
    const survivor = vm.instances.find(
      (i) =>
        i.vm !== null &&
        i.generation >= 1 &&
        (i.agent.state === 'secondary.engaged' || i.agent.state.startsWith('secondary.goingLive')) &&
        this.capable(i.host.name, clients),
    );
    return survivor === undefined ? null : { host: survivor.host.name, role: 'secondary' };
  }

  private capable(host: string, clients: readonly string[]): boolean {
    return this.truth.up(host) && this.truth.storageReachable(host) && this.truth.clientsReach(host, clients);
  }

  /**
   * An engaged primary releases each output one logging round trip after producing it (the
   * Output Rule). FT assumes a logging network fast enough for that to be small (sub-millisecond
   * in the whitepaper): a round trip under half the detection timeout, as for a spare in I5.
   */
  private loggingFast(primary: FtInstance): boolean {
    return this.loggingRoundTripUs(primary) < this.detectionTimeoutUs() / 2;
  }

  private loggingRoundTripUs(primary: FtInstance): number {
    const peer = primary.peer;
    if (primary.agent.state !== 'primary.engaged' || peer === null) return 0;
    return this.oneWayUs(primary.host.name, peer) + this.oneWayUs(peer, primary.host.name);
  }

  private oneWayUs(source: string, target: string): number {
    const { latencyUs, jitterUs } = this.cluster.networks.logging.params;
    return latencyUs + jitterUs + this.truth.networks.logging.extraDelayOf({ source, target });
  }

  private detectionTimeoutUs(): number {
    return Math.min(this.cluster.config.heartbeatTimeoutUs, this.cluster.config.loggingTimeoutUs);
  }

  /**
   * What a delayed storage network adds to one disk request from `host`: up to two round trips of
   * timeouts before its backoff lets a reply in, and a retry pause per doubling (a survivor going
   * live pays the same for its test-and-set).
   */
  private storageStretchUs(host: string): number {
    const delayUs = this.truth.storageDelayUs(host);
    if (delayUs === 0) return 0;
    return 8 * delayUs + STORAGE_RETRIES_STRETCH * this.cluster.config.storageRetryUs;
  }

  /**
   * How long the guest takes for `instructions` at the pace of its slowest holder (lag control
   * keeps an engaged primary to its secondary's speed).
   */
  private workUs(vm: FtVm, instructions: number): number {
    let slowest = 1;
    for (const i of vm.instances)
      if (i.vm !== null) slowest = Math.max(slowest, this.truth.slowFactor(i.host.name));
    return Math.ceil((instructions * slowest) / this.cluster.config.instructionsPerUs);
  }

  /** The answer bound for the VM served from `server`, with the stretches the header lists. */
  private boundUs(vm: FtVm, clients: readonly string[], server: Server): number {
    const config = this.cluster.config;
    // The VM's clients: their longest retransmission wait, and how many there are.
    let retransmitUs = Number.NEGATIVE_INFINITY;
    let clientCount = 0;
    for (const c of this.cluster.clients) {
      if (c.vm !== vm.name) continue;
      retransmitUs = Math.max(retransmitUs, c.timeoutMaxUs);
      clientCount++;
    }
    const clientDelayUs = this.truth.clientDelayUs(server.host, clients);
    const storageUs = this.storageStretchUs(server.host);
    // Its first disk request or test-and-set after a storage outage may wait out a backed-off timeout.
    const backoffUs = storageBackoffUs(
      config,
      this.truth.storageSilence(server.host),
      this.truth.lastFaultUs,
    );
    // A survivor going live also replays its backlog, as far as a controlled lag allows.
    const goLiveUs =
      server.role === 'secondary'
        ? storageUs + drainAllowanceUs(config, this.truth.slowFactor(server.host))
        : 0;
    const workUs = this.workUs(vm, REQUEST_INSTRUCTIONS_MAX);
    const primary = vm.instances.find((i) => i.vm !== null && i.agent.state === 'primary.engaged');
    const outputRuleUs = primary === undefined ? 0 : 4 * this.loggingRoundTripUs(primary);
    // An engaged primary whose secondary was suddenly slowed stops until the secondary has replayed
    // what it ran ahead while lag control reacted (lag-allowance.ts): a pause lag control allows.
    const peer = primary?.peer ?? null;
    const secondarySlow = peer === null ? 1 : this.truth.slowFactor(peer);
    const lagStallUs = secondarySlow > 1 ? drainAllowanceUs(config, secondarySlow) : 0;
    // The guest serves one request at a time and each client has at most one outstanding: a
    // request may queue behind one of every other client's, each paying its disk, work and wait.
    const queued = Math.max(1, clientCount);
    return (
      config.failoverBoundUs +
      2 * retransmitUs +
      4 * clientDelayUs +
      queued * (storageUs + workUs + outputRuleUs) +
      goLiveUs +
      lagStallUs +
      backoffUs
    );
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
