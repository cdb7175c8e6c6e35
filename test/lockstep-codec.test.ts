import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { logArb } from '../properties/arbitraries/log-stream.ts';
import { readInSegments } from '../properties/components/log-codec.ts';
import { LogReceiver, LogSender } from '../src/lockstep/log-channel.ts';
import { decodeLog, encodeLog, LogFormatError } from '../src/lockstep/log-codec.ts';
import type { LogEntry } from '../src/lockstep/log-entry.ts';
import { OutputGate } from '../src/lockstep/output-gate.ts';
import { OutputLog } from '../src/lockstep/output-log.ts';
import { Nondet } from '../src/vm/api.ts';

describe('log codec', () => {
  test.prop([logArb], { seed: 4, numRuns: 200 })('decode(encode(entries)) = entries', (entries) => {
    expect(decodeLog(encodeLog(entries))).toEqual(entries);
  });

  test.prop([logArb, fc.array(fc.nat(50), { minLength: 1, maxLength: 20 })], { seed: 5, numRuns: 100 })(
    'decodes the same entries however the stream is split into segments',
    (entries, cuts) => {
      // The component check's reader (properties/components/log-codec.ts), asserted here with toEqual.
      const { entries: decoded, left } = readInSegments(encodeLog(entries), cuts);
      expect(decoded).toEqual(entries);
      expect(left).toBe(0);
    },
  );

  it('spends about three bytes on a time read close to the previous one', () => {
    const entries: LogEntry[] = [{ kind: 'start', instret: 0 }];
    for (let i = 1; i <= 100; i++)
      entries.push({ kind: 'nondet', instret: i * 20, source: Nondet.TimeLo, value: 1000 + i * 3 });
    expect(encodeLog(entries).length).toBeLessThanOrEqual(2 + 100 * 3 + 2);
  });

  it('rejects unknown tags and truncated logs with the offset', () => {
    expect(() => decodeLog(Uint8Array.of(0x01, 0x00, 0x7f))).toThrow(
      /unknown log tag 0x7f at stream offset 2/,
    );
    const bytes = encodeLog([
      { kind: 'start', instret: 0 },
      { kind: 'input', instret: 3, input: { kind: 'nic-rx', data: new Uint8Array(10) } },
    ]);
    expect(() => decodeLog(bytes.subarray(0, bytes.length - 2))).toThrow(LogFormatError);
  });
});

describe('log channel', () => {
  it('never sends beyond the receiver window and frees the sender buffer on acks', () => {
    const sender = new LogSender({
      bufferBytesMax: 64 * 1024,
      receiverWindowBytes: 40_000,
      segmentBytesMax: 10_000,
    });
    const receiver = new LogReceiver({ bufferBytesMax: 40_000 });
    sender.writer.start(0);
    for (let i = 1; i <= 3000; i++) sender.writer.input({ kind: 'nic-rx', data: new Uint8Array(20) }, i);
    expect(sender.full).toBe(true);
    const sent: number[] = [];
    for (let s = sender.nextSegment(); s !== null; s = sender.nextSegment()) {
      expect(receiver.deliver(s)).toBe('accepted');
      sent.push(s.bytes.length);
    }
    expect(sent.reduce((a, b) => a + b, 0)).toBe(40_000);
    sender.onAck(receiver.ack(0));
    expect(sender.ackedOffset).toBe(40_000);
    expect(sender.nextSegment()).toBeNull();
    let decoded = 0;
    while (receiver.reader.next() !== null) decoded++;
    expect(decoded).toBeGreaterThan(1500);
    sender.onAck(receiver.ack(decoded));
    expect(sender.nextSegment()).not.toBeNull();
    expect(sender.full).toBe(false);
  });

  it('ignores duplicates, rejects gaps and resends after rewind', () => {
    const sender = new LogSender({ segmentBytesMax: 16 });
    const receiver = new LogReceiver();
    sender.writer.start(0);
    for (let i = 1; i <= 20; i++) sender.writer.progress(i * 1000);
    const first = sender.nextSegment()!;
    const second = sender.nextSegment()!;
    expect(receiver.deliver(second)).toBe('gap');
    expect(receiver.deliver(first)).toBe('accepted');
    expect(receiver.deliver(first)).toBe('duplicate');
    sender.onAck(receiver.ack(0));
    sender.rewind();
    expect(sender.nextSegment()!.offset).toBe(first.bytes.length);
  });
});

describe('output gate', () => {
  it('releases in order exactly when the acknowledgement covers the entry', () => {
    const gate = new OutputGate();
    const world = new OutputLog();
    gate.hold({ kind: 'console', byte: 65, instret: 1, entryEnd: 10 }, 0);
    gate.hold({ kind: 'console', byte: 66, instret: 2, entryEnd: 20 }, 0);
    expect(gate.release(9, world)).toBe(0);
    expect(gate.release(19, world)).toBe(1);
    expect(world.consoleText).toBe('A');
    expect(gate.release(20, world)).toBe(1);
    expect(world.consoleText).toBe('AB');
    expect(gate.outputsDelayed).toBe(2);
    expect(gate.heldPeak).toBe(2);
  });
});
