// The data plane of one FT VM on the cluster: time slices of guest execution on the primary and
// replay on the secondary, the log stream and its acknowledgements over the logging network,
// heartbeats, outputs to the outside world (through the agent's Output Rule decision) and disk
// I/O on shared storage with the instance's lock generation.
import { assert } from '../base/assert.ts';
import type { LogAck, LogSegment, LogSender } from '../lockstep/log-channel.ts';
import { TRACE_DETAIL_MESSAGES } from '../sim/trace.ts';
import type { DiskRequest, VmOutputs } from '../vm/api.ts';
import type { FtInstance, StagedOutput } from './ft-instance.ts';
import { NIC_QUEUE_PACKETS_MAX } from './ft-instance.ts';
import type { FtVm } from './ft-vm.ts';
import { LAG_HIGH_MS, LAG_LOW_MS, replaySpeedPerMs } from './lag-marks.ts';
import { hashDiskRequest, hashOutputBytes } from './output-hash.ts';
import type { StorageReply } from './storage-path.ts';

const MESSAGE_HEADER_BYTES = 32;
const HEARTBEAT_BYTES = 64;
export const CHECKPOINTS_MAX = 4096;
/** Disk requests wait at most 2^6 × the storage timeout for a reply. */
const DISK_BACKOFF_DOUBLINGS_MAX = 6;

/** The event asking whether an agent takes an acknowledged output now. */
const ACKED_OUTPUT = { type: 'OUTPUT_READY', acked: true } as const;

/** A disk output's bytes: the request itself is what is performed and hashed. */
const NO_BYTES = new Uint8Array(0);

export class FtDataPlane {
  instructionsExecuted = 0;
  instructionsReplayed = 0;
  private releasedEntryEnd = 0;

  constructor(private readonly ft: FtVm) {}

  private get ctx() {
    return this.ft.ctx;
  }

  start(): void {
    const { sim, config } = this.ctx;
    const slice = (): void => {
      if (this.ft.exited) return;
      this.slice();
      sim.after(config.sliceUs, slice);
    };
    const tick = (): void => {
      if (this.ft.exited) return;
      this.ft.tick();
      sim.after(config.heartbeatIntervalUs, tick);
    };
    sim.after(config.sliceUs, slice);
    sim.after(config.heartbeatIntervalUs, tick);
  }

  private slice(): void {
    for (const instance of this.ft.instances) {
      if (!instance.host.up || instance.vm === null) continue;
      if (instance.recorder !== null && instance.acting) this.runPrimary(instance);
      else if (instance.replayer !== null && !instance.disengaged) this.runSecondary(instance);
    }
  }

  // --- primary ---------------------------------------------------------------------------------

  private runPrimary(instance: FtInstance): void {
    const vm = instance.vm!;
    const recorder = instance.recorder!;
    if (vm.exited) return;
    if (instance.sender?.full) return; // the log is full: the primary stalls
    if (instance.pausedForSnapshot) return;
    this.injectInputs(instance);
    if (instance.idle) return;
    const before = vm.instret;
    const share = instance.sender !== null && instance.lag !== null ? instance.lag.share : 1;
    const budget = Math.max(1, Math.floor(instance.host.instructionBudget(this.ctx.config.sliceUs) * share));
    const reason = recorder.run(before + budget);
    this.instructionsExecuted += vm.instret - before;
    const stream = instance.sender === null ? -1 : instance.streamId;
    for (const observer of this.ctx.observers)
      observer.primaryRan?.(this.ft.name, instance.host.name, stream, vm.instret - before, reason);
    // The gate passes every output on at once; the agent applies the Output Rule (offer()).
    recorder.releaseOutputs();
    if (reason === 'wfi') instance.idle = true;
    if (reason === 'exit') this.ft.vmExited(instance, vm.exitCode);
    if (reason === 'fatal') this.ft.vmExited(instance, -1);
    if (instance.sender === null || instance.disengaged) return;
    instance.lag?.update(recorder.lagInstructions);
    const now = this.ctx.sim.now;
    if (now - instance.lastCheckpointUs >= this.ctx.config.checkpointIntervalUs) this.checkpoint(instance);
    this.shipLog(instance);
  }

