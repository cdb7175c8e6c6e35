// I8 proportionate response: FT reacts to real failures only, and only as far as they go. Judged
// against what really happened, never against the implementation's own bookkeeping:
// - an agent declares its peer failed (PEER_SILENT) only after it really heard nothing from that
//   peer for the detection timeout — measured on the messages of this VM actually delivered to it
//   on the heartbeat network or the logging network (so loss, delay or a slow VM that leave the
//   traffic flowing never justify a failover, and a partition or a crash does) — and only when
//   something in the environment explains the silence: a healthy peer whose heartbeats simply were
//   never sent (or never let through by the implementation) is no failure either;
// - an instance halts only when it lost the lock race (LOCK_DENIED) or every storage path of its
//   host really failed (STORAGE_LOST) while an engaged secondary could take over: a primary
//   without one (alone, or still acquiring the lock) holds the VM's only copy, and halting it
//   turns a transient outage into a lost VM where waiting for storage would keep it; an instance
//   leaves lockstep only on those or a detected failure;
// - a repaired host never acts as primary again: only the first power-on and a failover from a
//   secondary make a primary, and the client address only ever moves to the newest live primary;
// - the HA service never spawns a secondary while the pair is engaged (nothing to re-protect), nor
//   a second one while a secondary it spawned is still syncing on a live host (one spawn at a time).
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver, FaultTarget } from '../../cluster/observer.ts';
import type { Fault } from '../../sim/fault-schedule.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { ENGAGED_STATES, type PeerNetwork, type PeerTraffic } from './peer-traffic.ts';
import type { MonitorSink } from './violation.ts';

/** Events on which an engaged instance may legitimately leave lockstep. */
const LEAVE_ENGAGED_EVENTS = new Set(['PEER_SILENT', 'STORAGE_LOST', 'CRASH']);

/**
 * Whether a fault can keep a pair's heartbeats or log stream from arriving, by the environment's
 * rules: heartbeats leave by any working NIC (logging or client) and the log by the logging NIC.
 * The client network and client NICs, the storage network and HBAs carry neither: their faults
 * explain no silence (a host that acts on them — a primary that halts without storage — is
 * excused by its own state change).
 */
function canSilencePeers(fault: Fault): boolean {
  if (fault.kind === 'hba-fail') return false;
  if (fault.kind === 'nic-fail') return (fault.network ?? 'client') === 'logging';
  const network = 'network' in fault ? fault.network : undefined;
  return network !== 'client' && network !== 'storage';
}

