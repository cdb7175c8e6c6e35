// One FT VM on the cluster: an instance per host, each driven by its hypervisor agent (the
// models/ machine), and the HA service that re-protects it. This file is the protocol side: it
// turns the agents' commands into real work (test-and-set on shared storage, replaying the log,
// reissuing I/O, taking the client address, snapshots for respawn) and turns what happens on the
// cluster (heartbeats, silence, storage replies, crashes) into agent events. The data plane
// (executing slices, shipping the log, outputs, disk I/O) is in ft-data-plane.ts.
import type { AgentCommand, AgentEvent } from '../../models/agent.ts';
import { assert } from '../base/assert.ts';
import { LagController } from '../lockstep/lag-controller.ts';
import { LogReceiver, LogSender } from '../lockstep/log-channel.ts';
import { PrimaryRecorder } from '../lockstep/primary-recorder.ts';
import { SecondaryReplayer } from '../lockstep/secondary-replayer.ts';
import type { Timer } from '../sim/simulator.ts';
import { TRACE_DETAIL_MESSAGES } from '../sim/trace.ts';
import type { DiskRequest, VirtualMachineApi, VmSnapshot } from '../vm/api.ts';
import { MachineActor } from './agent-actor.ts';
import type { ClusterContext } from './cluster-context.ts';
import { FtDataPlane } from './ft-data-plane.ts';
import { FtInstance, type OutputCounts } from './ft-instance.ts';
import { HaDriver } from './ha-driver.ts';
import type { Host } from './host.ts';
import { HostClock } from './host-clock.ts';
import { LAG_HIGH_MS, LAG_LOW_MS, replaySpeedPerMs } from './lag-marks.ts';

/** At most 2^6 × the storage timeout between test-and-set retries. */
const LOCK_BACKOFF_DOUBLINGS_MAX = 6;
/** Go-live waits for reissued disk I/O in polls of this length, at most REISSUE_POLLS_MAX times. */
const REISSUE_POLL_US = 1_000;
const REISSUE_POLLS_MAX = 2_000;

export interface FtVmSpec {
  /** "vm1"… */
  name: string;
  /** false: a plain VM (no secondary, no failover) sharing the cluster. */
  ft: boolean;
  /** Where the primary starts. */
  primaryHost: string;
  /** A fresh VM with the guest loaded (called for the first primary and every respawned secondary). */
  createVm: () => VirtualMachineApi;
  /** Initial disk image on shared storage. */
  diskImage?: Uint8Array;
}

/** A failover as measured: the primary was lost at `lostUs`, a new one went live at `liveUs`. */
export interface FailoverRecord {
  vm: string;
  from: string;
  to: string | null;
  lostUs: number;
  liveUs: number | null;
  reprotectedUs: number | null;
}

const SNAPSHOT_OVERHEAD_BYTES = 4096;

const RESTORE_BYTES_PER_US = 1000;

export class FtVm {
  readonly instances: FtInstance[];
  readonly data: FtDataPlane;
  readonly ha: HaDriver | null;
  readonly failovers: FailoverRecord[] = [];
  /** Boundaries the primary logged with their digests, for the I1 comparison on the secondary. */
  checkpoints: { instret: number; digest: string }[] = [];
  /** The log stream of the latest pairing (checkpoints belong to it). */
  currentStreamId = 0;
  protected_ = false;
  exited = false;
  exitCode = -1;
  consoleText = '';
  private nextStreamId = 1;
  private spawnTimer: Timer | undefined;
  private lostPrimaryAtUs: number | null = null;
  private lastPrimary: string | null = null;

  constructor(
    readonly spec: FtVmSpec,
    readonly ctx: ClusterContext,
  ) {
    this.instances = ctx.hosts.map(
      (host) =>
        new FtInstance(
          spec.name,
          host,
          new MachineActor<AgentEvent, AgentCommand>(
            ctx.agentMachine,
            `${host.name}/${spec.name}`,
            ctx.sim.trace,
            () => ctx.sim.now,
          ),
        ),
    );
    this.data = new FtDataPlane(this);
    this.ha = spec.ft ? new HaDriver(this) : null;
  }

