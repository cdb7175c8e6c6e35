// Compact binary encoding of the log: a one-byte tag, the instret as a zigzag varint delta from
// the previous entry, nondet values as zigzag deltas from the previous value of the same kind
// (time reads cost two or three bytes), DMA data raw with a varint length.
import { assert } from '../base/assert.ts';
import {
  DISK_SECTOR_BYTES,
  DISK_SECTORS_PER_REQUEST_MAX,
  NONDET_KIND_COUNT,
  type Nondet,
  type VmInput,
} from '../vm/api.ts';
import { ByteQueue } from './byte-queue.ts';
import { type LogEntry, type LogEntrySink, type OutputKind, Tag } from './log-entry.ts';

/** Worst-case bytes of an entry's header (tag + instret varint + two small varints + flags). */
const HEADER_BYTES_MAX = 1 + 8 + 5 + 5 + 1;

/** The largest encoded entry (a full disk read); both channel buffers must hold one. */
export const LOG_ENTRY_BYTES_MAX = HEADER_BYTES_MAX + 5 + DISK_SECTOR_BYTES * DISK_SECTORS_PER_REQUEST_MAX;

function zigzag(delta: number): number {
  return delta >= 0 ? delta * 2 : -delta * 2 - 1;
}

function unzigzag(code: number): number {
  return code % 2 === 0 ? code / 2 : -(code + 1) / 2;
}

/** Appends entries to a byte queue (the primary's send buffer). Allocation-free for nondet. */
export class LogWriter implements LogEntrySink {
  readonly queue: ByteQueue;
  private lastInstret = 0;
  private readonly lastValue = new Int32Array(NONDET_KIND_COUNT);
  entries = 0;
  /** How far the entries written so far let the secondary execute (see safeLimitAfter). */
  safeLimit = 0;

  constructor(queue: ByteQueue = new ByteQueue()) {
    this.queue = queue;
  }

  /** Stream offset just past the last entry written. */
  get offset(): number {
    return this.queue.tailOffset;
  }

  /** Begins a stream at boundary `instret`: resets the delta state on both ends. */
  start(instret: number): void {
    this.queue.ensure(HEADER_BYTES_MAX);
    this.byte(Tag.Start);
    this.varint(instret);
    this.lastInstret = instret;
    this.lastValue.fill(0);
    this.entries++;
    this.safeLimit = instret;
  }

  progress(instret: number): void {
    this.header(Tag.Progress, instret);
  }

  nondet(source: Nondet, instret: number, value: number): void {
    this.header(Tag.NondetBase | source, instret);
    if (instret + 1 > this.safeLimit) this.safeLimit = instret + 1;
    const delta = ((value | 0) - this.lastValue[source]!) | 0;
    this.lastValue[source] = value | 0;
    this.varint(((delta << 1) ^ (delta >> 31)) >>> 0);
  }

  output(output: OutputKind, instret: number): void {
    this.header(Tag.OutputBase | output, instret);
    if (instret + 1 > this.safeLimit) this.safeLimit = instret + 1;
  }

  input(input: VmInput, instret: number): void {
    if (input.kind === 'timer') {
      this.header(Tag.Timer, instret);
    } else if (input.kind === 'nic-rx') {
      this.header(Tag.NicRx, instret);
      this.data(input.data);
    } else {
      this.header(Tag.DiskDone, instret);
      this.varint(input.id);
      this.byte((input.error ? 1 : 0) | (input.data ? 2 : 0));
      if (input.data) this.data(input.data);
    }
  }

  flush(): void {}

  private header(tag: number, instret: number): void {
    assert(Number.isSafeInteger(instret) && instret >= 0, 'log entry instret must be a count');
    this.queue.ensure(HEADER_BYTES_MAX);
    this.byte(tag);
    this.varint(zigzag(instret - this.lastInstret));
    this.lastInstret = instret;
    this.entries++;
    if (instret > this.safeLimit) this.safeLimit = instret;
  }

  private data(bytes: Uint8Array): void {
    this.queue.ensure(5 + bytes.length);
    this.varint(bytes.length);
    this.queue.bytes.set(bytes, this.queue.tail);
    this.queue.tail += bytes.length;
  }

  private byte(value: number): void {
    this.queue.bytes[this.queue.tail++] = value;
  }

