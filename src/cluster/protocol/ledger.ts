// Wire format of the `ledger` guest (guests/ledger.c, documented in guests/README.md), its disk
// layout, and a reference model of the replies it must give. Little-endian, one request per packet:
//
//   request (20 bytes): op u8 | 0 u8 | 0 u16 | requestId u32 | a u32 | b u32 | amount u32
//   reply   (16 bytes): op u8 | status u8 | 0 u16 | requestId u32 | value0 u32 | value1 u32
//
// TRANSFER a→b amount: value0/value1 = balances of a and b afterwards. BALANCE a: value0 = balance.
// AUDIT: value0 = total of all balances, value1 = transfers applied since the disk was formatted.

import { assert } from '../../base/assert.ts';
import { type Decoded, fnv1a } from './kvstore.ts';

export const LedgerOp = { Transfer: 1, Balance: 2, Audit: 3, Shutdown: 5 } as const;
export type LedgerOp = (typeof LedgerOp)[keyof typeof LedgerOp];

export const LedgerStatus = {
  Ok: 0,
  InsufficientFunds: 1,
  BadRequest: 2,
  BadAccount: 3,
  DiskError: 4,
  AuditMismatch: 5,
} as const;
export type LedgerStatus = (typeof LedgerStatus)[keyof typeof LedgerStatus];

export const LEDGER_REQUEST_BYTES = 20;
export const LEDGER_REPLY_BYTES = 16;
export const LEDGER_ACCOUNTS = 16;
export const LEDGER_INITIAL_BALANCE = 1000;
/** The invariant AUDIT checks: the sum of all balances. */
export const LEDGER_TOTAL = LEDGER_ACCOUNTS * LEDGER_INITIAL_BALANCE;
/** Sector 0 holds the balances; sectors 1..255 are the journal ring (seq s in 1 + s % 255). */
export const LEDGER_JOURNAL_SECTORS = 255;
export const LEDGER_DISK_BYTES = (1 + LEDGER_JOURNAL_SECTORS) * 512;

export type LedgerRequest =
  | { op: 'transfer'; id: number; from: number; to: number; amount: number }
  | { op: 'balance'; id: number; account: number }
  | { op: 'audit'; id: number }
  | { op: 'shutdown'; id: number };

export interface LedgerReply {
  /** Op code echoed from the request (0 when the packet was shorter than 8 bytes). */
  op: number;
  status: LedgerStatus;
  id: number;
  values: [number, number];
}

export interface LedgerState {
  balances: number[];
  /** Transfers applied since the disk was formatted (the journal sequence number). */
  appliedSeq: number;
}

const OP_CODES: Record<LedgerRequest['op'], LedgerOp> = {
  transfer: LedgerOp.Transfer,
  balance: LedgerOp.Balance,
  audit: LedgerOp.Audit,
  shutdown: LedgerOp.Shutdown,
};

const u32 = (n: number, what: string) =>
  assert(Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff, `${what} must be a u32, got ${n}`);

export function encodeLedgerRequest(request: LedgerRequest): Uint8Array {
  u32(request.id, 'request id');
  const packet = new Uint8Array(LEDGER_REQUEST_BYTES);
  const view = new DataView(packet.buffer);
  view.setUint32(4, request.id, true);
  if (request.op === 'transfer') {
    [request.from, request.to, request.amount].forEach((n, i) => {
      u32(n, ['from', 'to', 'amount'][i]!);
      view.setUint32(8 + 4 * i, n, true);
    });
  } else if (request.op === 'balance') {
    u32(request.account, 'account');
    view.setUint32(8, request.account, true);
  }
  packet[0] = OP_CODES[request.op];
  return packet;
}

export function encodeLedgerReply(reply: LedgerReply): Uint8Array {
  const packet = new Uint8Array(LEDGER_REPLY_BYTES);
  const view = new DataView(packet.buffer);
  packet[0] = reply.op;
  packet[1] = reply.status;
  view.setUint32(4, reply.id, true);
  view.setUint32(8, reply.values[0], true);
  view.setUint32(12, reply.values[1], true);
  return packet;
}

export function decodeLedgerReply(packet: Uint8Array): Decoded<LedgerReply> {
  if (packet.length !== LEDGER_REPLY_BYTES) {
    return { ok: false, error: `ledger reply has ${packet.length} bytes, expected ${LEDGER_REPLY_BYTES}` };
  }
  const status = packet[1]!;
  if (status > LedgerStatus.AuditMismatch)
    return { ok: false, error: `ledger reply has unknown status ${status}` };
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const values: [number, number] = [view.getUint32(8, true), view.getUint32(12, true)];
  return {
    ok: true,
    value: { op: packet[0]!, status: status as LedgerStatus, id: view.getUint32(4, true), values },
  };
}

export function freshLedgerState(): LedgerState {
  return { balances: new Array<number>(LEDGER_ACCOUNTS).fill(LEDGER_INITIAL_BALANCE), appliedSeq: 0 };
}

const STATE_MAGIC = 0x3153_474c; // "LGS1"
const JOURNAL_MAGIC = 0x314a_474c; // "LGJ1"
const SECTOR_BYTES = 512;