  /** The primary's digest at this boundary, for the secondary to compare against (I1). */
  private checkpoint(instance: FtInstance): void {
    const vm = instance.vm!;
    instance.lastCheckpointUs = this.ctx.sim.now;
    const digest = vm.digest();
    // A primary that has been superseded (still running until it notices) keeps its old stream.
    if (instance.streamId !== this.ft.currentStreamId) return;
    this.ft.checkpoints.push({ instret: vm.instret, digest });
    if (this.ft.checkpoints.length > CHECKPOINTS_MAX) this.ft.checkpoints.shift();
    for (const observer of this.ctx.observers) {
      observer.primaryCheckpoint?.(this.ft.name, instance.streamId, vm.instret, digest);
    }
  }

  private injectInputs(instance: FtInstance): void {
    const vm = instance.vm!;
    const recorder = instance.recorder!;
    for (const input of instance.diskDone) {
      recorder.inject(input);
      if (input.kind === 'disk-done') instance.diskOutstanding.delete(input.id);
    }
    instance.diskDone = [];
    const compare = vm.timerCompare();
    if (compare <= this.ctx.sim.now && instance.timerInjectedFor !== compare) {
      recorder.inject({ kind: 'timer' });
      instance.timerInjectedFor = compare;
      instance.idle = false;
    }
    if (instance.nicQueue.length > 0 && vm.nicReady()) {
      recorder.inject({ kind: 'nic-rx', data: instance.nicQueue.shift()! });
      instance.idle = false;
    }
  }

  private shipLog(instance: FtInstance): void {
    const sender = instance.sender;
    const peer = instance.peer;
    if (sender === null || peer === null || instance.disengaged) return;
    const streamId = instance.streamId;
    const generation = instance.generation;
    const link = { source: instance.host.name, target: peer };
    const traced = this.ctx.sim.trace.detail >= TRACE_DETAIL_MESSAGES;
    for (let segment = sender.nextSegment(); segment !== null; segment = sender.nextSegment()) {
      const carried: LogSegment = segment;
      const info = traced
        ? {
            vm: this.ft.name,
            stream: streamId,
            from: carried.offset,
            to: carried.offset + carried.bytes.length,
          }
        : undefined;
      this.ctx.networks.logging.send(
        link,
        carried.bytes.length + MESSAGE_HEADER_BYTES,
        'log',
        () => this.segmentArrived(peer, streamId, generation, carried),
        info,
        this.ft.name,
      );
      for (const observer of this.ctx.observers) {
        observer.logShipped?.(
          this.ft.name,
          instance.host.name,
          instance.serial,
          carried.offset + carried.bytes.length,
          carried.bytes,
        );
      }
    }
  }

  /** Heartbeat tick on the primary: resend a stalled stream and keep the logging channel busy. */
  keepLogAlive(instance: FtInstance): void {
    const sender = instance.sender;
    if (!instance.isPrimary || sender === null || instance.peer === null || instance.disengaged) return;
    if (sender.ackedOffset === instance.ackedAtLastTick && sender.writtenBytes > sender.ackedOffset)
      sender.rewind();
    instance.ackedAtLastTick = sender.ackedOffset;
    this.shipLog(instance);
    const peer = instance.peer;
    const streamId = instance.streamId;
    const generation = instance.generation;
    const link = { source: instance.host.name, target: peer };
    const traced = this.ctx.sim.trace.detail >= TRACE_DETAIL_MESSAGES;
    const keepaliveInfo = traced ? { vm: this.ft.name, stream: streamId } : undefined;
    this.ctx.networks.logging.send(
      link,
      MESSAGE_HEADER_BYTES,
      'keepalive',
      () => {
        const secondary = this.ft.instanceOn(peer);
        if (secondary.streamId !== streamId || secondary.receiver === null || secondary.disengaged) return;
        secondary.lastLogTrafficUs = this.ctx.sim.now;
        this.learnGeneration(secondary, generation);
        if (this.ctx.behaviour.acksKeepalives) this.sendAck(secondary);
      },
      keepaliveInfo,
      this.ft.name,
    );
  }

