// The logging channel (src/lockstep/log-channel.ts) under a hostile transport: segments and
// acknowledgements are lost, duplicated, delayed and reordered, the sender rewinds whenever it
// likes (so retransmissions start mid-way through what the receiver already holds and end past
// it, and acknowledgements of what was sent before a rewind arrive after it), the primary keeps
// writing entries in between and the replayer consumes at its own pace. Whatever happens, the
// receiver's stream is a prefix of the sender's, byte for byte, and once the transport calms down
// everything written arrives; and the sender says it is full (the primary must stall) exactly when
// the log written and not yet acknowledged has reached its buffer's size.
//
// The cluster drives the channel in a narrow way (a rewind is followed at once by a send of all
// the window allows), so some of these interleavings never happen in a cluster run: a channel
// that breaks under them is correct only by the accident of its caller (fault hunt 14: a sender
// that no longer caught its send offset up with a late acknowledgement, invisible in every
// cluster run, read bytes it had already dropped here within three runs).
import fc from 'fast-check';
import { type LogAck, LogReceiver, type LogSegment, LogSender } from '../../src/lockstep/log-channel.ts';
import { LOG_ENTRY_BYTES_MAX } from '../../src/lockstep/log-codec.ts';
import type { ComponentCheck } from './component-check.ts';

export type LogChannelStep =
  | { op: 'write'; entries: number }
  | { op: 'writeLarge'; bytes: number }
  | { op: 'send' }
  | { op: 'deliver'; pick: number; duplicate: boolean }
  | { op: 'drop'; pick: number }
  | { op: 'ack'; pick: number }
  | { op: 'dropAck'; pick: number }
  | { op: 'rewind' }
  | { op: 'replay'; entries: number };

export interface LogChannelOptions {
  segmentBytesMax: number;
  windowBytes: number;
  /** The sender's buffer: unacknowledged bytes at which the primary stalls (default 1 MiB). */
  bufferBytesMax?: number;
}

const stepArb: fc.Arbitrary<LogChannelStep> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), entries: fc.integer({ min: 1, max: 40 }) }),
  // A received packet of a few KiB: the buffer fills within a few steps.
  fc.record({ op: fc.constant('writeLarge' as const), bytes: fc.integer({ min: 1000, max: 6000 }) }),
  fc.constant({ op: 'send' as const }),
  fc.record({ op: fc.constant('deliver' as const), pick: fc.nat(), duplicate: fc.boolean() }),
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('dropAck' as const), pick: fc.nat() }),
  fc.constant({ op: 'rewind' as const }),
  fc.record({ op: fc.constant('replay' as const), entries: fc.integer({ min: 1, max: 60 }) }),
);

const optionsArb: fc.Arbitrary<LogChannelOptions> = fc.record({
  segmentBytesMax: fc.integer({ min: 16, max: 600 }),
  // The receive buffer must hold the largest entry; a few KiB more keeps the window in play.
  windowBytes: fc.integer({ min: LOG_ENTRY_BYTES_MAX, max: LOG_ENTRY_BYTES_MAX + 8_000 }),
  // So must the sender's; near the window, so either may fill first.
  bufferBytesMax: fc.integer({ min: LOG_ENTRY_BYTES_MAX, max: LOG_ENTRY_BYTES_MAX + 16_000 }),
});

function take<T>(queue: T[], pick: number): T | undefined {
  if (queue.length === 0) return undefined;
  return queue.splice(pick % queue.length, 1)[0];
}

