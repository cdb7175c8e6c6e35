// What differs between two snapshots, for lockstep divergence reports: instret, pc, registers,
// CSRs, the first differing RAM words and device fields, in that order.
import type { StateDifference, VmSnapshot } from './api.ts';

export const REGISTER_NAMES = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
] as const;

export interface DifferenceOptions {
  /** At most this many differing memory words are listed (default 8). */
  memoryWordsMax?: number;
  /** RAM base address for naming memory locations (default 0x8000_0000). */
  ramBase?: number;
}

export function describeDifferences(
  primary: VmSnapshot,
  secondary: VmSnapshot,
  options: DifferenceOptions = {},
): StateDifference[] {
  const differences: StateDifference[] = [];
  const push = (what: StateDifference['what'], where: string, a: string, b: string) => {
    if (a !== b) differences.push({ what, where, primary: a, secondary: b });
  };
  push('instret', 'instret', String(primary.instret), String(secondary.instret));
  push('pc', 'pc', hex(primary.pc), hex(secondary.pc));
  for (let i = 1; i < 32; i++) {
    push('register', `x${i} (${REGISTER_NAMES[i]})`, hex(primary.regs[i]!), hex(secondary.regs[i]!));
  }
  for (const name of unionKeys(primary.csrs, secondary.csrs)) {
    push('csr', name, hexOrMissing(primary.csrs[name]), hexOrMissing(secondary.csrs[name]));
  }
  differences.push(...memoryDifferences(primary.ram, secondary.ram, options));
  for (const device of unionKeys(primary.devices, secondary.devices)) {
    const a = (primary.devices[device] ?? {}) as Record<string, unknown>;
    const b = (secondary.devices[device] ?? {}) as Record<string, unknown>;
    for (const field of unionKeys(a, b)) push('device', `${device}.${field}`, show(a[field]), show(b[field]));
  }
  push(
    'device',
    'exit',
    show([primary.exited, primary.exitCode]),
    show([secondary.exited, secondary.exitCode]),
  );
  return differences;
}

function memoryDifferences(a: Uint8Array, b: Uint8Array, options: DifferenceOptions): StateDifference[] {
  const base = options.ramBase ?? 0x8000_0000;
  const wordsMax = options.memoryWordsMax ?? 8;
  const found: StateDifference[] = [];
  if (a.length !== b.length) {
    found.push({ what: 'memory', where: 'size', primary: String(a.length), secondary: String(b.length) });
  }
  const length = Math.min(a.length, b.length) & ~3;
  for (let offset = 0; offset < length && found.length < wordsMax; offset += 4) {
    if (
      a[offset] === b[offset] &&
      a[offset + 1] === b[offset + 1] &&
      a[offset + 2] === b[offset + 2] &&
      a[offset + 3] === b[offset + 3]
    ) {
      continue;
    }
    found.push({
      what: 'memory',
      where: hex(base + offset),
      primary: hex(word(a, offset)),
      secondary: hex(word(b, offset)),
    });
  }
  return found;
}

function word(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

function hexOrMissing(value: number | undefined): string {
  return value === undefined ? '(missing)' : hex(value);
}

function show(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}
