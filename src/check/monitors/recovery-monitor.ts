// I5 recovery: after a failure the service resumes within the failover bound (detection timeout
// plus go-live, stretched by the replay of a controlled lag) — a primary that lost its secondary
// goes on alone within the same bound — and redundancy is back within the
// re-protection bound whenever a spare host exists. Assumptions, explicit: resumption is only
// demanded while an engaged secondary that survived can reach storage (not cut, losing under half
// its messages; a storage delay stretches both bounds by the test-and-set round trips it costs);
// every new fault restarts the clocks (the bounds are per single failure); the
// re-protection clock runs only while a spare exists (a host with a working logging link whose
// round trip is under half the detection timeout); a guest that exited needs neither. Checked
// lazily on every observation and at the end, so the monitor never schedules anything.
import type { Cluster } from '../../cluster/cluster.ts';
import type { FtVm } from '../../cluster/ft-vm.ts';
import type { Link } from '../../cluster/network.ts';
import type { ClusterObserver, FaultTarget } from '../../cluster/observer.ts';
import { STORAGE_ENDPOINT } from '../../cluster/storage-path.ts';
import type { Fault } from '../../sim/fault-schedule.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { drainAllowanceUs, pairPositions } from './lag-allowance.ts';
import type { NetworkState } from './network-truth.ts';
import { describeStall } from './stall-diagnosis.ts';
import { storageBackoffUs } from './storage-backoff.ts';
import type { MonitorSink } from './violation.ts';

/** A storage path losing this share of messages or more counts as a failure of its own. */
export const IMPAIRED_LOSS_RATE = 0.5;

/** How often (simulated time) the clocks are looked at when nothing else calls them. */
const LOOK_EVERY_US = 10_000;

/** Retry pauses a delayed storage network may cost a go-live (one per timeout doubling). */
const LOCK_RETRIES_STRETCH = 7;

interface VmClock {
  /** The VM's name (the key it is kept under). */
  readonly name: string;
  /** Must be live again by then (null: nothing pending). */
  liveBy: number | null;
  /** The survivor's announced replay (as far as the lag allowance goes): a restarted clock keeps it. */
  drainUs: number;
  lostOn: string;
  /** Unprotected since (null: protected). */
  unprotectedSince: number | null;
  /** Whether a spare host existed at the last look (the re-protection clock ran since then). */
  spareSeen: boolean;
  /** The cluster's own word (its protection events); protected only while a pair is there in truth. */
  claimedProtected: boolean;
  /** After a failover the client address must reach the new primary by then. */
  addressBy: number | null;
  /** The host whose go-live set `addressBy`: a later go-live elsewhere sets its own deadline. */
  addressFor: string;
  /** A primary that lost its secondary must go on alone (or give way) by then (null: none pending). */
  aloneBy: number | null;
  aloneOn: string;
}

export class RecoveryMonitor implements ClusterObserver {
  private readonly clocks = new Map<string, VmClock>();
  private readonly reported = new Set<string>();
  private readonly toStorageLinks = new Map<string, Link>();
  private readonly fromStorageLinks = new Map<string, Link>();
  /**
   * "vm|host": when the secondary on `host` would have replayed, at its new speed, the backlog it
   * had when `host` was last slowed down.
   */
  private readonly slowedBacklogDoneUs = new Map<string, number>();
  private readonly slowFactors = new Map<string, number>();
  private lookedUs = 0;

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {
    for (const vm of cluster.vms) {
      if (vm.spec.ft)
        this.clocks.set(vm.name, {
          name: vm.name,
          liveBy: null,
          drainUs: 0,
          lostOn: '',
          unprotectedSince: 0,
          spareSeen: true,
          claimedProtected: false,
          addressBy: null,
          addressFor: '',
          aloneBy: null,
          aloneOn: '',
        });
    }
    // The interval up to a fault is judged on the environment it had (a spare that a repair
    // brings back did not exist before it).
    truth.onBeforeFault((timeUs) => this.check(timeUs));
  }

