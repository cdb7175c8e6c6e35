// What the primary records: every nondeterministic event, stamped with the retired-instruction
// count at which it takes effect (api.ts: each count names exactly one instruction boundary).
//
// Stamps:
// - `input` (timer, nic-rx, disk-done) at N: injected at boundary N, before instruction N runs;
// - `nondet` at N: the answer to a synchronous read made by instruction N;
// - `output` at N: instruction N produced an output (lets the Output Rule name the entry that
//   must be acknowledged, and lets the secondary cross-check that it produced the same output);
// - `progress` at N: the primary has executed up to boundary N (the secondary may run to N);
// - `start` at N: a log stream begins at boundary N (fresh pair or respawned secondary).
import type { Nondet, VmInput } from '../vm/api.ts';

export const OutputKind = { Console: 0, Nic: 1, Disk: 2 } as const;
export type OutputKind = (typeof OutputKind)[keyof typeof OutputKind];
export const OUTPUT_KIND_NAMES = ['console', 'nic', 'disk'] as const;

export type LogEntry =
  | { kind: 'start'; instret: number }
  | { kind: 'progress'; instret: number }
  | { kind: 'nondet'; instret: number; source: Nondet; value: number }
  | { kind: 'input'; instret: number; input: VmInput }
  | { kind: 'output'; instret: number; output: OutputKind };

/** Wire tags (one byte each). Nondet and output tags carry their sub-kind in the low bits. */
export const Tag = {
  Start: 0x01,
  Progress: 0x02,
  Timer: 0x03,
  NicRx: 0x04,
  DiskDone: 0x05,
  NondetBase: 0x10,
  OutputBase: 0x20,
} as const;

/**
 * Where the recorder puts entries. `LogWriter` is the real one; seeded bugs wrap it (drop or
 * reorder entries) without the recorder knowing.
 */
export interface LogEntrySink {
  nondet(source: Nondet, instret: number, value: number): void;
  input(input: VmInput, instret: number): void;
  output(output: OutputKind, instret: number): void;
  progress(instret: number): void;
  /** Flushes anything a wrapper holds back (no-op for the writer). */
  flush(): void;
}

/** After an entry at instret N, how far the secondary may execute without seeing more log. */
export function safeLimitAfter(entry: LogEntry): number {
  switch (entry.kind) {
    case 'nondet':
    case 'output':
      return entry.instret + 1;
    default:
      return entry.instret;
  }
}

export function describeEntry(entry: LogEntry): string {
  switch (entry.kind) {
    case 'nondet':
      return `nondet(${entry.source})=${entry.value} @${entry.instret}`;
    case 'input':
      return `${entry.input.kind} @${entry.instret}`;
    case 'output':
      return `output(${OUTPUT_KIND_NAMES[entry.output]}) @${entry.instret}`;
    default:
      return `${entry.kind} @${entry.instret}`;
  }
}
