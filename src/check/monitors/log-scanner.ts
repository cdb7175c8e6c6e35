// An independent reading of the log wire format (src/lockstep/log-entry.ts, log-codec.ts), for
// monitors that judge the log the primary shipped. A checker that decoded with the product's own
// reader would inherit its bugs (an entry split across two segments read twice, a delta applied
// from the wrong base) and judge the stream the product believes it sent instead of the bytes on
// the wire. This scanner shares only the format's constants with the product: the tags and the
// largest DMA payload.
//
// Format: a one-byte tag; `start` carries its instret as a varint, every other entry the zigzag
// varint delta from the previous entry's instret; nondet entries add one varint (the value's
// delta), nic-rx a varint length and that many bytes, disk-done a varint id, a flags byte and,
// with flag 2, a varint length and the data. Varints are little-endian base-128, at most 8 bytes.
import { Tag } from '../../lockstep/log-entry.ts';
import { DISK_SECTOR_BYTES, DISK_SECTORS_PER_REQUEST_MAX, NONDET_KIND_COUNT } from '../../vm/api.ts';

const VARINT_BYTES_MAX = 8;
const OUTPUT_KINDS = 3;
/** The largest DMA payload an entry carries (a full disk read). */
const DATA_BYTES_MAX = DISK_SECTOR_BYTES * DISK_SECTORS_PER_REQUEST_MAX;
/** A scan position that marks "the entry is not complete yet". */
const INCOMPLETE = -1;

/** Bytes the format refuses, at a stream offset. */
export class LogScanError extends Error {
  override name = 'LogScanError';
}

/** What a scan reports: where a stream starts and each output entry with the offset it ends at. */
export interface LogScanSink {
  start(instret: number): void;
  output(kind: number, instret: number, endOffset: number): void;
  /** Every entry (the start and outputs too), after the calls above. */
  entry?(tag: number, instret: number, endOffset: number): void;
}

export class LogScanner {
  private bytes = new Uint8Array(4096);
  /** Stream offset of `bytes[0]`. */
  private base = 0;
  /** Index of the first byte not yet scanned (the start of an incomplete entry, if any). */
  private head = 0;
  private tail = 0;
  private lastInstret = 0;
  /** The varint just read by `varintAt` (its new position is returned). */
  private value = 0;

  /** Stream offset just past the last byte pushed. */
  get tailOffset(): number {
    return this.base + this.tail;
  }

  /** Appends the next bytes of the stream. */
  push(chunk: Uint8Array): void {
    if (this.tail + chunk.length > this.bytes.length) this.makeRoom(chunk.length);
    this.bytes.set(chunk, this.tail);
    this.tail += chunk.length;
  }

  /** Reports every complete entry pushed so far; an incomplete one waits for more bytes. */
  scan(sink: LogScanSink): void {
    for (;;) {
      const at = this.head;
      if (at >= this.tail) return;
      const tag = this.bytes[at]!;
      let pos = this.varintAt(at + 1);
      if (pos === INCOMPLETE) return;
      const instret = tag === Tag.Start ? this.value : this.lastInstret + unzigzag(this.value);
      if (!Number.isSafeInteger(instret) || instret < 0) {
        throw new LogScanError(`entry at stream offset ${this.base + at} names instruction ${instret}`);
      }
      pos = this.skipPayload(tag, pos, at);
      if (pos === INCOMPLETE) return;
      // The entry is whole: only now does it move the delta base and the position.
      this.lastInstret = instret;
      this.head = pos;
      if (tag === Tag.Start) sink.start(instret);
      else if (tag >= Tag.OutputBase && tag < Tag.OutputBase + OUTPUT_KINDS) {
        sink.output(tag - Tag.OutputBase, instret, this.base + pos);
      }
      sink.entry?.(tag, instret, this.base + pos);
    }
  }

