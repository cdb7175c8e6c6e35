// A record of outputs in the order they were produced: what the outside world saw (released by
// the primary), what a secondary produced (suppressed), what the reference replay produced.
import type { DiskRequest, VmOutputs } from '../vm/api.ts';

export class OutputLog implements VmOutputs {
  readonly consoleBytes: number[] = [];
  readonly packets: Uint8Array[] = [];
  readonly diskRequests: DiskRequest[] = [];

  console(byte: number): void {
    this.consoleBytes.push(byte);
  }
  nicTransmit(data: Uint8Array): void {
    this.packets.push(data);
  }
  diskRequest(request: DiskRequest): void {
    this.diskRequests.push(request);
  }

  get consoleText(): string {
    return Buffer.from(this.consoleBytes).toString('latin1');
  }

  get count(): number {
    return this.consoleBytes.length + this.packets.length + this.diskRequests.length;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameRequest(a: DiskRequest, b: DiskRequest): boolean {
  return (
    a.id === b.id &&
    a.op === b.op &&
    a.sector === b.sector &&
    a.count === b.count &&
    sameBytes(a.data, b.data)
  );
}

/** The first difference between two output streams (`seen` by the world, `expected`), or null. */
export function firstOutputDifference(seen: OutputLog, expected: OutputLog): string | null {
  const c = firstMismatch(seen.consoleBytes, expected.consoleBytes, (x, y) => x === y);
  if (c !== null) {
    return `console byte #${c}: world saw ${seen.consoleBytes[c] ?? 'nothing'}, expected ${expected.consoleBytes[c] ?? 'nothing'} (world saw ${seen.consoleBytes.length} bytes, expected ${expected.consoleBytes.length})`;
  }
  const p = firstMismatch(seen.packets, expected.packets, sameBytes);
  if (p !== null) {
    return `NIC packet #${p} differs (world saw ${seen.packets.length} packets, expected ${expected.packets.length})`;
  }
  const d = firstMismatch(seen.diskRequests, expected.diskRequests, sameRequest);
  if (d !== null) {
    return `disk request #${d} differs (world saw ${seen.diskRequests.length} requests, expected ${expected.diskRequests.length})`;
  }
  return null;
}

function firstMismatch<T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!same(a[i]!, b[i]!)) return i;
  return a.length === b.length ? null : n;
}
