// VirtualMachine = RV32IM hart + RAM + MMIO devices (src/vm/README.md). It is the bus the hart
// talks to and the host each device talks to; all nondeterminism enters through `nondet` and
// `inject`, all output leaves through `outputs` (api.ts).
import { assert } from '../base/assert.ts';
import { BUS_FAULT, type Bus, type Counter } from '../rv32/bus.ts';
import { MIP_MEIP, MIP_MSIP, MIP_MTIP } from '../rv32/csr.ts';
import { Hart, Stop } from '../rv32/hart.ts';
import { CompiledEngine } from '../rv32/jit/compiled-engine.ts';
import {
  type DiskRequest,
  Nondet,
  type NondetSource,
  RAM_BASE,
  RAM_SIZE_DEFAULT,
  type StopReason,
  type VirtualMachineApi,
  type VmInput,
  type VmOutputs,
  type VmSnapshot,
} from './api.ts';
import { Clint } from './devices/clint.ts';
import type { Device, DeviceHost, DeviceState } from './devices/device.ts';
import { Disk } from './devices/disk.ts';
import { Entropy } from './devices/entropy.ts';
import { Nic } from './devices/nic.ts';
import { TestDevice } from './devices/test-device.ts';
import { Uart } from './devices/uart.ts';
import { parseElf } from './elf.ts';
import { DigestBuilder } from './state-digest.ts';

assert(Nondet.TimeLo === 0 && Nondet.TimeHi === 1, 'Nondet time kinds must equal rv32 Counter');
assert(Nondet.CycleLo === 2 && Nondet.CycleHi === 3, 'Nondet cycle kinds must equal rv32 Counter');

/** How guest code executes: compiled to JavaScript (src/rv32/jit), or the reference interpreter. */
export type VmEngine = 'interpreter' | 'compiled';
export const VM_ENGINES: readonly VmEngine[] = ['interpreter', 'compiled'];

export interface VmOptions {
  /** RAM size in bytes (multiple of 4), default 1 MiB. */
  ramSize?: number;
  /** Execution engine, default 'compiled'. Both give the same states at every boundary. */
  engine?: VmEngine;
  nondet?: NondetSource;
  outputs?: VmOutputs;
}

/** Answers every nondeterministic read with 0 (for VMs whose host has not attached a source). */
export const zeroNondet: NondetSource = { read: () => 0 };

/** Drops every output. */
export const discardOutputs: VmOutputs = {
  console: () => {},
  nicTransmit: () => {},
  diskRequest: (_request: DiskRequest) => {},
};

/** The CSRs a snapshot carries, in digest order. */
const SNAPSHOT_CSRS = [
  'mstatus',
  'mie',
  'mip',
  'mtvec',
  'mepc',
  'mcause',
  'mtval',
  'mscratch',
  'minstretOffsetLo',
  'minstretOffsetHi',
  'mcycleOffsetLo',
  'mcycleOffsetHi',
] as const;
const STOP_REASONS: StopReason[] = ['limit', 'exit', 'wfi', 'fatal'];
assert(
  STOP_REASONS[Stop.Limit] === 'limit' &&
    STOP_REASONS[Stop.Exit] === 'exit' &&
    STOP_REASONS[Stop.Wfi] === 'wfi',
  'StopReason order must follow rv32 Stop codes',
);
assert(STOP_REASONS[Stop.Fatal] === 'fatal', 'StopReason order must follow rv32 Stop codes');

export class VirtualMachine implements VirtualMachineApi, Bus, DeviceHost {
  readonly hart: Hart;
  nondet: NondetSource;
  outputs: VmOutputs;
  exited = false;
  exitCode = 0;
  readonly clint: Clint;
  readonly nic: Nic;
  readonly disk: Disk;
  /** Sorted by base address; looked up linearly (MMIO is rare next to RAM traffic). */
  private readonly devices: Device[];
  readonly engine: VmEngine;
  /** Created on the first run, so VMs that never run pay nothing for the code cache. */
  private compiled: CompiledEngine | null = null;

  constructor(options: VmOptions = {}) {
    const ramSize = options.ramSize ?? RAM_SIZE_DEFAULT;
    assert(
      Number.isInteger(ramSize) && ramSize > 0 && ramSize % 4 === 0,
      'ramSize must be a positive multiple of 4',
    );
    this.engine = options.engine ?? 'compiled';
    assert(VM_ENGINES.includes(this.engine), `engine must be one of ${VM_ENGINES.join(', ')}`);
    this.nondet = options.nondet ?? zeroNondet;
    this.outputs = options.outputs ?? discardOutputs;
    this.hart = new Hart({ ramBase: RAM_BASE, ramSizeBytes: ramSize, bus: this });
    this.clint = new Clint(this);
    this.nic = new Nic(this);
    this.disk = new Disk(this);
    this.devices = [new TestDevice(this), this.clint, new Uart(this), this.nic, this.disk, new Entropy(this)];
    this.devices.sort((a, b) => a.base - b.base);
    this.hart.pc = RAM_BASE;
  }

  /** A VM with the ELF's segments loaded and pc at its entry point. Throws ElfError. */
  static fromElf(bytes: Uint8Array, options: VmOptions = {}): VirtualMachine {
    const vm = new VirtualMachine(options);
    const image = parseElf(bytes, { ramBase: RAM_BASE, ramSizeBytes: vm.ramSize });
    for (const segment of image.segments) vm.hart.writeRam(segment.address, segment.data);
    vm.hart.pc = image.entry;
    return vm;
  }

