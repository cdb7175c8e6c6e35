// Runs the HA service machine (models/haService.ts) for one FT VM. Every host runs an HA
// instance; the one on the lowest-numbered live host leads. Losing the leader's host is a
// LEADER_LOST event that restarts the decision on the next host, so no single host holds state
// the pair needs. Candidates are offered in host order (deterministic); placement rules decide
// `healthy` (up, storage reachable, a free slot, anti-affinity) and `runsThisVm`.
import type { HaCommand, HaEvent } from '../../models/haService.ts';
import { MachineActor } from './agent-actor.ts';
import type { FtVm } from './ft-vm.ts';
import type { Host } from './host.ts';

export class HaDriver {
  /** Host of the spawn in progress, and of the last spawn that failed (tried last next time). */
  private spawningOn: string | null = null;
  private lastFailedSpawn: string | null = null;
  /**
   * Spawns failed since the pair last engaged, and when the next may start. Every attempt stuns
   * the primary while its snapshot is out (until the spawn is abandoned, a heartbeat timeout
   * later), so retrying at once onto a host that cannot pair (its logging NIC is down, say) would
   * keep the primary stunned nearly all the time: a host whose spawn failed is offered again only
   * after a pause that grows exponentially with the failures, from one heartbeat timeout up to
   * half the re-protection bound (so a spare that becomes usable is still used well within it).
   * Another spare is tried at once after a first failure; after two in a row the fault is likely
   * on the primary's side (its own logging links cut), and every spare waits the same pause.
   */
  private failedSpawns = 0;
  private readonly retryAtUs = new Map<string, number>();
  private spawnsNotBeforeUs = 0;
  readonly actor: MachineActor<HaEvent, HaCommand>;
  private leader: string | null;

  constructor(private readonly ft: FtVm) {
    const ctx = ft.ctx;
    this.actor = new MachineActor<HaEvent, HaCommand>(
      ctx.haMachine,
      `ha/${ft.name}`,
      ctx.sim.trace,
      () => ctx.sim.now,
    );
    this.leader = this.electLeader();
  }

  private electLeader(): string | null {
    return this.ft.ctx.hosts.find((h) => h.up)?.name ?? null;
  }

  /** The live primary runs without an engaged secondary. */
  unprotected(): void {
    this.send({ type: 'PRIMARY_UNPROTECTED' });
    if (this.actor.state === 'selecting') this.offerCandidates();
  }

  engaged(): void {
    this.failedSpawns = 0;
    this.retryAtUs.clear();
    this.spawnsNotBeforeUs = 0;
    this.send({ type: 'ENGAGED' });
  }

  spawnFailed(): void {
    const { sim, config } = this.ft.ctx;
    this.lastFailedSpawn = this.spawningOn;
    this.failedSpawns++;
    const capUs = Math.max(config.heartbeatTimeoutUs, Math.floor(config.reprotectBoundUs / 2));
    const delayUs = Math.min(config.heartbeatTimeoutUs * 2 ** Math.min(this.failedSpawns - 1, 20), capUs);
    if (this.spawningOn !== null) this.retryAtUs.set(this.spawningOn, sim.now + delayUs);
    if (this.failedSpawns >= 2) this.spawnsNotBeforeUs = sim.now + delayUs;
    this.send({ type: 'SPAWN_FAILED' });
  }

  hostFailed(host: Host): void {
    if (host.name !== this.leader) return;
    this.leader = this.electLeader();
    const sim = this.ft.ctx.sim;
    sim.trace.record(sim.now, 'info', `ha/${this.ft.name}`, { note: 'leader-lost', leader: this.leader });
    this.send({ type: 'LEADER_LOST' });
  }

  /** Heartbeat tick: keep selecting while unprotected. */
  tick(): void {
    if (this.ft.exited) return;
    const primary = this.ft.primary();
    if (primary === null || this.ft.protected_) return;
    const pairing = this.ft.instances.some((i) => i.agent.state === 'secondary.syncing');
    if (this.actor.state === 'watching' && !pairing && primary.agent.state === 'primary.alone') {
      this.send({ type: 'PRIMARY_UNPROTECTED' });
    }
    if (this.actor.state === 'selecting') this.offerCandidates();
  }

  /**
   * Hosts in candidate order: after a failed spawn the search starts just past the host it failed
   * on, so a host cut off from the primary (say, by a logging partition) is not chosen again and
   * again while another spare exists. Deterministic: a rotation of the host list.
   */
  private candidateOrder(): number[] {
    const hosts = this.ft.ctx.hosts;
    const failed = hosts.findIndex((h) => h.name === this.lastFailedSpawn);
    return hosts.map((_, i) => (failed + 1 + i) % hosts.length);
  }

  private offerCandidates(): void {
    const ctx = this.ft.ctx;
    const primary = this.ft.primary();
    for (const index of this.candidateOrder()) {
      const host = ctx.hosts[index]!;
      const instance = this.ft.instanceOn(host.name);
      const runsThisVm = instance.agent.state !== 'idle' || instance.vm !== null;
      const backingOff =
        ctx.sim.now < this.spawnsNotBeforeUs || ctx.sim.now < (this.retryAtUs.get(host.name) ?? 0);
      const healthy =
        !backingOff &&
        host.up &&
        host.hasStoragePath &&
        host.freeSlots > 0 &&
        ctx.behaviour.placementAllowed(host, primary?.host ?? null, ctx.config);
      const commands = this.send({ type: 'CANDIDATE', host: index + 1, healthy, runsThisVm });
      const spawn = commands.find((c) => c.type === 'spawnSecondary');
      if (spawn === undefined) continue;
      const target = ctx.hosts[spawn.host - 1];
      if (target === undefined) {
        this.spawnFailed();
        return;
      }
      this.spawningOn = target.name;
      this.ft.spawnSecondary(target);
      return;
    }
  }

  private send(event: HaEvent): readonly HaCommand[] {
    return this.actor.send(event);
  }
}