  fault(fault: Fault, timeUs: number, target: FaultTarget): void {
    if (fault.kind === 'slow') this.slowed(target.hosts[0], fault.factor);
    for (const clock of this.clocks.values()) {
      // A later fault restarts the address clock; it does not excuse it (a NIC repaired after the
      // go-live must see the address move).
      if (clock.addressBy !== null) clock.addressBy = timeUs + this.cluster.config.failoverBoundUs;
      if (clock.unprotectedSince !== null) clock.unprotectedSince = timeUs;
      // A replay already under way still has to finish: the restarted clock keeps its stretch.
      if (clock.liveBy !== null) clock.liveBy = timeUs + this.cluster.config.failoverBoundUs + clock.drainUs;
      if (clock.aloneBy !== null) clock.aloneBy = timeUs + this.cluster.config.failoverBoundUs;
    }
    for (const vm of this.cluster.vms) this.primaryFailedInTruth(vm, timeUs);
    // A fault that broke the pair starts the re-protection clock, whatever the cluster says.
    for (const [name, clock] of this.clocks) this.judgeProtection(name, clock, timeUs);
  }

  /**
   * The resumption clock starts from the environment's truth, not only from the implementation's
   * own `primaryLost`: a primary whose host went down or lost every storage path, with an engaged
   * secondary on a healthy host, must be replaced within the bound even if the implementation
   * never noticed its loss (the fault is heard before its effects: the primary is still known).
   */
  private primaryFailedInTruth(vm: FtVm, timeUs: number): void {
    const clock = this.clocks.get(vm.name);
    const primary = vm.primary();
    if (clock === undefined || clock.liveBy !== null || primary === null || vm.exited) return;
    const host = primary.host.name;
    if (this.truth.up(host) && this.truth.storagePaths(host) > 0) return;
    const survivor = vm.instances.some(
      (i) =>
        i !== primary &&
        i.isSecondary &&
        i.engaged &&
        i.generation >= 1 &&
        this.truth.up(i.host.name) &&
        this.truth.storagePaths(i.host.name) > 0,
    );
    if (!survivor) return;
    clock.liveBy = timeUs + this.cluster.config.failoverBoundUs;
    clock.drainUs = 0;
    clock.lostOn = host;
    clock.unprotectedSince ??= timeUs;
  }

  /**
   * A primary that declared its secondary failed claims the lock to go on alone: that is a
   * go-live too (the clients wait meanwhile), bound by the failover bound like a secondary's.
   */
  agentState(vm: string, host: string, from: string, to: string): void {
    const clock = this.clocks.get(vm);
    if (clock === undefined) return;
    // Every step of the protocol may make or take away a spare (a primary that acts, a slot): a
    // look at each keeps the re-protection clock exact however quiet the VM is.
    this.check(this.sink.now());
    if (from === 'primary.engaged' && to === 'primary.acquiringLock') {
      clock.aloneBy = this.sink.now() + this.cluster.config.failoverBoundUs;
      clock.aloneOn = host;
    } else if (from === 'primary.acquiringLock' && host === clock.aloneOn) {
      clock.aloneBy = null;
    }
  }

  primaryLost(vm: string, host: string, survivor: boolean): void {
    this.check(this.sink.now());
    const clock = this.clocks.get(vm);
    if (clock === undefined) return;
    if (clock.unprotectedSince === null) clock.unprotectedSince = this.sink.now();
    if (!survivor) return;
    clock.liveBy = this.sink.now() + this.cluster.config.failoverBoundUs;
    clock.drainUs = 0;
    clock.lostOn = host;
  }

  /**
   * Go-live time includes replaying the lag: the bound stretches by the replay time, as far as a
   * controlled lag allows (lag-allowance.ts) — an uncontrolled backlog excuses nothing.
   */
  replaying(vm: string, host: string, drainUs: number): void {
    const clock = this.clocks.get(vm);
    const allowanceUs =
      drainAllowanceUs(this.cluster.config, this.truth.slowFactor(host)) + this.owedUs(vm, host);
    if (clock === undefined || clock.liveBy === null) return;
    const stretchUs = Math.min(drainUs, allowanceUs);
    clock.liveBy += stretchUs;
    clock.drainUs += stretchUs;
  }