  get name(): string {
    return this.spec.name;
  }

  instanceOn(host: string): FtInstance {
    const instance = this.instances.find((i) => i.host.name === host);
    // The message is built only on failure (this runs per event).
    if (instance === undefined) assert(false, `${this.name}: no instance on ${host}`);
    return instance;
  }

  /** The live primary (acting, on a running host), if any. */
  primary(): FtInstance | null {
    return this.instances.find((i) => i.acting) ?? null;
  }

  secondary(): FtInstance | null {
    return this.instances.find((i) => i.host.up && i.isSecondary) ?? null;
  }

  clockFor(host: Host): HostClock {
    return new HostClock(() => this.ctx.sim.now, this.ctx.sim.prng(`entropy:${this.name}:${host.name}`));
  }

  /** Takes the VM slot on the host it starts on (before any VM powers on: see Cluster.start). */
  reserveFirstSlot(): void {
    this.instanceOn(this.spec.primaryHost).takeSlot();
  }

  start(): void {
    const first = this.instanceOn(this.spec.primaryHost);
    assert(first.host.up, `${this.name}: primary host ${this.spec.primaryHost} is down at start`);
    this.ctx.storage.createVm(this.name, first.host.name, this.spec.diskImage);
    first.generation = 1;
    this.send(first, { type: 'POWER_ON' });
    this.data.start();
  }

  // --- events in, commands out -----------------------------------------------------------------

  /** Sends an agent event and carries out what follows: state reactions, then the commands. */
  send(instance: FtInstance, event: AgentEvent): readonly AgentCommand[] {
    // A down host's agent hears its CRASH and nothing else until REPAIR brings the host back (the
    // host is marked down before the CRASH and up before the REPAIR; ftcheck mutate counts on it).
    assert(
      instance.host.up || event.type === 'CRASH',
      `${instance.host.name} is down but its agent was sent ${event.type}`,
    );
    const before = instance.agent.state;
    const commands = instance.agent.send(event);
    const after = instance.agent.state;
    if (before !== after) {
      for (const observer of this.ctx.observers)
        observer.agentState?.(this.name, instance.host.name, before, after, event.type);
      this.onStateChange(instance, before, after);
    }
    for (const command of commands) this.execute(instance, command);
    return commands;
  }

  private execute(instance: FtInstance, command: AgentCommand): void {
    const sim = this.ctx.sim;
    switch (command.type) {
      case 'takeClientAddress':
        if (instance.goLive !== null && !this.ctx.behaviour.movesAddressOnFailover) return;
        this.ctx.takeAddress(this.name, instance.host.name);
        return;
      case 'requestSnapshot':
        this.transferSnapshot(instance);
        return;
      case 'ackLogEntry':
        this.data.sendAck(instance);
        return;
      case 'sendHeartbeat':
        this.data.sendHeartbeat(instance);
        return;
      case 'disengage':
        this.disengage(instance);
        return;
      case 'replayLog':
        this.replayLog(instance);
        return;
      case 'testAndSet':
        this.testAndSet(instance);
        return;
      case 'reissuePendingIo':
        this.reissuePendingIo(instance);
        return;
      case 'announceCandidate':
        sim.trace.record(sim.now, 'info', instance.host.name, { vm: this.name, note: 'candidate' });
        return;
      // releaseOutput is consumed where OUTPUT_READY is sent; halt by the state change.
      case 'releaseOutput':
      case 'halt':
        return;
    }
  }