  // --- secondary -------------------------------------------------------------------------------

  private segmentArrived(host: string, streamId: number, generation: number, segment: LogSegment): void {
    const secondary = this.ft.instanceOn(host);
    if (secondary.streamId !== streamId || secondary.receiver === null || secondary.disengaged) return;
    secondary.lastLogTrafficUs = this.ctx.sim.now;
    this.learnGeneration(secondary, generation);
    const result = secondary.receiver.deliver(segment);
    if (result === 'gap') {
      const sim = this.ctx.sim;
      if (sim.trace.detail >= TRACE_DETAIL_MESSAGES) {
        sim.trace.record(sim.now, 'info', host, {
          vm: this.ft.name,
          note: 'log-gap',
          expected: secondary.receiver.receivedBytes,
          got: segment.offset,
        });
      }
      return;
    }
    if (result === 'duplicate') {
      this.sendAck(secondary);
      return;
    }
    if (result === 'partial') {
      const receiver = secondary.receiver;
      for (const observer of this.ctx.observers) {
        observer.logOverrun?.(
          this.ft.name,
          host,
          segment.offset + segment.bytes.length,
          receiver.receivedBytes,
          receiver.bufferBytesMax,
        );
      }
    }
    this.ft.send(secondary, { type: 'LOG_ENTRY' });
  }

  /** A secondary learns the lock generation from its primary's traffic (traced when it changes). */
  private learnGeneration(secondary: FtInstance, generation: number): void {
    if (secondary.generation === generation) return;
    secondary.generation = generation;
    const sim = this.ctx.sim;
    sim.trace.record(sim.now, 'info', secondary.host.name, {
      vm: this.ft.name,
      note: 'generation',
      generation,
    });
  }

  private runSecondary(instance: FtInstance): void {
    const vm = instance.vm!;
    const replayer = instance.replayer!;
    if (vm.exited || replayer.fault !== null) return;
    const before = vm.instret;
    const suppressedBefore = replayer.suppressed.count;
    let left = instance.host.instructionBudget(this.ctx.config.sliceUs);
    const checkpoints = instance.streamId === this.ft.currentStreamId ? this.ft.checkpoints : [];
    while (left > 0 && replayer.fault === null && !vm.exited) {
      while (checkpoints.length > 0 && checkpoints[0]!.instret < vm.instret) checkpoints.shift();
      const next = checkpoints[0];
      const ran = replayer.advance(left, next?.instret);
      left -= ran;
      if (next !== undefined && vm.instret === next.instret) {
        const digest = vm.digest();
        for (const observer of this.ctx.observers) {
          observer.secondaryCheckpoint?.(
            this.ft.name,
            instance.streamId,
            instance.host.name,
            vm.instret,
            digest,
          );
        }
        checkpoints.shift();
        continue;
      }
      if (ran === 0) break;
    }
    this.instructionsReplayed += vm.instret - before;
    if (replayer.suppressed.count > suppressedBefore) this.traceSuppressed(instance, suppressedBefore);
    if (replayer.fault !== null) {
      for (const observer of this.ctx.observers)
        observer.replayFault?.(this.ft.name, instance.host.name, replayer.fault);
    }
    if (vm.instret > before) this.sendAck(instance);
  }