/** One adversarial run: the sender's stream and what the receiver took of it, in order. */
export function runLogChannel(options: LogChannelOptions, steps: readonly LogChannelStep[]) {
  const sender = new LogSender({
    segmentBytesMax: options.segmentBytesMax,
    receiverWindowBytes: options.windowBytes,
    bufferBytesMax: options.bufferBytesMax ?? 1 << 20,
    keepTranscript: true,
  });
  const bufferBytesMax = options.bufferBytesMax ?? 1 << 20;
  const receiver = new LogReceiver({ bufferBytesMax: options.windowBytes });
  const received: number[] = [];
  const inFlight: LogSegment[] = [];
  const acks: LogAck[] = [];
  let instret = 0;
  let replayed = 0;
  /** The furthest the acknowledgements the sender took reach (what it may drop). */
  let acked = 0;
  /** The first step after which the sender's "full" disagreed with its unacknowledged log. */
  let fullWrong: string | null = null;
  sender.writer.start(0);
  const takeAck = (ack: LogAck) => {
    sender.onAck(ack);
    acked = Math.max(acked, ack.receivedBytes);
  };

  const deliver = (segment: LogSegment) => {
    const before = receiver.receivedBytes;
    receiver.deliver(segment);
    // What the receiver took must be exactly the sender's bytes at those offsets.
    const taken = receiver.receivedBytes - before;
    const skip = before - segment.offset;
    for (let i = 0; i < taken; i++) received.push(segment.bytes[skip + i]!);
    acks.push(receiver.ack(replayed));
  };
  const replay = (entries: number) => {
    for (let i = 0; i < entries && receiver.reader.next() !== null; i++) replayed++;
  };

  for (const [index, step] of steps.entries()) {
    switch (step.op) {
      case 'writeLarge':
        instret += 1;
        sender.writer.input({ kind: 'nic-rx', data: new Uint8Array(step.bytes) }, instret);
        break;
      case 'write':
        for (let i = 0; i < step.entries; i++) {
          instret += 1 + (i % 7);
          if (i % 3 === 0)
            sender.writer.input({ kind: 'nic-rx', data: new Uint8Array(5 + (i % 11)) }, instret);
          else sender.writer.progress(instret);
        }
        break;
      case 'send':
        for (let s = sender.nextSegment(); s !== null; s = sender.nextSegment()) inFlight.push(s);
        break;
      case 'deliver': {
        const segment = take(inFlight, step.pick);
        if (segment === undefined) break;
        deliver(segment);
        if (step.duplicate) inFlight.push(segment);
        break;
      }
      case 'drop':
        take(inFlight, step.pick);
        break;
      case 'ack': {
        const ack = take(acks, step.pick);
        if (ack !== undefined) takeAck(ack);
        break;
      }
      case 'dropAck':
        take(acks, step.pick);
        break;
      case 'rewind':
        sender.rewind();
        break;
      case 'replay':
        replay(step.entries);
        break;
    }
    const unacknowledged = sender.writtenBytes - acked;
    if (fullWrong === null && sender.full !== unacknowledged >= bufferBytesMax) {
      fullWrong = `after step #${index} (${step.op}) the sender says ${sender.full ? 'full' : 'not full'} with ${unacknowledged} bytes written and not acknowledged, its buffer holding ${bufferBytesMax}`;
    }
  }
  // The transport calms down: in-order delivery, every ack arrives, the replayer keeps up.
  for (let round = 0; round < 10_000 && receiver.receivedBytes < sender.writtenBytes; round++) {
    sender.rewind();
    for (let s = sender.nextSegment(); s !== null; s = sender.nextSegment()) deliver(s);
    replay(Number.MAX_SAFE_INTEGER);
    for (const ack of acks.splice(0)) takeAck(ack);
    takeAck(receiver.ack(replayed));
  }
  return { sent: sender.transcriptBytes(), received: Uint8Array.from(received), receiver, fullWrong };
}

/** Where two byte streams first differ (-1: neither is longer and no byte differs). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export const logChannelCheck: ComponentCheck = {
  name: 'log-channel',
  component: 'src/lockstep/log-channel.ts (LogSender, LogReceiver)',
  invariant: 'I1',
  claim:
    "under loss, duplication, reordering, late acknowledgements and rewinds, the receiver's stream is a byte-exact prefix of the sender's, all of it once the transport calms down, and the sender is full exactly when its unacknowledged log fills its buffer",
  property: () =>
    fc.property(optionsArb, fc.array(stepArb, { maxLength: 120, size: 'max' }), (options, steps) => {
      const { sent, received, fullWrong } = runLogChannel(options, steps);
      if (fullWrong !== null)
        throw new Error(`${fullWrong}: the primary must stall exactly when its log buffer is full`);
      const at = firstDifference(received, sent);
      if (at < 0) return;
      throw new Error(
        at < Math.min(received.length, sent.length)
          ? `the receiver took byte ${at} of the log as ${received[at]}, the sender wrote ${sent[at]}`
          : `the receiver holds ${received.length} bytes of the log once the transport calmed down, the sender wrote ${sent.length}`,
      );
    }),
};
