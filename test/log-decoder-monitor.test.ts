// The secondary reads the log the primary wrote (LogDecoderMonitor, I1): every shipped segment goes
// through an instance of the product's LogReader at once, and each entry it returns must match the
// checker's own reading of the wire format. Fault hunt 9 wrote a reader that kept its delta base
// from an incomplete entry; the cluster's replayer read between the halves of a cut entry only
// rarely, so lockstep seldom broke. Seeded here by wrapping LogReader.next.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogDecoderMonitor } from '../src/check/monitors/log-decoder-monitor.ts';
import type { MonitorSink, Violation } from '../src/check/monitors/violation.ts';
import { encodeLog, LogReader } from '../src/lockstep/log-codec.ts';
import type { LogEntry } from '../src/lockstep/log-entry.ts';

const entries: LogEntry[] = [{ kind: 'start', instret: 5000 }];
for (let i = 1; i <= 40; i++) {
  entries.push({ kind: 'nondet', instret: 5000 + i * 300, source: 0, value: i * 977 });
  entries.push({
    kind: 'input',
    instret: 5000 + i * 300 + 7,
    input: { kind: 'nic-rx', data: new Uint8Array(i) },
  });
}
const stream = encodeLog(entries);

/** Ships the stream in segments of `size` bytes (every multi-byte entry gets cut somewhere). */
function shipInSegments(size: number) {
  const reported: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
  const sink: MonitorSink = { now: () => 0, position: () => 0, report: (v) => reported.push(v) };
  const monitor = new LogDecoderMonitor(sink);
  for (let from = 0; from < stream.length; from += size) {
    const to = Math.min(stream.length, from + size);
    monitor.logShipped('vm1', 'h1', 1, to, stream.subarray(from, to));
  }
  return reported;
}

describe('LogDecoderMonitor', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('passes the product reader on a stream cut at every possible place', () => {
    for (const size of [1, 2, 3, 5, 8, 13, 64]) expect(shipInSegments(size)).toEqual([]);
  });

  it('catches a reader that misreads the entry after a cut', () => {
    const original = LogReader.prototype.next;
    let cut = false;
    vi.spyOn(LogReader.prototype, 'next').mockImplementation(function (this: LogReader) {
      const entry = original.call(this);
      if (entry === null) {
        cut ||= this.queue.length > 0;
        return null;
      }
      // The fault: the delta of the entry left incomplete is applied again when it completes.
      const misread = cut && entry.kind !== 'start' ? { ...entry, instret: entry.instret + 7 } : entry;
      cut = false;
      return misread;
    });
    const reported = shipInSegments(3);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ invariant: 'I1', vm: 'vm1', host: 'h1' });
    expect(reported[0]!.message).toMatch(
      /the log reader the secondary replays with, given h1's stream of vm1 as it was shipped, read it as instruction (\d+) ending at byte \d+; the primary wrote instruction \d+ ending at byte \d+/,
    );
  });
});