  /** A slowdown of `host` leaves every pair it is a secondary of a backlog measured at the old speed. */
  private slowed(host: string | undefined, factor: number): void {
    if (host === undefined) return;
    const before = this.slowFactors.get(host) ?? 1;
    this.slowFactors.set(host, factor);
    if (factor <= before) return;
    const instructionsPerUs = this.cluster.host(host).instructionsPerUs;
    for (const vm of this.cluster.vms) {
      const positions = pairPositions(vm.instances, host);
      if (positions === undefined) continue;
      // As far as a controlled lag goes at the old speed: an uncontrolled one excuses nothing.
      const controlled = (drainAllowanceUs(this.cluster.config, before) * instructionsPerUs) / before;
      const backlog = Math.min(controlled, Math.max(0, positions.primary - positions.secondary));
      const doneByUs = this.sink.now() + (backlog * factor) / instructionsPerUs;
      this.slowedBacklogDoneUs.set(`${vm.name}|${host}`, doneByUs);
    }
  }

  /**
   * What is left of the backlog the survivor had when it was last slowed down, replayed at the new
   * speed since: lag control had measured that backlog at the old speed, so no lag control could
   * have kept it under the high mark at the new one (what built up after the slowdown is the
   * allowance's).
   */
  private owedUs(vm: string, host: string): number {
    const doneByUs = this.slowedBacklogDoneUs.get(`${vm}|${host}`);
    return doneByUs === undefined ? 0 : Math.max(0, doneByUs - this.sink.now());
  }

  wentLive(vm: string, host: string, _produced: unknown, failover: boolean): void {
    this.check(this.sink.now());
    const clock = this.clocks.get(vm);
    if (clock === undefined) return;
    clock.liveBy = null;
    if (failover) {
      clock.addressBy = this.sink.now() + this.cluster.config.failoverBoundUs;
      clock.addressFor = host;
    }
  }

  protection(vm: string, isProtected: boolean): void {
    this.check(this.sink.now());
    const clock = this.clocks.get(vm);
    if (clock === undefined) return;
    if (isProtected) this.checkRacks(vm);
    if (isProtected) this.checkCapacity(vm);
    clock.claimedProtected = isProtected;
    this.judgeProtection(vm, clock, this.sink.now());
  }

  /**
   * Protected means what the cluster says *and* a pair that is there: the cluster's word alone
   * would let an implementation that counts a secondary it no longer ships to (a stale one of an
   * older stream, a spawn that never engaged, one whose host went down unnoticed) skip the
   * re-protection the VM needs.
   */
  private judgeProtection(vm: string, clock: VmClock, nowUs: number): void {
    const ftVm = this.cluster.vms.find((v) => v.name === vm);
    if (clock.claimedProtected && ftVm !== undefined && this.pairInTruth(ftVm)) clock.unprotectedSince = null;
    else clock.unprotectedSince ??= nowUs;
  }

  /**
   * A pair in truth: an acting primary on an up host ships its current log stream, and an
   * instance on another up host replays that very stream in lockstep (a VM restored from the
   * primary's snapshot, the stream's receiver).
   */
  private pairInTruth(vm: FtVm): boolean {
    const primary = vm.instances.find(
      (i) => i.acting && i.vm !== null && i.sender !== null && this.truth.up(i.host.name),
    );
    if (primary === undefined) return false;
    return vm.instances.some(
      (i) =>
        i !== primary &&
        i.host !== primary.host &&
        this.truth.up(i.host.name) &&
        i.agent.state === 'secondary.engaged' &&
        i.vm !== null &&
        i.receiver !== null &&
        i.streamId === primary.streamId,
    );
  }

  /** Placement: a secondary on the primary's own host is no redundancy, even as an attempt. */
  spawnRequested(vm: string, target: string, primaryHost: string): void {
    const why = this.misplaced(vm, target, primaryHost);
    if (why === null) return;
    this.once(`${vm}:placement:${this.sink.now()}`, {
      invariant: 'I5',
      vm,
      host: target,
      message: `the HA service placed the new secondary of ${vm} on ${target}, ${why}`,
    });
  }

  /** VMs with a running instance on the host (FT primaries, secondaries and plain VMs alike). */
  private runningOn(host: string): number {
    return this.cluster.vms.filter((v) => v.instanceOn(host).vm !== null).length;
  }

