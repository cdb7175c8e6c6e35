import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { logArb } from '../properties/arbitraries/log-stream.ts';
import { LogScanError, LogScanner } from '../src/check/monitors/log-scanner.ts';
import { encodeLog } from '../src/lockstep/log-codec.ts';
import type { LogEntry } from '../src/lockstep/log-entry.ts';

type Seen = ['start', number] | ['output', number, number, number];

/** What the monitors need from a log: its start and each output entry with its end offset. */
function expected(entries: readonly LogEntry[]): Seen[] {
  const seen: Seen[] = [];
  entries.forEach((entry, i) => {
    if (entry.kind === 'start') seen.push(['start', entry.instret]);
    if (entry.kind === 'output') {
      seen.push(['output', entry.output, entry.instret, encodeLog(entries.slice(0, i + 1)).length]);
    }
  });
  return seen;
}

function scanInChunks(bytes: Uint8Array, cuts: readonly number[]): Seen[] {
  const scanner = new LogScanner();
  const seen: Seen[] = [];
  const sink = {
    start: (instret: number) => seen.push(['start', instret]),
    output: (kind: number, instret: number, end: number) => seen.push(['output', kind, instret, end]),
  };
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const end = Math.min(bytes.length, offset + 1 + cuts[i % cuts.length]!);
    scanner.push(bytes.subarray(offset, end));
    scanner.scan(sink);
    offset = end;
  }
  expect(scanner.tailOffset).toBe(bytes.length);
  return seen;
}

describe('the monitors’ own reading of the log wire format', () => {
  test.prop([logArb, fc.array(fc.nat(700), { minLength: 1, maxLength: 20 })], { seed: 11, numRuns: 150 })(
    'finds every start and output entry, where it ends, however the stream is cut into segments',
    (entries, cuts) => {
      expect(scanInChunks(encodeLog(entries), cuts)).toEqual(expected(entries));
    },
  );

  it('reads an entry split across segments once, with the delta base it was written against', () => {
    const entries: LogEntry[] = [
      { kind: 'start', instret: 1000 },
      { kind: 'progress', instret: 300_000 },
      { kind: 'output', instret: 400_000, output: 1 },
      { kind: 'output', instret: 400_010, output: 2 },
    ];
    // One byte at a time: every multi-byte entry arrives split.
    expect(scanInChunks(encodeLog(entries), [0])).toEqual(expected(entries));
  });

  it('refuses bytes the format does not allow, naming the stream offset', () => {
    const sink = { start: () => {}, output: () => {} };
    const scan = (bytes: number[]) => {
      const scanner = new LogScanner();
      scanner.push(Uint8Array.from(bytes));
      scanner.scan(sink);
    };
    expect(() => scan([0x01, 0x00, 0x7f, 0x00])).toThrow(/unknown log tag 0x7f at stream offset 2/);
    expect(() => scan([0x01, 0x00, 0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).toThrow(
      LogScanError,
    );
    // A nic-rx payload longer than any DMA transfer.
    expect(() => scan([0x01, 0x00, 0x04, 0x00, 0xff, 0xff, 0x7f])).toThrow(/payload of \d+ bytes/);
    // An instret delta that goes below zero.
    expect(() => scan([0x01, 0x05, 0x02, 0x0d])).toThrow(/names instruction -2/);
  });
});