  private varint(value: number): void {
    const q = this.queue;
    while (value >= 0x80) {
      q.bytes[q.tail++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    q.bytes[q.tail++] = value;
  }
}

/** Malformed log bytes (a bug or a corrupted stream): names the offset. */
export class LogFormatError extends Error {
  override name = 'LogFormatError';
}

/** Decodes entries from the front of a byte queue; an incomplete entry is left for later. */
export class LogReader {
  readonly queue: ByteQueue;
  private lastInstret = 0;
  private readonly lastValue = new Int32Array(NONDET_KIND_COUNT);
  private pos = 0;
  entries = 0;

  constructor(queue: ByteQueue = new ByteQueue()) {
    this.queue = queue;
  }

  /** The next complete entry (its bytes dropped from the queue), or null if none is complete. */
  next(): LogEntry | null {
    const q = this.queue;
    if (q.length === 0) return null;
    this.pos = q.head;
    const savedInstret = this.lastInstret;
    const entry = this.decode();
    if (entry === null || this.pos > q.tail) {
      this.lastInstret = savedInstret;
      return null;
    }
    if (entry.kind === 'nondet') this.lastValue[entry.source] = entry.value | 0;
    q.drop(this.pos - q.head);
    this.entries++;
    return entry;
  }

  private decode(): LogEntry | null {
    const offset = this.queue.headOffset;
    const tag = this.byte();
    if (tag === Tag.Start) {
      const instret = this.varint();
      if (this.pos > this.queue.tail) return null;
      this.lastInstret = instret;
      this.lastValue.fill(0);
      return { kind: 'start', instret };
    }
    const instret = this.lastInstret + unzigzag(this.varint());
    this.lastInstret = instret;
    if (tag >= Tag.NondetBase && tag < Tag.NondetBase + NONDET_KIND_COUNT) {
      const source = (tag - Tag.NondetBase) as Nondet;
      const code = this.varint();
      const value = (this.lastValue[source]! + ((code >>> 1) ^ -(code & 1))) >>> 0;
      return { kind: 'nondet', instret, source, value };
    }
    if (tag >= Tag.OutputBase && tag < Tag.OutputBase + 3) {
      return { kind: 'output', instret, output: (tag - Tag.OutputBase) as OutputKind };
    }
    switch (tag) {
      case Tag.Progress:
        return { kind: 'progress', instret };
      case Tag.Timer:
        return { kind: 'input', instret, input: { kind: 'timer' } };
      case Tag.NicRx: {
        const data = this.data();
        return data === null ? null : { kind: 'input', instret, input: { kind: 'nic-rx', data } };
      }
      case Tag.DiskDone:
        return this.diskDone(instret);
      default:
        throw new LogFormatError(`unknown log tag 0x${tag.toString(16)} at stream offset ${offset}`);
    }
  }

  private diskDone(instret: number): LogEntry | null {
    const id = this.varint();
    const flags = this.byte();
    const input: VmInput = { kind: 'disk-done', id };
    if (flags & 1) input.error = true;
    if (flags & 2) {
      const data = this.data();
      if (data === null) return null;
      input.data = data;
    }
    return { kind: 'input', instret, input };
  }

  private data(): Uint8Array | null {
    const length = this.varint();
    const q = this.queue;
    if (this.pos + length > q.tail) return null;
    const data = q.bytes.slice(this.pos, this.pos + length);
    this.pos += length;
    return data;
  }

  /** Reading past the tail yields 0 and moves `pos` beyond it, which marks the entry incomplete. */
  private byte(): number {
    const q = this.queue;
    const value = this.pos < q.tail ? q.bytes[this.pos]! : 0;
    this.pos++;
    return value;
  }

  private varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new LogFormatError(`varint longer than 8 bytes at stream offset ${this.queue.headOffset}`);
  }
}

/** Encodes a list of entries (tests, tools). */
export function encodeLog(entries: readonly LogEntry[]): Uint8Array {
  const writer = new LogWriter();
  for (const entry of entries) writeEntry(writer, entry);
  return writer.queue.copyRange(writer.queue.headOffset, writer.offset);
}

export function writeEntry(writer: LogWriter, entry: LogEntry): void {
  switch (entry.kind) {
    case 'start':
      writer.start(entry.instret);
      break;
    case 'progress':
      writer.progress(entry.instret);
      break;
    case 'nondet':
      writer.nondet(entry.source, entry.instret, entry.value);
      break;
    case 'input':
      writer.input(entry.input, entry.instret);
      break;
    case 'output':
      writer.output(entry.output, entry.instret);
      break;
  }
}

/** Decodes a whole log; throws LogFormatError on malformed or truncated bytes. */
export function decodeLog(bytes: Uint8Array): LogEntry[] {
  const queue = new ByteQueue(Math.max(1, bytes.length));
  queue.pushBytes(bytes);
  const reader = new LogReader(queue);
  const entries: LogEntry[] = [];
  for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
  if (queue.length > 0) {
    throw new LogFormatError(`log truncated: ${queue.length} bytes of an incomplete entry at the end`);
  }
  return entries;
}