  /** Once a pair forms, no host runs more VMs than it has slots (whatever the order of placement). */
  private checkCapacity(vm: string): void {
    for (const host of this.cluster.hosts) {
      const running = this.runningOn(host.name);
      if (running <= host.cpuCapacity) continue;
      this.once(`${host.name}:capacity`, {
        invariant: 'I5',
        vm,
        host: host.name,
        message: `${host.name} runs ${running} VMs on its ${host.cpuCapacity} slots (over-committed when ${vm} was protected)`,
      });
    }
  }

  /**
   * The placement rules of the HA service (DESIGN.md "Respawn"), judged on the truth: a healthy
   * host (up, a working storage path) with a free slot, not the primary's host and not already
   * running this VM. Null when the placement keeps them.
   */
  private misplaced(vm: string, target: string, primaryHost: string): string | null {
    if (target === primaryHost) return "the primary's own host";
    if (!this.truth.up(target)) return 'a host that is down';
    if (this.truth.storagePaths(target) === 0) return 'a host with no working storage path';
    const host = this.cluster.host(target);
    // Full by the host's own count or by the VMs actually running there (a slot count that
    // drifts from what runs is no excuse for over-committing a host).
    const running = this.runningOn(target);
    if (host.freeSlots <= 0 || running >= host.cpuCapacity) {
      return `a host whose ${host.cpuCapacity} slots are all taken (${running} VMs running there)`;
    }
    const instance = this.cluster.vms.find((v) => v.name === vm)?.instanceOn(target);
    if (instance !== undefined && instance.vm !== null) return `a host already running ${vm}`;
    return null;
  }

  worldOutput(): void {
    this.check(this.sink.now());
  }

  /** A stalled guest emits nothing: time is looked at again on the cluster's own traffic. */
  messageDelivered(): void {
    const now = this.sink.now();
    if (now - this.lookedUs < LOOK_EVERY_US) return;
    this.check(now);
  }

  end(timeUs: number): void {
    this.check(timeUs);
  }

  private check(nowUs: number): void {
    this.lookedUs = nowUs;
    // values(), not entries: no [key, value] array per VM on every output.
    for (const clock of this.clocks.values()) {
      const name = clock.name;
      const vm = this.cluster.vms.find((v) => v.name === name)!;
      if (vm.exited) continue;
      // The primary's loss is a state, not only a fault's instant: a pair that formed around a
      // primary already without storage (or on a host gone down) owes its go-live from then on.
      this.primaryFailedInTruth(vm, nowUs);
      // The survivor may have died or lost its storage since (a second failure): then nothing
      // can resume, and the single-failure bound does not apply.
      if (clock.liveBy !== null && !this.hasSurvivor(vm)) clock.liveBy = null;
      // What a delayed storage network adds, taken once (nothing below changes the networks), and
      // only once a deadline without it has passed: this runs on every output.
      const due =
        (clock.liveBy !== null && nowUs > clock.liveBy) ||
        (clock.aloneBy !== null && nowUs > clock.aloneBy) ||
        (clock.unprotectedSince !== null &&
          nowUs > clock.unprotectedSince + this.cluster.config.reprotectBoundUs + clock.drainUs);
      const stretchUs = due ? this.storageStretchUs(vm) : 0;
      if (clock.liveBy !== null && nowUs > clock.liveBy + stretchUs) {
        this.once(`${name}:live:${clock.liveBy}`, {
          invariant: 'I5',
          vm: name,
          host: clock.lostOn,
          timeUs: clock.liveBy,
          message: `${name} had no live primary ${this.cluster.config.failoverBoundUs / 1000} ms after losing it on ${clock.lostOn} although an engaged secondary survived. At ${nowUs / 1000} ms: ${describeStall(vm)}`,
        });
      }
      if (clock.aloneBy !== null && nowUs > clock.aloneBy + stretchUs) this.checkAlone(vm, clock);
      if (clock.addressBy !== null && nowUs > clock.addressBy) this.checkAddress(vm, clock);
      this.judgeProtection(name, clock, nowUs);
      // Re-protection follows the go-live, so a delayed storage network stretches it as much, and
      // so does the survivor's replay of a controlled lag (as far as it stretched the go-live).
      const bound = this.cluster.config.reprotectBoundUs + stretchUs + clock.drainUs;
      // The re-protection clock only runs while a spare host exists: while none does (the other
      // host is down, or no primary acts yet), it restarts, so a spare that appears later (a
      // repair, the survivor's go-live) gets the full bound. A spare unseen at the last look may
      // have appeared at any time since: the clock starts now. Looks are not evenly spaced (a
      // stalled VM emits nothing): judging a spare seen now as there all along once reported a
      // go-live slowed by a lossy storage path as a re-protection 2 s late.
      const spare = this.spareExists(vm);
      if (clock.unprotectedSince !== null && (!spare || !clock.spareSeen)) clock.unprotectedSince = nowUs;
      clock.spareSeen = spare;
      if (clock.unprotectedSince !== null && nowUs > clock.unprotectedSince + bound) {
        this.once(`${name}:protect:${clock.unprotectedSince}`, {
          invariant: 'I5',
          vm: name,
          timeUs: clock.unprotectedSince + bound,
          message:
            `${name} was not protected again within ${bound / 1000} ms although a spare host exists` +
            (clock.claimedProtected
              ? ` (the cluster counted it protected, but no secondary on an up host was in lockstep on its primary's current log stream)`
              : '') +
            `. At ${nowUs / 1000} ms: ${describeStall(vm)}`,
        });
      }
    }
  }

