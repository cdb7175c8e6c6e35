// The primary side of lockstep: wraps a VM's two doors. Every nondeterministic read and every
// injected input is answered/applied and written to the log; every output is logged and then held
// by the Output Rule until the secondary acknowledges that entry. The VM itself never waits.
import { assert } from '../base/assert.ts';
import type {
  DiskRequest,
  Nondet,
  NondetSource,
  StopReason,
  VirtualMachineApi,
  VmInput,
  VmOutputs,
} from '../vm/api.ts';
import type { LogAck, LogSender } from './log-channel.ts';
import { type LogEntrySink, OutputKind } from './log-entry.ts';
import { type HeldOutput, OutputGate } from './output-gate.ts';
import { correctStrategy, type DataPlaneStrategy } from './strategy.ts';

export interface PrimaryRecorderOptions {
  vm: VirtualMachineApi;
  /** Answers the VM's nondeterministic reads (the primary's host). */
  source: NondetSource;
  /** Where released outputs go: the outside world. */
  world: VmOutputs;
  /** The log's sending end; null runs the VM alone (no log, outputs released at once). */
  sender: LogSender | null;
  strategy?: DataPlaneStrategy;
}

export class PrimaryRecorder implements NondetSource, VmOutputs {
  readonly vm: VirtualMachineApi;
  readonly gate: OutputGate;
  readonly strategy: DataPlaneStrategy;
  private readonly source: NondetSource;
  private readonly world: VmOutputs;
  private senderOrNull: LogSender | null = null;
  private sink: LogEntrySink | null = null;
  nondetReads = 0;
  inputsInjected = 0;

  constructor(options: PrimaryRecorderOptions) {
    this.vm = options.vm;
    this.source = options.source;
    this.world = options.world;
    this.strategy = options.strategy ?? correctStrategy;
    this.gate = new OutputGate(this.strategy.releasePolicy);
    this.vm.nondet = this;
    this.vm.outputs = this;
    if (options.sender !== null) this.attachSecondary(options.sender);
  }

  get sender(): LogSender | null {
    return this.senderOrNull;
  }

  /** Instructions the secondary is behind, as of its last acknowledgement. */
  get lagInstructions(): number {
    return this.senderOrNull === null ? 0 : this.vm.instret - this.senderOrNull.replayedInstret;
  }

  /** Starts logging to a (new) secondary from the current boundary (engage or respawn). */
  attachSecondary(sender: LogSender): void {
    assert(this.gate.heldCount === 0, 'attach a secondary only with no outputs held');
    assert(sender.writtenBytes === 0, 'a new secondary needs a fresh log stream');
    this.senderOrNull = sender;
    this.sink = this.strategy.wrapSink(sender.writer);
    sender.writer.start(this.vm.instret);
  }

  /** Disengages: no more logging, every held output is released (nobody is left to wait for). */
  dropSecondary(): void {
    this.sink?.flush();
    this.senderOrNull = null;
    this.sink = null;
    this.gate.releaseAll(this.world);
  }

  /** Applies an input at the current boundary and logs it. */
  inject(input: VmInput): void {
    const instret = this.vm.instret;
    this.sink?.input(input, instret);
    this.vm.inject(input);
    this.inputsInjected++;
  }

  /** Runs the VM, then logs how far it got so the secondary may follow. */
  run(untilInstret: number): StopReason {
    const reason = this.vm.run(untilInstret);
    this.markProgress();
    return reason;
  }

  /** Writes a progress entry if the VM is past everything logged so far. */
  markProgress(): void {
    if (this.sink === null) return;
    if (this.vm.instret > this.senderOrNull!.writer.safeLimit) this.sink.progress(this.vm.instret);
    this.sink.flush();
    this.senderOrNull!.notePeak();
  }

  /** Takes an acknowledgement and releases the outputs it covers. */
  onAck(ack: LogAck): void {
    assert(this.senderOrNull !== null, 'ack received with no secondary attached');
    this.senderOrNull.onAck(ack);
    this.releaseOutputs();
  }

  releaseOutputs(): number {
    if (this.senderOrNull === null) return this.gate.releaseAll(this.world);
    return this.gate.release(this.senderOrNull.ackedOffset, this.world);
  }

  read(kind: Nondet, instret: number): number {
    const value = this.source.read(kind, instret) >>> 0;
    this.nondetReads++;
    this.sink?.nondet(kind, instret, value);
    return value;
  }

  console(byte: number, instret: number): void {
    this.hold({ kind: 'console', byte, instret, entryEnd: 0 }, OutputKind.Console);
  }

  nicTransmit(data: Uint8Array, instret: number): void {
    this.hold({ kind: 'nic', data, instret, entryEnd: 0 }, OutputKind.Nic);
  }

  diskRequest(request: DiskRequest, instret: number): void {
    this.hold({ kind: 'disk', request, instret, entryEnd: 0 }, OutputKind.Disk);
  }

  private hold(output: HeldOutput, kind: OutputKind): void {
    if (this.sink === null) {
      this.gate.hold(output, Infinity);
      this.gate.releaseAll(this.world);
      return;
    }
    this.sink.output(kind, output.instret);
    output.entryEnd = this.senderOrNull!.writtenBytes;
    this.gate.hold(output, this.senderOrNull!.ackedOffset);
  }
}
