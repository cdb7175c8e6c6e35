// What each instance of an FT VM really heard from its peer: the VM's messages the heartbeat
// network and the logging channel delivered (not what the implementation made of them), and when
// each pair began. Shared by the two halves of failure detection: accuracy (I8: a peer declared
// failed really fell silent) and completeness (I5: a peer that really fell silent is declared).
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { NetworkKind } from '../../sim/fault-schedule.ts';

export const ENGAGED_STATES: ReadonlySet<string> = new Set(['primary.engaged', 'secondary.engaged']);

export type PeerNetwork = 'heartbeat' | 'logging';

/**
 * A link's deliveries that may still answer `lastHeardUs`: arrival times rising, send times
 * falling. A delivery hides every earlier one sent no later than it (it arrived later and says as
 * much), so in-order traffic keeps one entry, updated in place; a message of an earlier pair that
 * arrives late sits behind the fresher ones instead of overwriting them (a heartbeat delayed
 * 700 ms past a new pair's start once hid every heartbeat of the new pair from the monitors).
 */
interface Deliveries {
  atUs: number[];
  sentUs: number[];
}

export class PeerTraffic implements ClusterObserver {
  /**
   * Last delivery of a VM's message per network, by VM, source and target (nested maps: no key
   * string built per delivered message).
   */
  private readonly delivered: Record<PeerNetwork, Map<string, Map<string, Map<string, Deliveries>>>> = {
    heartbeat: new Map(),
    logging: new Map(),
  };
  /** Each instance's agent state, per "vm|host". */
  private readonly states = new Map<string, string>();
  /** When the secondary on "vm|host" started to sync: a pair's traffic is expected from then on. */
  private readonly syncingSince = new Map<string, number>();
  /** When the instance on "vm|host" last entered lockstep. */
  private readonly engagedSince = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  messageDelivered(
    network: NetworkKind,
    source: string,
    target: string,
    _label: string,
    vm: string,
    sentUs: number,
  ): void {
    if (network !== 'heartbeat' && network !== 'logging') return;
    const byTarget = this.linksOf(vm, network, source);
    const link = byTarget.get(target);
    if (link === undefined) {
      byTarget.set(target, { atUs: [this.now()], sentUs: [sentUs] });
      return;
    }
    // No object per delivered message: the arrays are popped and pushed in place.
    while (link.sentUs.length > 0 && link.sentUs[link.sentUs.length - 1]! <= sentUs) {
      link.sentUs.pop();
      link.atUs.pop();
    }
    link.sentUs.push(sentUs);
    link.atUs.push(this.now());
  }

  /** The deliveries of `vm` on `network` from `source`, by target. */
  private linksOf(vm: string, network: PeerNetwork, source: string): Map<string, Deliveries> {
    const byVm = this.delivered[network];
    let bySource = byVm.get(vm);
    if (bySource === undefined) {
      bySource = new Map();
      byVm.set(vm, bySource);
    }
    let byTarget = bySource.get(source);
    if (byTarget === undefined) {
      byTarget = new Map();
      bySource.set(source, byTarget);
    }
    return byTarget;
  }

  agentState(vm: string, host: string, from: string, to: string): void {
    const key = `${vm}|${host}`;
    this.states.set(key, to);
    if (to === 'secondary.syncing') this.syncingSince.set(key, this.now());
    if (ENGAGED_STATES.has(to) && !ENGAGED_STATES.has(from)) this.engagedSince.set(key, this.now());
  }

  state(vm: string, host: string): string | undefined {
    return this.states.get(`${vm}|${host}`);
  }

  /** Every instance of `vm` with its state, as "host" → state. */
  instancesOf(vm: string): [string, string][] {
    const prefix = `${vm}|`;
    return [...this.states]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, state]) => [key.slice(prefix.length), state]);
  }

  /** When the pair whose secondary runs on `secondary` began (0 if unknown). */
  pairedSinceUs(vm: string, secondary: string | null): number {
    return secondary === null ? 0 : (this.syncingSince.get(`${vm}|${secondary}`) ?? 0);
  }

  engagedSinceUs(vm: string, host: string): number {
    return this.engagedSince.get(`${vm}|${host}`) ?? 0;
  }

  /**
   * When `target` last heard `vm` from `source` on `network`: the latest delivery of a message
   * sent at or after `sentSinceUs` (a message of an earlier pair that arrives late says nothing
   * about the new peer), or `sentSinceUs` if none arrived.
   */
  lastHeardUs(vm: string, network: PeerNetwork, source: string, target: string, sentSinceUs: number): number {
    const link = this.linksOf(vm, network, source).get(target);
    if (link === undefined) return sentSinceUs;
    // Latest arrival first; the first one sent late enough is the answer.
    for (let i = link.sentUs.length - 1; i >= 0; i--) {
      if (link.sentUs[i]! >= sentSinceUs) return Math.max(sentSinceUs, link.atUs[i]!);
    }
    return sentSinceUs;
  }
}
