// I5 recovery starts with detection: a peer that really fell silent is declared failed. Whenever
// an engaged instance on a live host has heard nothing of its VM from its peer — on the heartbeat
// network or on the logging channel, counting only what the network really delivered in this pair
// (peer-traffic.ts) — for longer than that channel's detection timeout plus two heartbeat
// intervals (the detector looks once per interval), it must have left lockstep. An instance that
// stays engaged with a silent peer is a half-dead pair: a primary waiting forever for acks that
// will not come, a secondary shadowing a primary that went on alone. (I8 judges the other half:
// no peer declared failed that did not really fall silent.)
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import { ENGAGED_STATES, type PeerNetwork, type PeerTraffic } from './peer-traffic.ts';
import type { MonitorSink } from './violation.ts';

/** How often (simulated) the monitor looks, riding on the observations that pass time. */
const CHECK_EVERY_US = 10_000;

export class DetectionMonitor implements ClusterObserver {
  private checkedUs = Number.NEGATIVE_INFINITY;
  private readonly reported = new Set<string>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
    private readonly traffic: PeerTraffic,
  ) {}

  messageDelivered(): void {
    this.checkDue();
  }
  worldOutput(): void {
    this.checkDue();
  }
  end(): void {
    this.check();
  }

  private checkDue(): void {
    if (this.sink.now() - this.checkedUs >= CHECK_EVERY_US) this.check();
  }

  private check(): void {
    const now = this.sink.now();
    this.checkedUs = now;
    const config = this.cluster.config;
    const timeouts: [PeerNetwork, number][] = [
      ['heartbeat', config.heartbeatTimeoutUs],
      ['logging', config.loggingTimeoutUs],
    ];
    for (const vm of this.cluster.vms) {
      if (!vm.spec.ft || vm.exited) continue;
      for (const instance of vm.instances) {
        const host = instance.host.name;
        const peer = instance.peer;
        const state = this.traffic.state(vm.name, host);
        if (peer === null || state === undefined || !ENGAGED_STATES.has(state) || !this.truth.up(host))
          continue;
        const secondary = state.startsWith('secondary.') ? host : peer;
        const pairedSinceUs = this.traffic.pairedSinceUs(vm.name, secondary);
        const engagedSinceUs = this.traffic.engagedSinceUs(vm.name, host);
        for (const [network, timeoutUs] of timeouts) {
          const heardUs = Math.max(
            engagedSinceUs,
            this.traffic.lastHeardUs(vm.name, network, peer, host, pairedSinceUs),
          );
          const dueUs = heardUs + timeoutUs + 2 * config.heartbeatIntervalUs;
          if (now <= dueUs) continue;
          const key = `${vm.name}|${host}|${engagedSinceUs}`;
          if (this.reported.has(key)) continue;
          this.reported.add(key);
          const channel = network === 'logging' ? 'logging channel' : 'heartbeat network';
          this.sink.report({
            invariant: 'I5',
            vm: vm.name,
            host,
            timeUs: dueUs,
            message: `${host} (${state}) heard nothing of ${vm.name} from its peer ${peer} on the ${channel} for ${ms(dueUs - heardUs)} (detection timeout ${ms(timeoutUs)}, checked every ${ms(config.heartbeatIntervalUs)}) and still had not declared it failed: a silent peer went undetected`,
          });
        }
      }
    }
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