  private onStateChange(instance: FtInstance, before: string, after: string): void {
    // First, while the instance still holds the stream it had as a secondary (not on going live:
    // a target that won the lock superseded the primary, which must stay stunned).
    if (before.startsWith('secondary.') && (after === 'halted' || after === 'idle' || after === 'failed'))
      this.spawnTargetGone(instance);
    const wasEngaged = before === 'primary.engaged' || before === 'secondary.engaged';
    if (wasEngaged && this.protected_ && this.inCurrentPair(instance)) this.setProtected(false);
    if (after === 'primary.engaged') {
      this.setProtected(true);
      // A primary ignores the loss of its storage while alone (there is nobody to fail over to);
      // once it has a secondary, a host still without storage must act on it now.
      const sim = this.ctx.sim;
      sim.after(0, () => {
        if (instance.agent.state === 'primary.engaged' && this.ctx.behaviour.storageLost(instance.host))
          this.storageLost(instance.host);
      });
    }
    if (after === 'primary.alone') this.becameAlone(instance, before);
    if (after === 'halted') this.halted(instance, before);
    if (after === 'idle' && before.startsWith('secondary.')) this.release(instance);
  }

  /**
   * A spawn's target stopped being a secondary (it failed, halted, was reset) before its pair
   * formed: the primary, stunned on the stream to it since the snapshot, drops that stream and runs
   * on. Without this a primary whose acknowledgements never arrived (its logging NIC failed as the
   * snapshot left) stayed stunned for good once the spawn watchdog had passed.
   */
  private spawnTargetGone(target: FtInstance): void {
    for (const primary of this.instances) {
      if (primary === target || !primary.acting) continue;
      if (primary.peer === target.host.name && primary.streamId === target.streamId)
        this.detachUnpairedStream(primary);
    }
  }

  /**
   * A stale secondary (of an older generation: its primary already won the lock and paired with a
   * new secondary) leaving `engaged` does not unprotect the VM; only the current pair counts.
   */
  private inCurrentPair(instance: FtInstance): boolean {
    const primary = this.primary();
    return primary === null || instance === primary || instance.generation === primary.generation;
  }