  /** The position after the entry's payload, or INCOMPLETE. */
  private skipPayload(tag: number, pos: number, at: number): number {
    if (tag >= Tag.NondetBase && tag < Tag.NondetBase + NONDET_KIND_COUNT) return this.varintAt(pos);
    if (tag >= Tag.OutputBase && tag < Tag.OutputBase + OUTPUT_KINDS) return pos;
    switch (tag) {
      case Tag.Start:
      case Tag.Progress:
      case Tag.Timer:
        return pos;
      case Tag.NicRx:
        return this.dataAt(pos, at);
      case Tag.DiskDone: {
        const afterId = this.varintAt(pos);
        if (afterId === INCOMPLETE || afterId >= this.tail) return INCOMPLETE;
        const flags = this.bytes[afterId]!;
        if (flags > 3) throw new LogScanError(`disk-done flags ${flags} at stream offset ${this.base + at}`);
        return (flags & 2) === 0 ? afterId + 1 : this.dataAt(afterId + 1, at);
      }
      default:
        throw new LogScanError(`unknown log tag 0x${tag.toString(16)} at stream offset ${this.base + at}`);
    }
  }

  /** Skips a length-prefixed payload. */
  private dataAt(pos: number, at: number): number {
    const afterLength = this.varintAt(pos);
    if (afterLength === INCOMPLETE) return INCOMPLETE;
    if (this.value > DATA_BYTES_MAX) {
      throw new LogScanError(`payload of ${this.value} bytes at stream offset ${this.base + at}`);
    }
    const end = afterLength + this.value;
    return end > this.tail ? INCOMPLETE : end;
  }

  /** Reads a varint into `value`; returns the position after it, or INCOMPLETE. */
  private varintAt(pos: number): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < VARINT_BYTES_MAX; i++) {
      if (pos + i >= this.tail) return INCOMPLETE;
      const b = this.bytes[pos + i]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        this.value = value;
        return pos + i + 1;
      }
      scale *= 0x80;
    }
    throw new LogScanError(
      `varint longer than ${VARINT_BYTES_MAX} bytes at stream offset ${this.base + pos}`,
    );
  }

  /** Drops scanned bytes, then grows if the unscanned ones and `extra` still do not fit. */
  private makeRoom(extra: number): void {
    const kept = this.tail - this.head;
    let bytes = this.bytes;
    if (kept + extra > bytes.length) {
      let size = bytes.length * 2;
      while (size < kept + extra) size *= 2;
      bytes = new Uint8Array(size);
    }
    bytes.set(this.bytes.subarray(this.head, this.tail), 0);
    this.bytes = bytes;
    this.base += this.head;
    this.tail = kept;
    this.head = 0;
  }
}

function unzigzag(code: number): number {
  return code % 2 === 0 ? code / 2 : -(code + 1) / 2;
}

/** A shipped stream as a monitor follows it: its scanner, and whether it lost track of it. */
export interface FollowedStream extends LogScanSink {
  scanner: LogScanner;
  /** A gap, bytes the format refuses, or the monitor gave up on it: no more verdicts. */
  lost: boolean;
}

/**
 * Reads a segment the primary instance `key` shipped (the stream's bytes up to `endOffset`) into
 * its followed stream and scans it, the stream as the sink. A stream starts at offset 0 (a new
 * pairing, or the first one resent) and is then followed afresh, made by `make`. Returns the
 * stream and the bytes new to it, or null when nothing was new or the stream is lost.
 */
export function followShipped<S extends FollowedStream>(
  streams: Map<string, S>,
  key: string,
  endOffset: number,
  bytes: Uint8Array,
  make: () => S,
): { stream: S; fresh: Uint8Array } | null {
  const offset = endOffset - bytes.length;
  let stream = streams.get(key);
  if (offset === 0 && (stream === undefined || stream.scanner.tailOffset > 0)) {
    stream = make();
    streams.set(key, stream);
  }
  if (stream === undefined || stream.lost) return null;
  const tail = stream.scanner.tailOffset;
  if (offset > tail) {
    stream.lost = true;
    return null;
  }
  if (endOffset <= tail) return null; // a resend of what was read already
  const fresh = offset === tail ? bytes : bytes.subarray(tail - offset);
  stream.scanner.push(fresh);
  try {
    stream.scanner.scan(stream);
  } catch (error) {
    if (!(error instanceof LogScanError)) throw error;
    stream.lost = true;
    return null;
  }
  return { stream, fresh };
}