  get ramSize(): number {
    return this.hart.ramSizeBytes;
  }
  get instret(): number {
    return this.hart.instret;
  }
  get pc(): number {
    return this.hart.pc;
  }
  /** Why the hart halted, when the last run returned 'fatal'. */
  get fatalReason(): string {
    return this.hart.fatalReason;
  }

  run(untilInstret: number): StopReason {
    if (this.exited) return 'exit';
    if (this.engine === 'interpreter') return STOP_REASONS[this.hart.run(untilInstret)]!;
    this.compiled ??= new CompiledEngine(this.hart);
    return STOP_REASONS[this.compiled.run(untilInstret)]!;
  }

  inject(input: VmInput): void {
    switch (input.kind) {
      case 'timer':
        this.clint.raiseTimer();
        return;
      case 'nic-rx':
        this.nic.receive(input.data);
        return;
      case 'disk-done':
        this.disk.complete(input.id, input.data, input.error ?? false);
        return;
    }
  }

  nicReady(): boolean {
    return this.nic.ready();
  }

  timerCompare(): number {
    return this.clint.compare();
  }

  timerPending(): boolean {
    return this.clint.timerLine;
  }

  // --- Bus (called by the hart) ---

  load(address: number, size: 1 | 2 | 4): number {
    const device = this.deviceAt(address, size);
    return device === null ? BUS_FAULT : device.load(address - device.base, size);
  }

  store(address: number, size: 1 | 2 | 4, value: number): boolean {
    const device = this.deviceAt(address, size);
    if (device === null) return false;
    return device.store(address - device.base, size, value);
  }

  readCounter(counter: Counter, instret: number): number {
    return this.nondet.read(counter, instret) >>> 0;
  }

  private deviceAt(address: number, size: number): Device | null {
    for (const device of this.devices) {
      if (address >= device.base && address + size <= device.base + device.sizeBytes) return device;
    }
    return null;
  }

  // --- DeviceHost (called by devices) ---

  inRam(address: number, length: number): boolean {
    return this.hart.inRam(address, length);
  }
  readRam(address: number, length: number): Uint8Array {
    return this.hart.readRam(address, length);
  }
  writeRam(address: number, data: Uint8Array): void {
    this.hart.writeRam(address, data);
  }
  updateInterrupts(): void {
    const external = this.nic.interruptPending() || this.disk.interruptPending();
    this.hart.mip =
      (this.clint.timerLine ? MIP_MTIP : 0) |
      (this.clint.msip !== 0 ? MIP_MSIP : 0) |
      (external ? MIP_MEIP : 0);
  }
  requestExit(code: number): void {
    this.exited = true;
    this.exitCode = code;
    this.hart.requestExit();
  }

  // --- State ---

  digest(): string {
    const hart = this.hart;
    const builder = new DigestBuilder().add(hart.pc).add(hart.instret);
    for (let i = 1; i < 32; i++) builder.add(hart.regs[i]!);
    const csrs = hart.getCsrState();
    for (const name of SNAPSHOT_CSRS) builder.add(csrs[name]);
    builder.add(hart.ramHash);
    for (const device of this.devices) builder.addString(device.name).addDevice(device.getState());
    builder.addDevice(this.hartBookkeeping());
    return builder
      .add(this.exited ? 1 : 0)
      .add(this.exitCode)
      .hex();
  }

  snapshot(): VmSnapshot {
    const devices: Record<string, DeviceState> = {};
    for (const device of this.devices) devices[device.name] = device.getState();
    devices.hart = this.hartBookkeeping();
    return {
      version: 1,
      instret: this.hart.instret,
      pc: this.hart.pc,
      regs: this.hart.regs.slice(),
      csrs: { ...this.hart.getCsrState() },
      ram: this.hart.ram8.slice(),
      devices,
      exited: this.exited,
      exitCode: this.exitCode,
    };
  }

  restore(snapshot: VmSnapshot): void {
    assert(snapshot.version === 1, `snapshot version ${snapshot.version} is not 1`);
    assert(snapshot.ram.length === this.ramSize, 'snapshot RAM size differs from this VM');
    assert(snapshot.regs.length === 32, 'snapshot must hold 32 registers');
    const hart = this.hart;
    hart.regs.set(snapshot.regs);
    hart.regs[0] = 0;
    hart.pc = snapshot.pc >>> 0;
    hart.instret = snapshot.instret;
    const csrs = snapshot.csrs;
    for (const name of SNAPSHOT_CSRS) assert(typeof csrs[name] === 'number', `snapshot CSR ${name} missing`);
    hart.setCsrState(csrs as Record<(typeof SNAPSHOT_CSRS)[number], number>);
    hart.loadRamImage(snapshot.ram);
    for (const device of this.devices) {
      const state = snapshot.devices[device.name];
      assert(state !== undefined, `snapshot has no state for device ${device.name}`);
      device.setState(state as DeviceState);
    }
    const bookkeeping = snapshot.devices.hart as DeviceState | undefined;
    assert(bookkeeping !== undefined, 'snapshot has no hart bookkeeping');
    hart.trapEntryInstret = bookkeeping.trapEntryInstret as number;
    hart.trapEntryPc = bookkeeping.trapEntryPc as number;
    hart.fatal = bookkeeping.fatal as boolean;
    hart.fatalReason = bookkeeping.fatalReason as string;
    this.exited = snapshot.exited;
    this.exitCode = snapshot.exitCode;
  }

  /** Hart state outside the architectural registers that still decides what happens next. */
  private hartBookkeeping(): DeviceState {
    return {
      trapEntryInstret: this.hart.trapEntryInstret,
      trapEntryPc: this.hart.trapEntryPc,
      fatal: this.hart.fatal,
      fatalReason: this.hart.fatalReason,
    };
  }
}