  private setProtected(isProtected: boolean): void {
    this.protected_ = isProtected;
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'role', this.name, { protected: isProtected });
    for (const observer of this.ctx.observers) observer.protection?.(this.name, isProtected);
    if (isProtected) {
      sim.cancel(this.spawnTimer);
      const open = this.failovers.find((f) => f.reprotectedUs === null && f.liveUs !== null);
      if (open !== undefined) open.reprotectedUs = sim.now;
      this.ha?.engaged();
    }
  }

  // --- becoming primary ------------------------------------------------------------------------

  private becameAlone(instance: FtInstance, before: string): void {
    const sim = this.ctx.sim;
    if (instance.vm === null) {
      // Power-on — or a repaired host resuming a role it lost (only a seeded bug does that).
      this.boot(instance);
    } else if (before.startsWith('secondary.')) {
      this.promote(instance);
      const record = this.failovers.find((f) => f.liveUs === null);
      if (record !== undefined) {
        record.liveUs = sim.now;
        record.to = instance.host.name;
      }
    } else if (instance.recorder !== null && instance.sender !== null) {
      // Continuing alone after losing the secondary: nobody is left to acknowledge.
      instance.recorder.dropSecondary();
      instance.sender = null;
      instance.peer = null;
    }
    this.lastPrimary = instance.host.name;
    sim.trace.record(sim.now, 'role', this.name, {
      host: instance.host.name,
      role: 'primary',
      generation: instance.generation,
    });
    const produced = this.producedCounts(instance);
    const failover = before.startsWith('secondary.');
    const pendingDropped = failover ? (instance.goLive?.pendingDisk.length ?? 0) - instance.reissuedCount : 0;
    for (const observer of this.ctx.observers) {
      observer.wentLive?.(this.name, instance.host.name, produced, failover, pendingDropped);
    }
    this.data.flushStaged(instance);
    if (this.spec.ft) this.ha?.unprotected();
  }

  private producedCounts(instance: FtInstance): OutputCounts {
    return {
      console: instance.producedIndex('console') + instance.staged.filter((s) => s.kind === 'console').length,
      nic: instance.producedIndex('nic') + instance.staged.filter((s) => s.kind === 'nic').length,
      disk: instance.producedIndex('disk') + instance.staged.filter((s) => s.kind === 'disk').length,
    };
  }

  private boot(instance: FtInstance): void {
    const vm = this.spec.createVm();
    instance.serial++;
    instance.takeSlot();
    instance.vm = vm;
    this.attachRecorder(instance, vm);
  }

  /** Gives the instance's VM the primary's doors: a recorder whose outputs reach the world. */
  private attachRecorder(instance: FtInstance, vm: VirtualMachineApi): void {
    instance.recorder = new PrimaryRecorder({
      vm,
      source: this.clockFor(instance.host),
      world: this.data.worldFor(instance),
      sender: null,
      // The gate passes outputs on at once: the agent's Output Rule guard decides (ft-data-plane.ts).
      strategy: { ...this.ctx.strategy, releasePolicy: () => 0 },
    });
    this.data.watchReleases(instance);
  }

  /** A secondary that went live gets the primary's doors on its VM. */
  private promote(instance: FtInstance): void {
    if (instance.recorder !== null) return;
    const vm = instance.vm;
    assert(vm !== null && instance.replayer !== null, `${this.name}: promoting an instance without a VM`);
    this.leaveReplay(instance);
    const suppressed = instance.replayer.suppressed;
    instance.outputBase = {
      console: instance.outputBase.console + suppressed.consoleBytes.length,
      nic: instance.outputBase.nic + suppressed.packets.length,
      disk: instance.outputBase.disk + suppressed.diskRequests.length,
    };
    instance.released = { console: 0, nic: 0, disk: 0 };
    instance.replayer = null;
    instance.receiver = null;
    this.attachRecorder(instance, vm);
    instance.idle = false;
    instance.timerInjectedFor = -1;
  }

  // --- failover steps --------------------------------------------------------------------------

  private disengage(instance: FtInstance): void {
    instance.disengaged = true;
  }

  /** replayLog: apply every received entry; that takes the host time in proportion. */
  private replayLog(instance: FtInstance): void {
    const vm = instance.vm;
    if (vm === null || instance.replayer === null || instance.goLive !== null) {
      this.ctx.sim.after(0, () => this.drained(instance));
      return;
    }
    const before = vm.instret;
    this.finishReplay(instance, instance.replayer);
    const replayed = vm.instret - before;
    const drainUs = Math.ceil((replayed * instance.host.slowFactor) / instance.host.instructionsPerUs);
    for (const observer of this.ctx.observers) observer.replaying?.(this.name, instance.host.name, drainUs);
    this.ctx.sim.after(drainUs, () => this.drained(instance));
  }

  private drained(instance: FtInstance): void {
    if (instance.agent.state === 'secondary.goingLive.draining') this.send(instance, { type: 'LOG_DRAINED' });
  }

  /**
   * Leaves replay mode where the secondary stands. Log it received but did not replay is thrown
   * away — after replayLog there is none; only a go-live that skipped replay loses any.
   */
  private leaveReplay(instance: FtInstance): void {
    if (instance.goLive !== null || instance.replayer === null) return;
    const queue = instance.replayer.receiver.reader.queue;
    queue.drop(queue.length);
    this.finishReplay(instance, instance.replayer);
  }

  private finishReplay(instance: FtInstance, replayer: SecondaryReplayer): void {
    const vm = instance.vm!;
    instance.goLive = replayer.goLive();
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'vm', instance.host.name, {
      vm: this.name,
      op: 'leave-replay',
      instret: vm.instret,
      pendingDisk: instance.goLive.pendingDisk.length,
    });
    if (instance.goLive.fault !== null) {
      for (const observer of this.ctx.observers)
        observer.replayFault?.(this.name, instance.host.name, instance.goLive.fault);
    }
  }

  private testAndSet(instance: FtInstance): void {
    const ctx = this.ctx;
    if (instance.isSecondary) this.leaveReplay(instance);
    const serial = instance.serial;
    const state = instance.agent.state;
    const op = { op: 'test-and-set' as const, vm: this.name, knownGeneration: instance.generation };
    // A storage round trip slower than the timeout would otherwise time out on every retry
    // while the array grants each one: back off (doubling, bounded) until a reply can arrive.
    const timeoutUs =
      ctx.config.storageTimeoutUs * 2 ** Math.min(instance.lockTimeouts, LOCK_BACKOFF_DOUBLINGS_MAX);
    ctx.storagePath.request(
      instance.host,
      op,
      (reply) => {
        if (instance.serial !== serial || instance.agent.state !== state || !instance.host.up) return;
        const reset = ctx.behaviour.resetsLockBackoff ? 0 : instance.lockTimeouts;
        instance.lockTimeouts = !reply.ok && reply.reason === 'timeout' ? instance.lockTimeouts + 1 : reset;
        if (!reply.ok) {
          ctx.sim.after(ctx.config.storageRetryUs, () => {
            if (instance.serial === serial && instance.agent.state === state && instance.host.up) {
              this.send(instance, { type: 'STORAGE_UNREACHABLE' });
            }
          });
          return;
        }
        assert(reply.value.op === 'test-and-set', 'test-and-set answered with another operation');
        const result = reply.value.result;
        if (!result.granted) {
          this.send(instance, { type: 'LOCK_DENIED' });
          return;
        }
        instance.generation = result.generation;
        this.data.reissueFencedWrites(instance);
        const pendingIo = (instance.goLive?.pendingDisk.length ?? 0) > 0;
        this.send(instance, { type: 'LOCK_GRANTED', pendingIo });
      },
      timeoutUs,
    );
  }

  private reissuePendingIo(instance: FtInstance): void {
    this.promote(instance);
    const pending = this.ctx.behaviour.reissuesPendingIo ? (instance.goLive?.pendingDisk ?? []) : [];
    for (const request of pending) this.data.issueDisk(instance, request);
    instance.reissuedCount += pending.length;
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'vm', instance.host.name, {
      vm: this.name,
      op: 'reissue',
      requests: pending.length,
    });
    this.awaitReissued(
      instance,
      pending.map((r) => r.id),
      instance.serial,
      0,
    );
  }

  /**
   * IO_REISSUED once shared storage has completed every reissued request (a commit, so the new
   * primary never goes live ahead of the disk), polled every REISSUE_POLL_US; after
   * REISSUE_POLLS_MAX polls it goes live anyway and the requests finish in the background.
   */
  private awaitReissued(instance: FtInstance, ids: number[], serial: number, polls: number): void {
    const done = ids.every((id) => !instance.diskInFlight.has(id));
    const delayUs = done || polls >= REISSUE_POLLS_MAX ? 0 : REISSUE_POLL_US;
    this.ctx.sim.after(delayUs, () => {
      if (instance.serial !== serial || !instance.host.up) return;
      if (delayUs === 0) this.send(instance, { type: 'IO_REISSUED' });
      else this.awaitReissued(instance, ids, serial, polls + 1);
    });
  }

  private halted(instance: FtInstance, before: string): void {
    const sim = this.ctx.sim;
    if (before.startsWith('primary.')) this.primaryGone(instance);
    this.release(instance);
    const serial = instance.serial;
    sim.after(this.ctx.config.haltCleanupUs, () => {
      if (instance.serial === serial && instance.agent.state === 'halted')
        this.send(instance, { type: 'RESET' });
    });
  }

  /** Frees the instance's VM and host slot. */
  private release(instance: FtInstance): void {
    instance.clear();
  }

  // --- host failure and repair -----------------------------------------------------------------

  hostCrashed(host: Host): void {
    const instance = this.instanceOn(host.name);
    const wasPrimary = instance.isPrimary && instance.vm !== null;
    if (wasPrimary) this.primaryGone(instance);
    else if (instance.isSecondary) this.spawnTargetGone(instance);
    instance.clear();
    this.send(instance, { type: 'CRASH' });
    this.ha?.hostFailed(host);
  }

  hostRepaired(host: Host): void {
    this.send(this.instanceOn(host.name), { type: 'REPAIR' });
  }

  storageLost(host: Host): void {
    const instance = this.instanceOn(host.name);
    if (instance.vm !== null) this.send(instance, { type: 'STORAGE_LOST' });
  }

  private primaryGone(instance: FtInstance): void {
    if (this.exited || !this.spec.ft) return;
    // A superseded primary halting or failing: the VM already has its live primary elsewhere.
    if (this.instances.some((i) => i !== instance && i.acting)) return;
    const sim = this.ctx.sim;
    // A respawn in progress lost its source (the model's SPAWN_FAILED: "the primary went away").
    if (this.ha?.actor.state === 'spawning') {
      sim.cancel(this.spawnTimer);
      this.ha.spawnFailed();
    }
    // A survivor is a secondary of a formed pair (it learnt the lock generation from the primary).
    const survivor = this.instances.find(
      (i) => i !== instance && i.host.up && i.engaged && i.isSecondary && i.generation >= 1,
    );
    this.lostPrimaryAtUs = sim.now;
    this.failovers.push({
      vm: this.name,
      from: instance.host.name,
      to: null,
      lostUs: sim.now,
      liveUs: null,
      reprotectedUs: null,
    });
    for (const observer of this.ctx.observers) {
      observer.primaryLost?.(this.name, instance.host.name, survivor !== undefined);
    }
  }

  // --- respawn ---------------------------------------------------------------------------------

  /** HA chose `host`: the agent there becomes a syncing secondary and asks for a snapshot. */
  spawnSecondary(host: Host): void {
    const target = this.instanceOn(host.name);
    const primary = this.primary();
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'info', `ha/${this.name}`, {
      note: 'spawn',
      target: host.name,
      rack: host.rack,
      primary: primary?.host.name ?? null,
      primaryRack: primary?.host.rack ?? null,
    });
    if (primary !== null) {
      for (const observer of this.ctx.observers)
        observer.spawnRequested?.(this.name, host.name, primary.host.name);
    }
    if (primary === null || target.agent.state !== 'idle') {
      this.ha?.spawnFailed();
      return;
    }
    // One respawn at a time: a stream to an earlier target that never paired (HA gave up on it
    // while its acknowledgement was still on the way) gives way to this one. Kept, it would make
    // the snapshot transfer a silent no-op and this spawn wait out its watchdog for nothing.
    if (this.ctx.behaviour.supersedesUnpairedStreams && primary.sender !== null && !primary.engaged) {
      sim.trace.record(sim.now, 'info', `ha/${this.name}`, {
        note: 'stream-superseded',
        target: primary.peer,
      });
      this.detachUnpairedStream(primary);
    }
    target.serial++;
    target.takeSlot();
    target.peer = primary.host.name;
    target.lastHeartbeatUs = this.ctx.sim.now;
    target.lastLogTrafficUs = this.ctx.sim.now;
    const transferUs = this.transferEstimateUs(primary);
    const serial = target.serial;
    this.ctx.sim.cancel(this.spawnTimer);
    this.spawnTimer = this.ctx.sim.after(transferUs + this.ctx.config.heartbeatTimeoutUs, () => {
      if (target.serial !== serial) return;
      if (!target.engaged) this.abandonSpawn(target);
      // Engaged on its side but the pair never formed: let HA decide again. Its acknowledgement may
      // still reach the primary (a slow logging link); if the target stops being a secondary
      // first, onStateChange lets the stunned primary go.
      else if (!this.protected_ && this.ha?.actor.state === 'spawning') this.ha.spawnFailed();
    });
    this.send(target, { type: 'SPAWN_SECONDARY' });
  }

  private transferEstimateUs(primary: FtInstance): number {
    const bytes = (primary.vm?.ramSize ?? 0) + SNAPSHOT_OVERHEAD_BYTES;
    const link = this.ctx.networks.logging.params;
    return Math.ceil(bytes / link.bandwidthBytesPerUs) + 2 * link.latencyUs + link.jitterUs;
  }

  private abandonSpawn(target: FtInstance): void {
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'info', target.host.name, { vm: this.name, note: 'spawn-failed' });
    this.detachUnpairedStream();
    if (target.host.up && target.agent.state === 'secondary.syncing') {
      this.send(target, { type: 'PEER_SILENT', logPending: false });
    } else if (target.agent.state !== 'idle') {
      this.release(target);
    }
    this.ha?.spawnFailed();
  }

  /** One respawn at a time: an attached stream that never engaged is this spawn's; the primary drops it and runs on. */
  private detachUnpairedStream(primary: FtInstance | null = this.primary()): void {
    if (primary === null || primary.sender === null || primary.engaged) return;
    primary.recorder?.dropSecondary();
    primary.sender = null;
    primary.peer = null;
    primary.lag = null;
    primary.pausedForSnapshot = false;
  }

  /** requestSnapshot: the primary clones itself to the target over the logging network. */
  private transferSnapshot(target: FtInstance): void {
    const primary = this.primary();
    if (primary === null || primary.vm === null || primary.recorder === null || primary.sender !== null)
      return;
    const sim = this.ctx.sim;
    const snapshot = primary.vm.snapshot();
    const streamId = this.nextStreamId++;
    const sender = new LogSender({
      bufferBytesMax: this.ctx.config.logBufferBytes,
      receiverWindowBytes: this.ctx.config.logBufferBytes,
      segmentBytesMax: this.ctx.config.logSegmentBytes,
    });
    primary.recorder.attachSecondary(sender);
    primary.sender = sender;
    // Stunned from the snapshot until the secondary engages: nothing leaves that it lacks.
    primary.pausedForSnapshot = true;
    // Lag marks in the secondary's replay time (lag-marks.ts; its acknowledgements keep them
    // current); at the last step the primary stops until the secondary catches up.
    const perMs = replaySpeedPerMs(target.host);
    primary.lag = new LagController({
      highInstructions: LAG_HIGH_MS * perMs,
      lowInstructions: LAG_LOW_MS * perMs,
      shares: this.ctx.behaviour.lagShares,
    });
    primary.peer = target.host.name;
    primary.streamId = streamId;
    primary.disengaged = false;
    primary.ackedAtLastTick = 0;
    primary.lastHeartbeatUs = sim.now;
    primary.lastLogTrafficUs = sim.now;
    target.streamId = streamId;
    this.checkpoints = [];
    this.currentStreamId = streamId;
    const base = this.producedCounts(primary);
    const pendingDisk = [...primary.diskOutstanding.values()];
    const serial = target.serial;
    const bytes = snapshot.ram.length + SNAPSHOT_OVERHEAD_BYTES;
    sim.trace.record(sim.now, 'vm', primary.host.name, {
      vm: this.name,
      op: 'snapshot',
      to: target.host.name,
      bytes,
    });
    for (const observer of this.ctx.observers)
      observer.snapshotTaken?.(
        this.name,
        primary.host.name,
        primary.serial,
        target.host.name,
        primary.vm.instret,
      );
    const link = { source: primary.host.name, target: target.host.name };
    const info = sim.trace.detail >= TRACE_DETAIL_MESSAGES ? { vm: this.name, stream: streamId } : undefined;
    this.ctx.networks.logging.send(
      link,
      bytes,
      'snapshot',
      () => {
        if (target.serial !== serial || target.agent.state !== 'secondary.syncing') return;
        // Restoring memory takes time too, proportional to its size.
        sim.after(Math.ceil(bytes / RESTORE_BYTES_PER_US), () =>
          this.installSecondary(target, serial, snapshot, base, pendingDisk),
        );
      },
      info,
      this.name,
    );
  }

  private installSecondary(
    target: FtInstance,
    serial: number,
    snapshot: VmSnapshot,
    base: OutputCounts,
    pendingDisk: readonly DiskRequest[],
  ): void {
    if (target.serial !== serial || target.agent.state !== 'secondary.syncing' || !target.host.up) return;
    const vm = this.spec.createVm();
    vm.restore(snapshot);
    const receiver = new LogReceiver({ bufferBytesMax: this.ctx.config.logBufferBytes });
    target.vm = vm;
    target.receiver = receiver;
    target.replayer = new SecondaryReplayer({
      vm,
      receiver,
      strategy: this.ctx.strategy,
      localSource: this.clockFor(target.host),
      world: this.data.secondaryWorldFor(target),
      pendingDisk,
      lookaheadEntries: this.ctx.config.replayLookaheadEntries,
    });
    // The lock generation is learnt from the primary's first traffic after engaging, not from the
    // snapshot: a secondary the pair never formed with cannot win the test-and-set.
    target.generation = 0;
    target.outputBase = { ...base };
    target.disengaged = false;
    target.lastHeartbeatUs = this.ctx.sim.now;
    target.lastLogTrafficUs = this.ctx.sim.now;
    this.send(target, { type: 'SNAPSHOT_READY' });
    this.data.sendAck(target);
  }

  /** The primary heard its new secondary for the first time: resume, resend, engage. */
  secondaryEngaged(primary: FtInstance): void {
    if (primary.agent.state !== 'primary.alone' || primary.sender === null) return;
    primary.pausedForSnapshot = false;
    primary.sender.rewind();
    this.send(primary, { type: 'LOCKSTEP_ENGAGED' });
    // Speak at once: the secondary learns the lock generation from this traffic.
    this.data.keepLogAlive(primary);
    if (this.ctx.behaviour.dropsOrphanSpawns) this.dropOrphanSpawns(primary.peer);
  }

  /**
   * The pair formed with the secondary on `partner`: a spawn HA gave up on can still engage late,
   * after HA placed another secondary, which would then sync forever (a syncing instance watches
   * no peer) holding its slot. One spawn at a time: any other syncing instance is abandoned.
   */
  private dropOrphanSpawns(partner: string | null): void {
    const sim = this.ctx.sim;
    for (const other of this.instances) {
      if (other.host.name === partner || !other.host.up || other.agent.state !== 'secondary.syncing')
        continue;
      sim.trace.record(sim.now, 'info', other.host.name, { vm: this.name, note: 'spawn-superseded' });
      this.send(other, { type: 'PEER_SILENT', logPending: false });
    }
  }

  // --- failure detection -----------------------------------------------------------------------

  /** Heartbeat tick: heartbeats out, silence checked, HA nudged. */
  tick(): void {
    if (this.exited) return;
    const { sim, config } = this.ctx;
    for (const instance of this.instances) {
      if (!instance.host.up) continue;
      const watching = instance.engaged || instance.agent.state === 'secondary.syncing';
      if (!watching || instance.disengaged) continue;
      this.send(instance, { type: 'HEARTBEAT_DUE' });
      this.data.keepLogAlive(instance);
      if (!this.ctx.behaviour.watchesPeer(instance)) continue;
      const heartbeatSilent = sim.now - instance.lastHeartbeatUs > config.heartbeatTimeoutUs;
      const logSilent = sim.now - instance.lastLogTrafficUs > config.loggingTimeoutUs;
      if (!(heartbeatSilent || logSilent) || instance.agent.state === 'secondary.syncing') continue;
      sim.trace.record(sim.now, 'info', instance.host.name, {
        vm: this.name,
        note: 'peer-silent',
        peer: instance.peer,
        heartbeat: heartbeatSilent,
        logging: logSilent,
        lastHeartbeatUs: instance.lastHeartbeatUs,
        lastLogUs: instance.lastLogTrafficUs,
      });
      const logPending = instance.replayer !== null && !instance.replayer.caughtUp;
      this.send(instance, { type: 'PEER_SILENT', logPending });
    }
    this.ha?.tick();
  }

  vmExited(instance: FtInstance, code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'vm', instance.host.name, { vm: this.name, op: 'exit', code });
  }

  get lastPrimaryHost(): string | null {
    return this.lastPrimary;
  }

  get primaryLostAtUs(): number | null {
    return this.lostPrimaryAtUs;
  }
}
