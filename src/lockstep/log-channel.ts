// The logging channel's two ends, independent of how bytes travel and how time advances: the
// in-process pair hands segments over directly; the cluster simulation puts them on a simulated
// network. The sender keeps every byte until it is acknowledged (so a lost segment can be resent
// after `rewind`) and never sends beyond the receiver's advertised window; the receiver accepts
// bytes in stream order only and acknowledges what it holds, how much room it has left and how
// far its VM has replayed.
import { assert } from '../base/assert.ts';
import { ByteQueue } from './byte-queue.ts';
import { LOG_ENTRY_BYTES_MAX, LogReader, LogWriter } from './log-codec.ts';

/** A run of log bytes starting at stream offset `offset`. */
export interface LogSegment {
  offset: number;
  bytes: Uint8Array;
}

/** The secondary's acknowledgement. */
export interface LogAck {
  /** Stream offset just past the last byte received (everything before it is acknowledged). */
  receivedBytes: number;
  /** Free space in the receive buffer: the sender may send up to `receivedBytes + windowBytes`. */
  windowBytes: number;
  /** The secondary VM's retired-instruction count (for the execution lag). */
  replayedInstret: number;
}

export interface LogSenderOptions {
  /**
   * Unacknowledged bytes at which the primary stalls. Default 1 MiB. The driver checks between
   * slices, so the buffer may exceed this by the entries of one slice (`bufferedBytesPeak`).
   */
  bufferBytesMax?: number;
  /** Largest segment handed to the transport. Default 64 KiB. */
  segmentBytesMax?: number;
  /** The receiver's buffer size (its window before the first ack). Default 1 MiB. */
  receiverWindowBytes?: number;
  /** Keep a copy of the whole stream (reference oracle, determinism checks). Default false. */
  keepTranscript?: boolean;
}

export const LOG_BUFFER_BYTES_DEFAULT = 1 << 20;

export class LogSender {
  readonly writer: LogWriter;
  readonly bufferBytesMax: number;
  readonly segmentBytesMax: number;
  private sentOffset = 0;
  private windowEnd: number;
  ackedOffset = 0;
  replayedInstret = 0;
  segmentsSent = 0;
  bytesSent = 0;
  bufferedBytesPeak = 0;
  private readonly transcript: ByteQueue | null;

  constructor(options: LogSenderOptions = {}) {
    this.bufferBytesMax = options.bufferBytesMax ?? LOG_BUFFER_BYTES_DEFAULT;
    this.segmentBytesMax = options.segmentBytesMax ?? 64 * 1024;
    assert(
      this.bufferBytesMax >= LOG_ENTRY_BYTES_MAX,
      'LogSender bufferBytesMax must hold the largest entry',
    );
    assert(this.segmentBytesMax >= 16, 'LogSender segmentBytesMax must be at least 16 bytes');
    this.windowEnd = options.receiverWindowBytes ?? LOG_BUFFER_BYTES_DEFAULT;
    this.writer = new LogWriter(new ByteQueue(Math.min(this.bufferBytesMax, 64 * 1024)));
    this.transcript = options.keepTranscript ? new ByteQueue() : null;
  }

  /** The whole stream written so far (requires `keepTranscript`). */
  transcriptBytes(): Uint8Array {
    assert(this.transcript !== null, 'LogSender was created without keepTranscript');
    this.extendTranscript(this.writer.offset);
    return this.transcript.copyRange(0, this.transcript.tailOffset);
  }

  private extendTranscript(toOffset: number): void {
    if (this.transcript === null || toOffset <= this.transcript.tailOffset) return;
    this.transcript.pushBytes(this.writer.queue.copyRange(this.transcript.tailOffset, toOffset));
  }

  /** Bytes written and not yet acknowledged. */
  get bufferedBytes(): number {
    return this.writer.queue.length;
  }

  /** True when the primary must not execute further (the buffer is full). */
  get full(): boolean {
    return this.bufferedBytes >= this.bufferBytesMax;
  }