  /** Outputs the secondary's replay produced and kept from the world (the primary's count). */
  private traceSuppressed(instance: FtInstance, before: number): void {
    const sim = this.ctx.sim;
    if (sim.trace.detail < TRACE_DETAIL_MESSAGES) return;
    const suppressed = instance.replayer!.suppressed;
    sim.trace.record(sim.now, 'output', this.ft.name, {
      host: instance.host.name,
      op: 'suppress',
      outputs: suppressed.count - before,
      nic: instance.outputBase.nic + suppressed.packets.length,
    });
  }

  /** The secondary acknowledges what it holds (and reports how far it replayed). */
  sendAck(instance: FtInstance): void {
    const receiver = instance.receiver;
    const peer = instance.peer;
    if (receiver === null || peer === null || instance.vm === null || instance.disengaged) return;
    const ack = receiver.ack(instance.vm.instret);
    // The hypervisor knows how fast its VM runs: the primary scales its lag marks to it.
    const perMs = replaySpeedPerMs(instance.host);
    const streamId = instance.streamId;
    const link = { source: instance.host.name, target: peer };
    const info =
      this.ctx.sim.trace.detail >= TRACE_DETAIL_MESSAGES
        ? { vm: this.ft.name, stream: streamId, acked: ack.receivedBytes, replayed: ack.replayedInstret }
        : undefined;
    // The closure is passed inline: a named one costs a defineProperty per message under tsx
    // (esbuild's keepNames).
    this.ctx.networks.logging.send(
      link,
      MESSAGE_HEADER_BYTES,
      'ack',
      () => this.ackArrived(peer, streamId, perMs, ack),
      info,
      this.ft.name,
    );
  }

  /** The secondary's acknowledgement reached the primary's host. */
  private ackArrived(peer: string, streamId: number, perMs: number, ack: LogAck): void {
    const primary = this.ft.instanceOn(peer);
    if (primary.streamId !== streamId || primary.sender === null || primary.recorder === null) return;
    if (!primary.host.up) return;
    for (const observer of this.ctx.observers)
      observer.ackArrived?.(this.ft.name, primary.host.name, primary.serial, ack.receivedBytes);
    primary.lastLogTrafficUs = this.ctx.sim.now;
    primary.lag?.setMarks(LAG_HIGH_MS * perMs, LAG_LOW_MS * perMs);
    primary.recorder.onAck(ack);
    this.ft.secondaryEngaged(primary);
    // Held outputs go back to the agent whenever its state takes an acknowledged output: the
    // agent's machine alone decides the Output Rule, as in the model (which offers OUTPUT to any
    // state that reacts to it), not a second rule here.
    if (primary.agent.can(ACKED_OUTPUT)) this.flushStaged(primary);
    // Acting on it may have dropped the stream (a decision of the agent): then nothing to report.
    const sender = primary.sender as LogSender | null;
    if (sender === null) return;
    const written = sender.writtenBytes;
    for (const observer of this.ctx.observers) {
      observer.logAcked?.(
        this.ft.name,
        primary.host.name,
        primary.serial,
        ack.receivedBytes,
        ack.windowBytes,
        written,
      );
    }
  }

  sendHeartbeat(instance: FtInstance): void {
    const peer = instance.peer;
    if (peer === null) return;
    const streamId = instance.streamId;
    const sentUs = this.ctx.sim.now;
    const link = { source: instance.host.name, target: peer };
    const info = this.ctx.sim.trace.detail >= TRACE_DETAIL_MESSAGES ? { vm: this.ft.name } : undefined;
    this.ctx.networks.heartbeat.send(
      link,
      HEARTBEAT_BYTES,
      'heartbeat',
      () => {
        const target = this.ft.instanceOn(peer);
        if (target.streamId !== streamId) return;
        // Silence is measured by arrivals: a heartbeat proves its sender alive whenever it lands.
        target.lastHeartbeatUs = this.ctx.behaviour.heartbeatsDatedOnArrival
          ? this.ctx.sim.now
          : Math.max(target.lastHeartbeatUs, sentUs);
      },
      info,
      this.ft.name,
    );
  }