function sectorOf(disk: Uint8Array, sector: number): { bytes: Uint8Array; view: DataView } {
  const bytes = disk.subarray(sector * SECTOR_BYTES, (sector + 1) * SECTOR_BYTES);
  return { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

function sectorValid(bytes: Uint8Array, view: DataView, magic: number): boolean {
  return view.getUint32(0, true) === magic && view.getUint32(4, true) === fnv1a(bytes.subarray(8));
}

/**
 * The state the guest recovers from a disk image: the balances sector, plus journal records newer
 * than it re-applied (a crash between the journal write and the balances write). `null` when the
 * disk is blank (the guest formats it with LEDGER_INITIAL_BALANCE everywhere).
 */
export function decodeLedgerDisk(disk: Uint8Array): LedgerState | null {
  assert(
    disk.length >= LEDGER_DISK_BYTES,
    `a ledger disk needs ${LEDGER_DISK_BYTES} bytes, got ${disk.length}`,
  );
  const state = sectorOf(disk, 0);
  if (!sectorValid(state.bytes, state.view, STATE_MAGIC)) return null;
  if (state.view.getUint32(8, true) !== LEDGER_ACCOUNTS) return null;
  const balances = Array.from({ length: LEDGER_ACCOUNTS }, (_, a) => state.view.getUint32(16 + 4 * a, true));
  let appliedSeq = state.view.getUint32(12, true);
  for (let redone = 0; redone < LEDGER_JOURNAL_SECTORS; redone++) {
    const seq = appliedSeq + 1;
    const record = sectorOf(disk, 1 + (seq % LEDGER_JOURNAL_SECTORS));
    if (!sectorValid(record.bytes, record.view, JOURNAL_MAGIC) || record.view.getUint32(8, true) !== seq)
      break;
    const from = record.view.getUint32(16, true);
    const to = record.view.getUint32(20, true);
    const amount = record.view.getUint32(24, true);
    assert(from < LEDGER_ACCOUNTS && to < LEDGER_ACCOUNTS, `journal record ${seq} names a bad account`);
    assert(balances[from]! >= amount, `journal record ${seq} overdraws account ${from}`);
    balances[from]! -= amount;
    balances[to]! += amount;
    appliedSeq = seq;
  }
  return { balances, appliedSeq };
}

/** Reference model: the replies a correct ledger with a healthy disk gives, in order. */
export class LedgerModel {
  readonly state: LedgerState;
  /** True once a SHUTDOWN was answered OK: the guest exits and answers nothing more. */
  shutDown = false;

  constructor(initial: LedgerState = freshLedgerState()) {
    assert(initial.balances.length === LEDGER_ACCOUNTS, `the ledger has ${LEDGER_ACCOUNTS} accounts`);
    this.state = { balances: initial.balances.slice(), appliedSeq: initial.appliedSeq };
  }

  total(): number {
    return this.state.balances.reduce((sum, balance) => sum + balance, 0);
  }

  apply(request: LedgerRequest): LedgerReply {
    return this.applyPacket(encodeLedgerRequest(request));
  }

  applyPacket(packet: Uint8Array): LedgerReply {
    assert(!this.shutDown, 'ledger model: request after SHUTDOWN');
    if (packet.length < 8) return { op: 0, status: LedgerStatus.BadRequest, id: 0, values: [0, 0] };
    const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
    const op = packet[0]!;
    const id = view.getUint32(4, true);
    const reply = (status: LedgerStatus, values: [number, number] = [0, 0]): LedgerReply => ({
      op,
      status,
      id,
      values,
    });
    if (packet.length !== LEDGER_REQUEST_BYTES) return reply(LedgerStatus.BadRequest);
    const a = view.getUint32(8, true);
    const b = view.getUint32(12, true);
    const balances = this.state.balances;
    switch (op) {
      case LedgerOp.Transfer: {
        if (a >= LEDGER_ACCOUNTS || b >= LEDGER_ACCOUNTS || a === b) return reply(LedgerStatus.BadAccount);
        const amount = view.getUint32(16, true);
        if (balances[a]! < amount) return reply(LedgerStatus.InsufficientFunds);
        balances[a]! -= amount;
        balances[b]! += amount;
        this.state.appliedSeq++;
        return reply(LedgerStatus.Ok, [balances[a]!, balances[b]!]);
      }
      case LedgerOp.Balance:
        return a < LEDGER_ACCOUNTS
          ? reply(LedgerStatus.Ok, [balances[a]!, 0])
          : reply(LedgerStatus.BadAccount);
      case LedgerOp.Audit: {
        const total = this.total();
        const status = total === LEDGER_TOTAL ? LedgerStatus.Ok : LedgerStatus.AuditMismatch;
        return reply(status, [total >>> 0, this.state.appliedSeq]);
      }
      case LedgerOp.Shutdown:
        this.shutDown = true;
        return reply(LedgerStatus.Ok);
      default:
        return reply(LedgerStatus.BadRequest);
    }
  }
}
