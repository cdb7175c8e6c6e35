// Wire format of the `kvstore` guest (guests/kvstore.c, documented in guests/README.md) and a
// reference model of the replies it must give. Little-endian, one request per NIC packet:
//
//   request: op u8 | keyLength u8 | valueLength u16 | requestId u32 | key | value
//   reply:   op u8 | status u8    | valueLength u16 | requestId u32 | value
//
// The model mirrors the guest's validation exactly, so `KvStoreModel.applyPacket(bytes)` predicts
// the reply bytes for any packet, well-formed or not.

import { assert } from '../../base/assert.ts';

export const KvOp = { Get: 1, Put: 2, Delete: 3, Stats: 4, Shutdown: 5 } as const;
export type KvOp = (typeof KvOp)[keyof typeof KvOp];

export const KvStatus = { Ok: 0, NotFound: 1, BadRequest: 2, Full: 3, DiskError: 4, Corrupt: 6 } as const;
export type KvStatus = (typeof KvStatus)[keyof typeof KvStatus];

export const KV_HEADER_BYTES = 8;
export const KV_KEY_BYTES_MAX = 64;
export const KV_VALUE_BYTES_MAX = 400;
/** Keys the store can hold: one disk sector per key, sectors 0..KV_SLOTS-1. */
export const KV_SLOTS = 256;
/** Smallest disk image the guest accepts. */
export const KV_DISK_BYTES = KV_SLOTS * 512;

export type KvRequest =
  | { op: 'get'; id: number; key: Uint8Array }
  | { op: 'put'; id: number; key: Uint8Array; value: Uint8Array }
  | { op: 'delete'; id: number; key: Uint8Array }
  | { op: 'stats'; id: number }
  | { op: 'shutdown'; id: number };

/** STATS reply body: counters since boot; `requests` includes the STATS request itself. */
export interface KvStats {
  keys: number;
  gets: number;
  puts: number;
  deletes: number;
  requests: number;
}

export interface KvReply {
  /** Op code echoed from the request (0 when the packet was shorter than a header). */
  op: number;
  status: KvStatus;
  id: number;
  value: Uint8Array;
}

const OP_CODES: Record<KvRequest['op'], KvOp> = {
  get: KvOp.Get,
  put: KvOp.Put,
  delete: KvOp.Delete,
  stats: KvOp.Stats,
  shutdown: KvOp.Shutdown,
};

/** Bytes of a text key or value (Latin-1/ASCII: one byte per character below 256). */
export function kvBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // The message is built only on failure (this runs per event).
    if (code >= 256) assert(false, `kvBytes: character ${i} of ${JSON.stringify(text)} is not a single byte`);
    bytes[i] = code;
  }
  return bytes;
}