  /**
   * Go-live includes test-and-set round trips, so a delayed storage network stretches the bound:
   * with the lock timeout doubling on every miss, the misses add up to less than two round
   * trips, plus the successful one, plus a retry pause per doubling. The pending disk requests
   * reissued at go-live are committed before the new primary acts (it goes live behind the disk,
   * never ahead of it), and they pay the same again.
   */
  private storageStretchUs(vm: FtVm): number {
    const storage = this.truth.networks.storage;
    const config = this.cluster.config;
    let delayUs = 0;
    let backoffUs = 0;
    for (const i of vm.instances) {
      if (!i.host.up || i.vm === null) continue;
      delayUs = Math.max(
        delayUs,
        storage.extraDelayOf(this.toStorage(i.host.name)),
        storage.extraDelayOf(this.fromStorage(i.host.name)),
      );
      // A test-and-set that backed off through an outage of this host's storage path.
      const silence = this.truth.storageSilence(i.host.name);
      backoffUs = Math.max(backoffUs, storageBackoffUs(config, silence, this.truth.lastFaultUs));
    }
    if (delayUs === 0) return backoffUs;
    const roundTripsUs = 3 * 2 * delayUs + LOCK_RETRIES_STRETCH * config.storageRetryUs;
    return 2 * roundTripsUs + backoffUs;
  }

  /** The link from `host` to the storage array (one object per host: checked per output). */
  private toStorage(host: string): Link {
    let link = this.toStorageLinks.get(host);
    if (link === undefined) {
      link = { source: host, target: STORAGE_ENDPOINT };
      this.toStorageLinks.set(host, link);
    }
    return link;
  }

  private fromStorage(host: string): Link {
    let link = this.fromStorageLinks.get(host);
    if (link === undefined) {
      link = { source: STORAGE_ENDPOINT, target: host };
      this.fromStorageLinks.set(host, link);
    }
    return link;
  }

  private hasSurvivor(vm: FtVm): boolean {
    const storage = this.truth.networks.storage;
    return vm.instances.some(
      (i) =>
        this.truth.up(i.host.name) &&
        i.vm !== null &&
        (i.isSecondary || i.isPrimary) &&
        i.generation >= 1 &&
        this.truth.storagePaths(i.host.name) > 0 &&
        !storage.isPartitioned(this.toStorage(i.host.name)) &&
        storage.lossRateOf(this.toStorage(i.host.name)) < IMPAIRED_LOSS_RATE,
    );
  }

  /** Clients reach the service only if its address moved to the new primary. */
  /** Demanded only while the primary's host is up and reaches storage (the lock lives there). */
  private checkAlone(vm: FtVm, clock: VmClock): void {
    const host = clock.aloneOn;
    const dueUs = clock.aloneBy!;
    clock.aloneBy = null;
    if (!this.truth.up(host) || !this.truth.storageReachable(host)) return;
    this.once(`${vm.name}:alone:${dueUs}`, {
      invariant: 'I5',
      vm: vm.name,
      host,
      timeUs: dueUs,
      message: `${host} declared its secondary of ${vm.name} failed and was still claiming the lock ${this.cluster.config.failoverBoundUs / 1000} ms later although it reaches storage: a primary that lost its secondary must go on alone (or give way) within the failover bound`,
    });
  }

