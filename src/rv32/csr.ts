// CSR numbers, trap causes and status bits of the machine-mode-only RV32IM+Zicsr hart.

export const Csr = {
  mstatus: 0x300,
  misa: 0x301,
  mie: 0x304,
  mtvec: 0x305,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  /** Writable machine counters; `cycle`/`instret` (+`h`) are their read-only user shadows. */
  mcycle: 0xb00,
  minstret: 0xb02,
  mcycleh: 0xb80,
  minstreth: 0xb82,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  cycleh: 0xc80,
  timeh: 0xc81,
  instreth: 0xc82,
} as const;

/** Synchronous exception causes (`mcause` with bit 31 clear). */
export const Cause = {
  misalignedFetch: 0,
  fetchAccess: 1,
  illegalInstruction: 2,
  breakpoint: 3,
  loadAccess: 5,
  storeAccess: 7,
  ecallM: 11,
} as const;

/** Interrupt codes (`mcause` = 0x8000_0000 | code); also the bit index in `mip`/`mie`. */
export const Interrupt = {
  software: 3,
  timer: 7,
  external: 11,
} as const;

export const MIP_MSIP = 1 << Interrupt.software;
export const MIP_MTIP = 1 << Interrupt.timer;
export const MIP_MEIP = 1 << Interrupt.external;
/** The interrupt bits that exist on this hart (writable in `mie`). */
export const MIE_MASK = MIP_MSIP | MIP_MTIP | MIP_MEIP;

export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_MPIE = 1 << 7;
/** MPP is hard-wired to 3 (machine mode is the only mode). */
export const MSTATUS_MPP = 3 << 11;

/** MXL = 1 (32-bit), extensions I and M. */
export const MISA_VALUE = (1 << 30) | (1 << 8) | (1 << 12);