export class ProportionMonitor implements ClusterObserver {
  /** VMs that were powered on (the one legitimate primary that is not a failover). */
  private readonly poweredOn = new Set<string>();
  /** The host of each VM's newest live primary. */
  private readonly liveOn = new Map<string, string>();
  /** When a fault last struck each host (the host itself, a link of it, its rack). */
  private readonly hostFaultUs = new Map<string, number>();
  /** When a fault last struck the heartbeat or logging network as a whole (or anything healed). */
  private peerNetworksFaultUs = Number.NEGATIVE_INFINITY;
  /** When each instance ("vm|host") last left lockstep (an engaged state for one that is not). */
  private readonly stateChangedUs = new Map<string, number>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
    private readonly traffic: PeerTraffic,
  ) {}

  fault(fault: Fault, timeUs: number, target: FaultTarget): void {
    if (!canSilencePeers(fault)) return;
    const struck = [...target.hosts, ...(target.between ?? [])];
    if (target.host !== undefined) struck.push(target.host);
    for (const host of struck) this.hostFaultUs.set(host, timeUs);
    const network = 'network' in fault ? fault.network : undefined;
    const wide = target.host === undefined && target.between === undefined;
    if (wide && (fault.kind === 'heal' || network === 'heartbeat' || network === 'logging')) {
      this.peerNetworksFaultUs = timeUs;
    }
  }

  agentState(vm: string, host: string, from: string, to: string, event: string): void {
    // Leaving lockstep stops an instance's heartbeats; coming into it (a new secondary, a
    // primary that paired) starts them, and the silence is measured from the pairing anyway.
    if (ENGAGED_STATES.has(from) && !ENGAGED_STATES.has(to))
      this.stateChangedUs.set(`${vm}|${host}`, this.sink.now());
    if (ENGAGED_STATES.has(from)) this.leftLockstep(vm, host, from, to, event);
    if (to === 'halted') this.halted(vm, host, from, event);
    if (to === 'primary.alone') this.becamePrimary(vm, host, from, event);
  }

  private leftLockstep(vm: string, host: string, from: string, to: string, event: string) {
    if (!LEAVE_ENGAGED_EVENTS.has(event)) {
      this.report(
        vm,
        host,
        `${host} left lockstep of ${vm} (${from} → ${to}) on ${event}, which is no failure`,
      );
      return;
    }
    if (event === 'PEER_SILENT') this.checkSilence(vm, host, from);
  }

  /**
   * The peer must really have been silent for the timeout on heartbeats or on the logging
   * channel: silent since its last message of this VM delivered here, or since the pair began
   * (the secondary started syncing) if none arrived.
   */
  private checkSilence(vm: string, host: string, from: string): void {
    const config = this.cluster.config;
    const now = this.sink.now();
    const peer = this.peerOf(vm, host);
    const secondary = from.startsWith('secondary.') ? host : peer;
    const pairedSinceUs = this.traffic.pairedSinceUs(vm, secondary);
    const silence = (network: PeerNetwork) => {
      let last = pairedSinceUs;
      for (const source of peer === null ? this.cluster.hosts.map((h) => h.name) : [peer]) {
        if (source !== host)
          last = Math.max(last, this.traffic.lastHeardUs(vm, network, source, host, pairedSinceUs));
      }
      return now - last;
    };
    const heartbeatSilence = silence('heartbeat');
    const loggingSilence = silence('logging');
    if (heartbeatSilence >= config.heartbeatTimeoutUs || loggingSilence >= config.loggingTimeoutUs) {
      if (peer !== null) this.checkCause(vm, host, from, peer, heartbeatSilence, loggingSilence);
      return;
    }
    const who = peer ?? 'its peer';
    this.report(
      vm,
      host,
      `${host} (${from}) declared ${who} failed although it had heard from it ${ms(heartbeatSilence)} ago on the heartbeat network and ${ms(loggingSilence)} ago on the logging channel (timeouts ${ms(config.heartbeatTimeoutUs)} / ${ms(config.loggingTimeoutUs)})`,
    );
  }

  /**
   * A real silence needs a cause in the environment within the last two detection timeouts: the
   * peer went down, a fault struck either host or one of their links (or the heartbeat or logging
   * network as a whole, or a heal), the peer's agent was out of lockstep (a peer that leaves it
   * stops its heartbeats), or something is in force now that can keep messages from arriving —
   * a cut, loss or delay on the pair's heartbeat or logging links, a failed logging NIC, a slowed
   * host. Without any of these the peer was healthy and reachable, and its silence is the
   * implementation's own doing: a failover of a healthy pair.
   */
  private checkCause(
    vm: string,
    host: string,
    from: string,
    peer: string,
    heartbeatSilenceUs: number,
    loggingSilenceUs: number,
  ): void {
    const config = this.cluster.config;
    const now = this.sink.now();
    const since = now - 2 * Math.max(config.heartbeatTimeoutUs, config.loggingTimeoutUs);
    const recent = (us: number | undefined) => us !== undefined && us >= since;
    const truth = this.truth;
    if (!truth.up(peer) || truth.downAtUs(peer) >= since || recent(this.peerNetworksFaultUs)) return;
    if (recent(this.hostFaultUs.get(host)) || recent(this.hostFaultUs.get(peer))) return;
    if (recent(this.stateChangedUs.get(`${vm}|${peer}`))) return;
    const peerState = this.traffic.state(vm, peer);
    if (peerState === undefined || !ENGAGED_STATES.has(peerState)) return;
    if (!truth.loggingNic(host) || !truth.loggingNic(peer)) return;
    if (truth.slowFactor(host) > 1 || truth.slowFactor(peer) > 1) return;
    for (const network of [truth.networks.heartbeat, truth.networks.logging]) {
      for (const link of [
        { source: peer, target: host },
        { source: host, target: peer },
      ]) {
        if (network.isPartitioned(link) || network.lossRateOf(link) > 0 || network.extraDelayOf(link) > 0)
          return;
      }
    }
    this.report(
      vm,
      host,
      `${host} (${from}) declared ${peer} failed although ${peer} was up and running ${vm} (${peerState}) and nothing in the environment silenced it: no fault struck either host or their heartbeat and logging links in the last ${ms(now - since)}, and none is in force — ${silentChannels(peer, host, heartbeatSilenceUs, loggingSilenceUs, config)}`,
    );
  }

  private peerOf(vm: string, host: string): string | null {
    const ft = this.cluster.vms.find((v) => v.name === vm);
    return ft?.instances.find((i) => i.host.name === host)?.peer ?? null;
  }

  private halted(vm: string, host: string, from: string, event: string): void {
    if (event === 'LOCK_DENIED') return;
    if (event === 'STORAGE_LOST') {
      const paths = this.truth.storagePaths(host);
      if (paths > 0) {
        this.report(
          vm,
          host,
          `${host} halted ${vm} (${from}) on STORAGE_LOST although ${paths} of its storage paths work`,
        );
      } else if (from !== 'primary.engaged') {
        this.report(
          vm,
          host,
          `${host} halted ${vm} (${from}) on STORAGE_LOST with no engaged secondary to take over: the VM's only copy is lost, where waiting for storage would have kept it`,
        );
      }
      return;
    }
    this.report(vm, host, `${host} halted ${vm} (${from}) on ${event}, which is no failure`);
  }

  private becamePrimary(vm: string, host: string, from: string, event: string): void {
    if (from.startsWith('secondary.') || from.startsWith('primary.')) {
      this.liveOn.set(vm, host);
      return;
    }
    if (from === 'idle' && event === 'POWER_ON' && !this.poweredOn.has(vm)) {
      this.poweredOn.add(vm);
      this.liveOn.set(vm, host);
      return;
    }
    this.report(
      vm,
      host,
      `${host} became primary of ${vm} from ${from} on ${event}: only a power-on or a failover from a secondary makes a primary`,
    );
  }

  addressMoved(vm: string, host: string): void {
    const live = this.liveOn.get(vm);
    if (live === host) return;
    this.report(
      vm,
      host,
      `the client address of ${vm} moved to ${host}, which is not its newest live primary (${live ?? 'none'})`,
    );
  }

  spawnRequested(vm: string, target: string, primaryHost: string): void {
    const live = this.traffic.instancesOf(vm).filter(([host]) => this.truth.up(host));
    const pair = live.map(([, state]) => state);
    if (pair.includes('primary.engaged') && pair.includes('secondary.engaged')) {
      this.report(
        vm,
        target,
        `the HA service spawned a secondary of ${vm} on ${target} while ${primaryHost} ran it protected by an engaged pair`,
      );
      return;
    }
    const syncing = live.find(([host, state]) => state === 'secondary.syncing' && host !== target);
    if (syncing === undefined) return;
    this.report(
      vm,
      target,
      `the HA service spawned a secondary of ${vm} on ${target} while the one it spawned on ${syncing[0]} was still syncing`,
    );
  }

  private report(vm: string, host: string, message: string): void {
    this.sink.report({ invariant: 'I8', vm, host, message });
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

/** Which channel the agent found silent, and how long it really was (why a failover was taken). */
function silentChannels(
  peer: string,
  host: string,
  heartbeatSilenceUs: number,
  loggingSilenceUs: number,
  config: { heartbeatTimeoutUs: number; loggingTimeoutUs: number },
): string {
  const silent: string[] = [];
  if (heartbeatSilenceUs >= config.heartbeatTimeoutUs)
    silent.push(`on the heartbeat network for ${ms(heartbeatSilenceUs)}`);
  if (loggingSilenceUs >= config.loggingTimeoutUs)
    silent.push(`on the logging channel for ${ms(loggingSilenceUs)}`);
  return `nothing of ${peer}'s reached ${host} ${silent.join(' or ')}: ${peer} never sent it, or the implementation never let it through`;
}