  /** Stream offset just past the last byte written. */
  get writtenBytes(): number {
    return this.writer.offset;
  }

  /** Bytes of the stream sent so far (a rewind moves this back to the acknowledged offset). */
  get sentBytes(): number {
    return this.sentOffset;
  }

  /** Bytes written but not yet handed to the transport. */
  get unsentBytes(): number {
    return this.writer.offset - this.sentOffset;
  }

  /** The next segment to transmit (within the receiver's window), or null. */
  nextSegment(): LogSegment | null {
    const end = Math.min(this.writer.offset, this.windowEnd, this.sentOffset + this.segmentBytesMax);
    if (end <= this.sentOffset) return null;
    this.extendTranscript(end);
    const segment = { offset: this.sentOffset, bytes: this.writer.queue.copyRange(this.sentOffset, end) };
    this.sentOffset = end;
    this.segmentsSent++;
    this.bytesSent += segment.bytes.length;
    return segment;
  }

  onAck(ack: LogAck): void {
    assert(ack.receivedBytes <= this.writer.offset, 'ack acknowledges bytes never written');
    if (ack.receivedBytes >= this.ackedOffset) {
      this.ackedOffset = ack.receivedBytes;
      this.writer.queue.dropTo(ack.receivedBytes);
      this.windowEnd = ack.receivedBytes + ack.windowBytes;
      this.replayedInstret = Math.max(this.replayedInstret, ack.replayedInstret);
    }
    if (this.sentOffset < this.ackedOffset) this.sentOffset = this.ackedOffset;
  }

  /** Resend everything not yet acknowledged (the transport lost or reordered segments). */
  rewind(): void {
    this.sentOffset = this.ackedOffset;
  }

  /** Records the peak of the buffer (call after writing). */
  notePeak(): void {
    if (this.bufferedBytes > this.bufferedBytesPeak) this.bufferedBytesPeak = this.bufferedBytes;
  }
}

export interface LogReceiverOptions {
  /** Receive buffer size. Default 1 MiB. */
  bufferBytesMax?: number;
}

export type DeliverResult = 'accepted' | 'duplicate' | 'gap' | 'partial';

export class LogReceiver {
  readonly reader: LogReader;
  readonly bufferBytesMax: number;
  segmentsRejected = 0;
  bufferedBytesPeak = 0;

  constructor(options: LogReceiverOptions = {}) {
    this.bufferBytesMax = options.bufferBytesMax ?? LOG_BUFFER_BYTES_DEFAULT;
    assert(
      this.bufferBytesMax >= LOG_ENTRY_BYTES_MAX,
      'LogReceiver bufferBytesMax must hold the largest entry',
    );
    this.reader = new LogReader(new ByteQueue(Math.min(this.bufferBytesMax, 64 * 1024)));
  }

  /** Stream offset just past the last byte received. */
  get receivedBytes(): number {
    return this.reader.queue.tailOffset;
  }

  get bufferedBytes(): number {
    return this.reader.queue.length;
  }

  /** Takes the part of a segment that continues the stream and fits in the buffer. */
  deliver(segment: LogSegment): DeliverResult {
    const queue = this.reader.queue;
    const end = segment.offset + segment.bytes.length;
    if (segment.offset > this.receivedBytes) {
      this.segmentsRejected++;
      return 'gap';
    }
    if (end <= this.receivedBytes) return 'duplicate';
    const skip = this.receivedBytes - segment.offset;
    const room = this.bufferBytesMax - queue.length;
    const take = Math.min(segment.bytes.length - skip, room);
    queue.pushBytes(segment.bytes.subarray(skip, skip + take));
    if (queue.length > this.bufferedBytesPeak) this.bufferedBytesPeak = queue.length;
    return take === segment.bytes.length - skip ? 'accepted' : 'partial';
  }

  ack(replayedInstret: number): LogAck {
    return {
      receivedBytes: this.receivedBytes,
      windowBytes: this.bufferBytesMax - this.bufferedBytes,
      replayedInstret,
    };
  }
}