  private checkAddress(vm: FtVm, clock: VmClock): void {
    const due = clock.addressBy!;
    clock.addressBy = null;
    const primary = vm.primary();
    const owner = this.cluster.addressOwner.get(vm.name);
    // Judged against the go-live that set the deadline: a newer primary (told to the monitors
    // before its own step moves the address) has a deadline of its own.
    if (primary === null || primary.host.name !== clock.addressFor || owner === primary.host.name) return;
    this.sink.report({
      invariant: 'I5',
      vm: vm.name,
      host: primary.host.name,
      timeUs: due,
      message: `${vm.name} went live on ${primary.host.name} but its client address still points at ${owner}: clients cannot reach the service`,
    });
  }

  /** With rack anti-affinity, redundancy inside one rack is no redundancy: one rack failure loses both. */
  private checkRacks(vmName: string): void {
    if (!this.cluster.config.rackAntiAffinity) return;
    const vm = this.cluster.vms.find((v) => v.name === vmName)!;
    const primary = vm.primary();
    // The primary's own peer: a stale secondary of an earlier pair (still waiting for the lock
    // on a host without storage, say) is not part of this protection.
    const peer = primary?.peer ?? null;
    const secondary = peer === null ? null : vm.instanceOn(peer);
    if (primary === null || secondary === null || primary.host.rack !== secondary.host.rack) return;
    this.sink.report({
      invariant: 'I5',
      vm: vmName,
      host: secondary.host.name,
      message: `${vmName} was re-protected with its secondary on ${secondary.host.name} in the primary's rack ${primary.host.rack} (rack anti-affinity is configured)`,
    });
  }

  /** A live primary and a host that could take its secondary under the placement rules. */
  private spareExists(vm: FtVm): boolean {
    const primary = vm.primary();
    if (primary === null) return false;
    if (!this.truth.loggingNic(primary.host.name)) return false;
    const rackAntiAffinity = this.cluster.config.rackAntiAffinity;
    // Pure predicates, cheapest first (this runs for every output while the VM is unprotected).
    // A free slot is judged on what runs there, not on the host's own count: a count that leaks
    // (a crash that never gives its slots back) must not excuse a spare left unused.
    for (const host of this.cluster.hosts) {
      if (host === primary.host || this.runningOn(host.name) >= host.cpuCapacity) continue;
      if (rackAntiAffinity && host.rack === primary.host.rack) continue;
      if (vm.instanceOn(host.name).vm !== null) continue;
      if (!this.truth.up(host.name) || this.truth.storagePaths(host.name) <= 0) continue;
      if (!this.truth.loggingNic(host.name)) continue;
      if (this.pairLinksUsable(primary.host.name, host.name)) return true;
    }
    return false;
  }

  /**
   * A pair can form and hold between the primary's host and the spare: on the logging and the
   * heartbeat network, no partition between them, under half their messages lost, and a round
   * trip well inside failure detection (FT runs on a low-latency logging network; the first
   * heartbeats of a new secondary must arrive before the detection timeout, or the pair breaks
   * as it forms).
   */
  private pairLinksUsable(primary: string, spare: string): boolean {
    const config = this.cluster.config;
    const detectionUs = Math.min(config.heartbeatTimeoutUs, config.loggingTimeoutUs);
    const there = { source: primary, target: spare };
    const back = { source: spare, target: primary };
    const usable = (network: NetworkState): boolean =>
      !network.isPartitioned(there) &&
      Math.max(network.lossRateOf(there), network.lossRateOf(back)) < IMPAIRED_LOSS_RATE &&
      network.extraDelayOf(there) + network.extraDelayOf(back) < detectionUs / 2;
    return usable(this.truth.networks.logging) && usable(this.truth.networks.heartbeat);
  }

  private once(key: string, violation: Parameters<MonitorSink['report']>[0]): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.sink.report(violation);
  }
}
