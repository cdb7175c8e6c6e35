// The virtual machine's contract with everything above it (lockstep, cluster, checks).
//
// The VM is a pure function of its initial image and the input stream that reaches it through
// this interface: synchronous nondeterministic reads (`NondetSource`) and asynchronous inputs
// injected at instruction boundaries (`VmInput`). Every effect on the outside world leaves
// through `VmOutputs`. Record/replay wraps exactly these two doors.

/** Memory map (QEMU `virt` compatible where a device exists there). See src/vm/README.md. */
export const RAM_BASE = 0x8000_0000;
export const RAM_SIZE_DEFAULT = 1 << 20;
export const TEST_DEVICE_BASE = 0x0010_0000;
export const CLINT_BASE = 0x0200_0000;
export const UART_BASE = 0x1000_0000;
export const NIC_BASE = 0x1100_0000;
export const DISK_BASE = 0x1100_1000;
export const ENTROPY_BASE = 0x1100_2000;
export const DISK_SECTOR_BYTES = 512;
export const DISK_SECTORS_PER_REQUEST_MAX = 64;

/**
 * What a nondeterministic read asks for. Plain numbers so the hot path never allocates:
 * TimeLo/TimeHi = `time`/`timeh` CSRs (host clock, microseconds); CycleLo/CycleHi = `cycle`/`cycleh`;
 * MtimeLo/MtimeHi = CLINT `mtime` words (MMIO); Entropy = the entropy register.
 */
export const Nondet = {
  TimeLo: 0,
  TimeHi: 1,
  CycleLo: 2,
  CycleHi: 3,
  MtimeLo: 4,
  MtimeHi: 5,
  Entropy: 6,
} as const;
export type Nondet = (typeof Nondet)[keyof typeof Nondet];
export const NONDET_KIND_COUNT = 7;

/**
 * Answers nondeterministic reads while an instruction executes. `instret` is the retired count
 * *before* the reading instruction (the value the instruction is stamped with). Must return an
 * unsigned 32-bit value.
 */
export interface NondetSource {
  read(kind: Nondet, instret: number): number;
}

/** Inputs from the outside world, applied between instructions by `VirtualMachine.inject`. */
export type VmInput =
  /** Machine timer interrupt line raised (host time reached `mtimecmp`). */
  | { kind: 'timer' }
  /** A packet arrives: DMA into the NIC receive buffer, raise the NIC interrupt. */
  | { kind: 'nic-rx'; data: Uint8Array }
  /** A disk request finished: for a read, `data` is DMA'd into the request's buffer. */
  | { kind: 'disk-done'; id: number; data?: Uint8Array; error?: boolean };

export interface DiskRequest {
  /** Per-VM sequence number of the request (deterministic). */
  id: number;
  op: 'read' | 'write';
  sector: number;
  count: number;
  /** For writes: a copy of the guest buffer taken when the doorbell was rung. */
  data?: Uint8Array;
}

/** Everything the guest does to the outside world. Called synchronously during `run`. */
export interface VmOutputs {
  /** A byte written to the UART transmit register. */
  console(byte: number, instret: number): void;
  /** The guest rang the NIC transmit doorbell; `data` is a copy. */
  nicTransmit(data: Uint8Array, instret: number): void;
  /** The guest rang the disk doorbell. */
  diskRequest(request: DiskRequest, instret: number): void;
}

/** Why `run` returned. */
export type StopReason =
  /** The requested instruction count was reached exactly. */
  | 'limit'
  /** The guest wrote the exit device. `exitCode` holds the code. */
  | 'exit'
  /** The guest executed `wfi` with no enabled interrupt pending: idle until an input arrives. */
  | 'wfi'
  /** A trap could not be handled (trap vector unmapped or trap inside the trap entry). */
  | 'fatal';

/** Architectural snapshot: enough to clone a running VM onto another host. */
export interface VmSnapshot {
  version: 1;
  instret: number;
  pc: number;
  regs: Int32Array;
  csrs: Record<string, number>;
  ram: Uint8Array;
  devices: Record<string, unknown>;
  exited: boolean;
  exitCode: number;
}

/** A difference between two VMs' states, as reported by a lockstep divergence. */
export interface StateDifference {
  what: 'pc' | 'register' | 'csr' | 'memory' | 'device' | 'instret';
  /** Register name, CSR name, hex address or device field. */
  where: string;
  primary: string;
  secondary: string;
}

/**
 * The public face of `VirtualMachine` (src/vm/machine.ts). `instret` counts every executed
 * instruction, including one that raises a synchronous exception (its trap entry is its effect);
 * taking an interrupt does not count. So each count names exactly one instruction boundary, which
 * is what record/replay stamps its log entries with.
 */
export interface VirtualMachineApi {
  readonly ramSize: number;
  /** Retired-instruction count (see above). */
  readonly instret: number;
  readonly pc: number;
  readonly exited: boolean;
  readonly exitCode: number;
  /** Where synchronous nondeterministic reads are answered. Replaceable at any boundary. */
  nondet: NondetSource;
  /** Where outputs go. Replaceable at any boundary (a secondary's are suppressed). */
  outputs: VmOutputs;
  /**
   * Execute until `instret === untilInstret` (exactly), or the guest exits, idles in `wfi`, or
   * hits a fatal trap. Interrupts are taken only at instruction boundaries.
   */
  run(untilInstret: number): StopReason;
  /** Apply an input at the current instruction boundary. */
  inject(input: VmInput): void;
  /** True when the NIC receive buffer is free and armed (a `nic-rx` would be accepted). */
  nicReady(): boolean;
  /** 64-bit `mtimecmp` as a number (for hosts deciding when to raise `timer`). */
  timerCompare(): number;
  /** The CLINT's timer line: raised by a `timer` input, lowered when the guest writes `mtimecmp`. */
  timerPending(): boolean;
  /** Digest of pc, registers, CSRs, RAM and device state; RAM part maintained incrementally. */
  digest(): string;
  snapshot(): VmSnapshot;
  restore(snapshot: VmSnapshot): void;
}