  // --- outputs ---------------------------------------------------------------------------------

  /** Notes the log position of each output the gate passes on (for the `acked` flag). */
  watchReleases(instance: FtInstance): void {
    const gate = instance.recorder!.gate;
    gate.onRelease = (output, ackedBytes) => {
      this.releasedEntryEnd = ackedBytes === Infinity ? 0 : output.entryEnd;
    };
    const observers = this.ctx.observers;
    const vm = this.ft.name;
    gate.onHold = (output) => {
      for (const observer of observers)
        observer.outputHeld?.(vm, instance.host.name, instance.serial, output.entryEnd);
    };
  }

  /**
   * Whether the secondary acknowledged an output's log entry, as the data-plane strategy judges
   * it (a seeded Output Rule bug judges wrongly). With no secondary there is nothing to wait for.
   */
  private acked(instance: FtInstance, entryEnd: number): boolean {
    const sender = instance.sender;
    if (sender === null) return true;
    return this.ctx.strategy.releasePolicy(entryEnd) <= sender.ackedOffset;
  }

  /** Where a primary's released outputs go: to the agent's releaseOutput decision first. */
  worldFor(instance: FtInstance): VmOutputs {
    const stage = (kind: StagedOutput['kind'], instret: number, bytes: Uint8Array, request?: DiskRequest) => {
      const index = instance.producedIndex(kind) + instance.staged.filter((s) => s.kind === kind).length;
      const entryEnd = this.releasedEntryEnd;
      this.releasedEntryEnd = 0;
      this.offer(instance, { kind, index, instret, entryEnd, bytes, request });
    };
    return {
      console: (byte, instret) => stage('console', instret, Uint8Array.of(byte)),
      nicTransmit: (data, instret) => stage('nic', instret, data),
      diskRequest: (request, instret) => {
        instance.diskOutstanding.set(request.id, request);
        stage('disk', instret, NO_BYTES, request);
      },
    };
  }

  private offer(instance: FtInstance, output: StagedOutput): void {
    if (instance.staged.length === 0 && this.tryRelease(instance, output)) return;
    instance.staged.push(output);
    const sim = this.ctx.sim;
    if (sim.trace.detail < TRACE_DETAIL_MESSAGES) return;
    sim.trace.record(sim.now, 'output', this.ft.name, {
      host: instance.host.name,
      op: 'hold',
      [output.kind]: output.index,
      entry: output.entryEnd,
      acked: instance.sender?.ackedOffset ?? null,
      held: instance.staged.length,
    });
  }

  private tryRelease(instance: FtInstance, output: StagedOutput): boolean {
    const acked = this.acked(instance, output.entryEnd);
    const commands = this.ft.send(instance, { type: 'OUTPUT_READY', acked });
    if (!commands.some((c) => c.type === 'releaseOutput')) return false;
    this.deliver(instance, output);
    return true;
  }

  /** Offers held-back outputs again (an acknowledgement arrived, or the instance went live). */
  flushStaged(instance: FtInstance): void {
    while (instance.staged.length > 0) {
      if (!this.tryRelease(instance, instance.staged[0]!)) return;
      instance.staged.shift();
    }
  }

  /**
   * Where a secondary's outputs go if its replayer lets them out (it must not: the seeded bug
   * 'output-not-suppressed' does): straight to the world, reported as from a non-primary.
   */
  secondaryWorldFor(instance: FtInstance): VmOutputs {
    const leak = (kind: StagedOutput['kind'], instret: number, bytes: Uint8Array, request?: DiskRequest) => {
      const index = instance.producedIndex(kind);
      // Reported and sent to clients; a leaked disk request is not performed (its completion
      // would reach a VM that is replaying and must take completions from the log only).
      this.deliver(instance, { kind, index, instret, entryEnd: 0, bytes, request }, request === undefined);
    };
    return {
      console: (byte, instret) => leak('console', instret, Uint8Array.of(byte)),
      nicTransmit: (data, instret) => leak('nic', instret, data),
      diskRequest: (request, instret) => leak('disk', instret, NO_BYTES, request),
    };
  }

