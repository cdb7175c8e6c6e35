// The CPU's only window on the world outside RAM. RAM itself is reached through typed arrays
// (the fast path); every other address goes through these calls, which the VM routes to devices.

/** Returned by `Bus.load` for an address nothing answers: the CPU raises an access fault. */
export const BUS_FAULT = -1;

/** Which counter CSR is read (numerically equal to `Nondet.TimeLo..CycleHi` in src/vm/api.ts). */
export const Counter = {
  TimeLo: 0,
  TimeHi: 1,
  CycleLo: 2,
  CycleHi: 3,
} as const;
export type Counter = (typeof Counter)[keyof typeof Counter];

export interface Bus {
  /**
   * Load `size` bytes at an address outside RAM (`address` is unsigned). Returns the zero-extended
   * value, or `BUS_FAULT`. `instret` is the count before the loading instruction.
   */
  load(address: number, size: 1 | 2 | 4, instret: number): number;
  /** Store outside RAM. Returns false for an access fault. */
  store(address: number, size: 1 | 2 | 4, value: number, instret: number): boolean;
  /** `time`/`cycle` (+`h`) CSR reads: nondeterministic, answered by the host. Unsigned 32-bit. */
  readCounter(counter: Counter, instret: number): number;
}