export function kvText(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

export function encodeKvRequest(request: KvRequest): Uint8Array {
  assert(
    Number.isInteger(request.id) && request.id >= 0 && request.id <= 0xffff_ffff,
    'request id must be a u32',
  );
  const key = request.op === 'stats' || request.op === 'shutdown' ? new Uint8Array(0) : request.key;
  const value = request.op === 'put' ? request.value : new Uint8Array(0);
  assert(key.length <= 255, 'key longer than the u8 length field');
  assert(value.length <= 0xffff, 'value longer than the u16 length field');
  const packet = new Uint8Array(KV_HEADER_BYTES + key.length + value.length);
  const view = new DataView(packet.buffer);
  packet[0] = OP_CODES[request.op];
  packet[1] = key.length;
  view.setUint16(2, value.length, true);
  view.setUint32(4, request.id, true);
  packet.set(key, KV_HEADER_BYTES);
  packet.set(value, KV_HEADER_BYTES + key.length);
  return packet;
}

export function encodeKvReply(reply: KvReply): Uint8Array {
  const packet = new Uint8Array(KV_HEADER_BYTES + reply.value.length);
  const view = new DataView(packet.buffer);
  packet[0] = reply.op;
  packet[1] = reply.status;
  view.setUint16(2, reply.value.length, true);
  view.setUint32(4, reply.id, true);
  packet.set(reply.value, KV_HEADER_BYTES);
  return packet;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export function decodeKvReply(packet: Uint8Array): Decoded<KvReply> {
  if (packet.length < KV_HEADER_BYTES) {
    return { ok: false, error: `kvstore reply of ${packet.length} bytes is shorter than its 8-byte header` };
  }
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const valueLength = view.getUint16(2, true);
  if (packet.length !== KV_HEADER_BYTES + valueLength) {
    return {
      ok: false,
      error: `kvstore reply says ${valueLength} value bytes but carries ${packet.length - 8}`,
    };
  }
  const status = packet[1]!;
  if (status > KvStatus.DiskError && status !== KvStatus.Corrupt)
    return { ok: false, error: `kvstore reply has unknown status ${status}` };
  const value = packet.slice(KV_HEADER_BYTES);
  return {
    ok: true,
    value: { op: packet[0]!, status: status as KvStatus, id: view.getUint32(4, true), value },
  };
}

export function decodeKvStats(value: Uint8Array): KvStats {
  assert(value.length === 20, `a STATS reply value has 20 bytes, not ${value.length}`);
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const field = (i: number) => view.getUint32(4 * i, true);
  return { keys: field(0), gets: field(1), puts: field(2), deletes: field(3), requests: field(4) };
}

const RECORD_MAGIC = 0x3152_564b; // "KVR1"
const REC_KEY = 12;
const REC_VALUE = REC_KEY + KV_KEY_BYTES_MAX;
const SECTOR_BYTES = 512;

/** FNV-1a as the guests compute it (record checksums). */
export function fnv1a(bytes: Uint8Array, hash = 0x811c_9dc5): number {
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x0100_0193) >>> 0;
  return hash;
}

/**
 * The key-value pairs a disk image holds, as the guest recovers them on start: slot `s` is sector
 * `s`; a slot is live when its magic, checksum and lengths are valid.
 */
export function decodeKvDisk(disk: Uint8Array): Map<string, Uint8Array> {
  assert(disk.length >= KV_DISK_BYTES, `a kvstore disk needs ${KV_DISK_BYTES} bytes, got ${disk.length}`);
  const pairs = new Map<string, Uint8Array>();
  for (let slot = 0; slot < KV_SLOTS; slot++) {
    const record = disk.subarray(slot * SECTOR_BYTES, (slot + 1) * SECTOR_BYTES);
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    if (view.getUint32(0, true) !== RECORD_MAGIC) continue;
    if (view.getUint32(4, true) !== fnv1a(record.subarray(8))) continue;
    const keyLength = record[8]!;
    const valueLength = view.getUint16(10, true);
    if (keyLength < 1 || keyLength > KV_KEY_BYTES_MAX || valueLength > KV_VALUE_BYTES_MAX) continue;
    const key = kvText(record.subarray(REC_KEY, REC_KEY + keyLength));
    assert(!pairs.has(key), `kvstore disk holds key ${JSON.stringify(key)} in two slots`);
    pairs.set(key, record.slice(REC_VALUE, REC_VALUE + valueLength));
  }
  return pairs;
}

function wellFormed(op: number, keyLength: number, valueLength: number): boolean {
  switch (op) {
    case KvOp.Get:
    case KvOp.Delete:
      return keyLength >= 1 && keyLength <= KV_KEY_BYTES_MAX && valueLength === 0;
    case KvOp.Put:
      return keyLength >= 1 && keyLength <= KV_KEY_BYTES_MAX && valueLength <= KV_VALUE_BYTES_MAX;
    case KvOp.Stats:
    case KvOp.Shutdown:
      return keyLength === 0 && valueLength === 0;
    default:
      return false;
  }
}

/**
 * Reference model: the replies a correct kvstore with a healthy disk gives, in order. Start it with
 * the pairs of the disk image the guest boots from (`decodeKvDisk`), or empty for a blank disk.
 */
export class KvStoreModel {
  readonly pairs: Map<string, Uint8Array>;
  private readonly stats: KvStats;
  /** True once a SHUTDOWN was answered OK: the guest exits and answers nothing more. */
  shutDown = false;

  constructor(initial: ReadonlyMap<string, Uint8Array> = new Map()) {
    assert(initial.size <= KV_SLOTS, `at most ${KV_SLOTS} keys fit, got ${initial.size}`);
    this.pairs = new Map(initial);
    this.stats = { keys: initial.size, gets: 0, puts: 0, deletes: 0, requests: 0 };
  }

  apply(request: KvRequest): KvReply {
    return this.applyPacket(encodeKvRequest(request));
  }

  applyPacket(packet: Uint8Array): KvReply {
    assert(!this.shutDown, 'kvstore model: request after SHUTDOWN');
    this.stats.requests++;
    if (packet.length < KV_HEADER_BYTES)
      return { op: 0, status: KvStatus.BadRequest, id: 0, value: new Uint8Array(0) };
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const op = packet[0]!;
    const keyLength = packet[1]!;
    const valueLength = view.getUint16(2, true);
    const id = view.getUint32(4, true);
    const reply = (status: KvStatus, value: Uint8Array = new Uint8Array(0)): KvReply => ({
      op,
      status,
      id,
      value,
    });
    if (
      packet.length !== KV_HEADER_BYTES + keyLength + valueLength ||
      !wellFormed(op, keyLength, valueLength)
    ) {
      return reply(KvStatus.BadRequest);
    }
    const key = kvText(packet.subarray(KV_HEADER_BYTES, KV_HEADER_BYTES + keyLength));
    return this.execute(op, key, packet.slice(KV_HEADER_BYTES + keyLength), reply);
  }

  private execute(
    op: number,
    key: string,
    value: Uint8Array,
    reply: (status: KvStatus, value?: Uint8Array) => KvReply,
  ): KvReply {
    switch (op) {
      case KvOp.Get: {
        this.stats.gets++;
        const stored = this.pairs.get(key);
        return stored === undefined ? reply(KvStatus.NotFound) : reply(KvStatus.Ok, stored.slice());
      }
      case KvOp.Put:
        this.stats.puts++;
        if (!this.pairs.has(key) && this.pairs.size >= KV_SLOTS) return reply(KvStatus.Full);
        this.pairs.set(key, value);
        this.stats.keys = this.pairs.size;
        return reply(KvStatus.Ok);
      case KvOp.Delete:
        this.stats.deletes++;
        if (!this.pairs.delete(key)) return reply(KvStatus.NotFound);
        this.stats.keys = this.pairs.size;
        return reply(KvStatus.Ok);
      case KvOp.Stats:
        return reply(KvStatus.Ok, encodeKvStats(this.stats));
      default:
        assert(op === KvOp.Shutdown, `unexpected op ${op}`);
        this.shutDown = true;
        return reply(KvStatus.Ok);
    }
  }
}

export function encodeKvStats(stats: KvStats): Uint8Array {
  const value = new Uint8Array(20);
  const view = new DataView(value.buffer);
  [stats.keys, stats.gets, stats.puts, stats.deletes, stats.requests].forEach((field, i) => {
    view.setUint32(4 * i, field, true);
  });
  return value;
}