  private deliver(instance: FtInstance, output: StagedOutput, perform = true): void {
    const { sim, observers } = this.ctx;
    instance.released[output.kind]++;
    if (sim.trace.detail >= TRACE_DETAIL_MESSAGES) this.traceRelease(instance, output);
    // The output's digest is taken once, for the first observer that wants it (a 512-byte
    // sector's hash per observer was a visible share of a fuzz run).
    let hash = -1;
    for (const observer of observers) {
      if (observer.worldOutput === undefined) continue;
      if (hash < 0)
        hash = output.request === undefined ? hashOutputBytes(output.bytes) : hashDiskRequest(output.request);
      observer.worldOutput({
        vm: this.ft.name,
        host: instance.host.name,
        serial: instance.serial,
        kind: output.kind,
        index: output.index,
        instret: output.instret,
        hash,
        acting: instance.acting,
      });
    }
    if (output.kind === 'console') {
      this.console(instance, output.bytes[0]!);
    } else if (output.kind === 'nic') {
      this.ctx.sendToClients(this.ft.name, instance.host.name, output.bytes);
    } else if (perform) {
      this.issueDisk(instance, output.request!);
    }
  }

  /**
   * An output let out to the world: its position in the execution, the log offset of the entry
   * that produced it and how much of the log the secondary had acknowledged (the Output Rule
   * holds it until `acked >= entry`), how many stay held, and whether the instance was acting.
   */
  private traceRelease(instance: FtInstance, output: StagedOutput): void {
    const sim = this.ctx.sim;
    const sender = instance.sender;
    const host = instance.host.name;
    const entry = output.entryEnd;
    const acked = sender === null ? null : sender.ackedOffset;
    const held = Math.max(0, instance.staged.length - 1);
    const acting = instance.acting;
    const index = output.index;
    // One literal per kind, not a computed key: the same fields in the same order, built fast.
    const detail: Record<string, string | number | boolean | null> =
      output.kind === 'console'
        ? { host, op: 'release', console: index, entry, acked, held, acting }
        : output.kind === 'nic'
          ? { host, op: 'release', nic: index, entry, acked, held, acting }
          : { host, op: 'release', disk: index, entry, acked, held, acting };
    if (output.kind === 'disk' && output.request !== undefined) {
      detail.disk_op = output.request.op;
      detail.sector = output.request.sector;
    }
    sim.trace.record(sim.now, 'output', this.ft.name, detail);
  }

  private console(instance: FtInstance, byte: number): void {
    this.ft.consoleText += String.fromCharCode(byte);
    if (byte !== 10) return;
    const lineStart = this.ft.consoleText.lastIndexOf('\n', this.ft.consoleText.length - 2) + 1;
    const line = this.ft.consoleText.slice(lineStart, -1);
    const sim = this.ctx.sim;
    if (sim.trace.detail >= TRACE_DETAIL_MESSAGES)
      sim.trace.record(sim.now, 'output', this.ft.name, { host: instance.host.name, line });
  }

  /** A client packet reached the host holding the VM's address. */
  clientPacket(host: string, bytes: Uint8Array): void {
    const instance = this.ft.instanceOn(host);
    const sim = this.ctx.sim;
    if (!instance.acting || instance.vm === null) {
      if (sim.trace.detail >= TRACE_DETAIL_MESSAGES)
        sim.trace.record(sim.now, 'drop', `${host}/${this.ft.name}`, { why: 'not-live' });
      return;
    }
    if (instance.nicQueue.length >= NIC_QUEUE_PACKETS_MAX) {
      if (sim.trace.detail >= TRACE_DETAIL_MESSAGES)
        sim.trace.record(sim.now, 'drop', `${host}/${this.ft.name}`, { why: 'nic-queue-full' });
      return;
    }
    instance.nicQueue.push(bytes);
    instance.idle = false;
  }

  // --- disk ------------------------------------------------------------------------------------

  /**
   * Performs a guest disk request on shared storage with the instance's generation. A storage
   * round trip slower than the timeout would time out on every retry while the array serves
   * each one: every timeout doubles the next wait (bounded), as the test-and-set does. The next
   * request starts one doubling below the wait that last worked (as TCP keeps its retransmission
   * timeout per connection): a slow array costs each request about one round trip, not the
   * whole ladder again, and a fast one brings the wait back down.
   */
  issueDisk(instance: FtInstance, request: DiskRequest, timeouts = instance.diskTimeoutLevel): void {
    const { storagePath, config } = this.ctx;
    const serial = instance.serial;
    const generation = instance.generation;
    instance.diskInFlight.set(request.id, request);
    instance.diskOutstanding.set(request.id, request);
    const op =
      request.op === 'write'
        ? { op: 'write' as const, vm: this.ft.name, generation, sector: request.sector, data: request.data! }
        : { op: 'read' as const, vm: this.ft.name, sector: request.sector, count: request.count };
    assert(request.op === 'read' || request.data !== undefined, 'a disk write carries data');
    const timeoutUs = config.storageTimeoutUs * 2 ** Math.min(timeouts, DISK_BACKOFF_DOUBLINGS_MAX);
    storagePath.request(
      instance.host,
      op,
      (reply) => this.diskReply(instance, request, serial, generation, timeouts, reply),
      timeoutUs,
    );
  }

  private diskReply(
    instance: FtInstance,
    request: DiskRequest,
    serial: number,
    generation: number,
    timeouts: number,
    reply: StorageReply,
  ): void {
    const { sim, config } = this.ctx;
    if (instance.serial !== serial || instance.vm === null || !instance.host.up) return;
    if (!reply.ok) {
      const backOff = reply.reason === 'timeout' && this.ctx.behaviour.diskRetryBacksOff;
      const next = backOff ? timeouts + 1 : timeouts;
      sim.after(config.storageRetryUs, () => {
        if (instance.serial === serial && instance.vm !== null) this.issueDisk(instance, request, next);
      });
      return;
    }
    instance.diskTimeoutLevel = Math.max(0, timeouts - 1);
    const value = reply.value;
    if (value.op === 'write' && !value.result.ok) {
      // Fenced: a newer generation owns the disk. If that is us (we won the lock since), retry. If
      // we do not know yet, our own test-and-set may have won with its reply still on its way (or
      // lost): keep the write until our generation moves on. A loser halts and drops it.
      if (instance.generation > generation) this.issueDisk(instance, request);
      else if (this.ctx.behaviour.parksFencedWrites) instance.fencedWrites.push(request);
      return;
    }
    this.complete(instance, request, value.op === 'read' ? value.data : undefined);
  }

  /** Sends the writes parked by a fence again, now that the instance holds a newer generation. */
  reissueFencedWrites(instance: FtInstance): void {
    const parked = instance.fencedWrites;
    if (parked.length === 0) return;
    instance.fencedWrites = [];
    for (const request of parked) this.issueDisk(instance, request);
  }

  private complete(instance: FtInstance, request: DiskRequest, data: Uint8Array | undefined): void {
    if (!instance.diskInFlight.delete(request.id)) return;
    instance.diskDone.push(
      data === undefined
        ? { kind: 'disk-done', id: request.id }
        : { kind: 'disk-done', id: request.id, data },
    );
    instance.idle = false;
    if (request.op !== 'write') return;
    for (const observer of this.ctx.observers) {
      observer.diskCompleted?.(this.ft.name, instance.host.name, request.id, true);
    }
  }
}
