// Default client workloads for the guests, built on the protocol codecs (src/cluster/protocol).
// Request ids are `clientNumber · 1_000_000 + index + 1`, so every client recognises its own
// answers and a retransmission carries the same id as the original.
import { assert } from '../base/assert.ts';
import type { ClientWorkload } from './client.ts';
import { decodeKvReply, encodeKvRequest, type KvRequest, KvStatus, kvBytes } from './protocol/kvstore.ts';
import {
  decodeLedgerReply,
  encodeLedgerRequest,
  LEDGER_ACCOUNTS,
  type LedgerRequest,
} from './protocol/ledger.ts';

/** Guests with a client workload; `kvstore-quiet` is kvstore without its timer (same protocol). */
export const GUEST_WORKLOADS = ['kvstore', 'ledger', 'kvstore-quiet'] as const;
export type GuestWorkload = (typeof GUEST_WORKLOADS)[number];

export const REQUEST_ID_STRIDE = 1_000_000;
/** Keys the kvstore workload cycles through. */
const KV_KEYS = 8;

function requestIdOf(clientNumber: number, index: number): number {
  return clientNumber * REQUEST_ID_STRIDE + index + 1;
}

function indexOf(clientNumber: number, id: number, count: number): number | null {
  const index = id - clientNumber * REQUEST_ID_STRIDE - 1;
  return index >= 0 && index < count ? index : null;
}

/** kvstore: puts and gets over a few keys (put k, then get it back, …). */
export function kvstoreWorkload(clientNumber: number, requestCount: number): ClientWorkload {
  assert(requestCount < REQUEST_ID_STRIDE, 'too many requests for the id scheme');
  const request = (index: number): KvRequest => {
    const id = requestIdOf(clientNumber, index);
    const key = kvBytes(`c${clientNumber}k${Math.floor(index / 2) % KV_KEYS}`);
    if (index % 2 === 0) return { op: 'put', id, key, value: kvBytes(`v${index}`) };
    return { op: 'get', id, key };
  };
  return {
    requestCount,
    encode: (index) => encodeKvRequest(request(index)),
    match: (response) => {
      const reply = decodeKvReply(response);
      return reply.ok ? indexOf(clientNumber, reply.value.id, requestCount) : null;
    },
    lostData: (response) => {
      const reply = decodeKvReply(response);
      if (!reply.ok || reply.value.status !== KvStatus.Corrupt) return null;
      const index = indexOf(clientNumber, reply.value.id, requestCount);
      return `kvstore answered request #${index ?? '?'} with CORRUPT: the key's slot on its disk is not the record the service had acknowledged`;
    },
  };
}

/** ledger: transfers between accounts with a balance query every fourth request. */
export function ledgerWorkload(clientNumber: number, requestCount: number): ClientWorkload {
  assert(requestCount < REQUEST_ID_STRIDE, 'too many requests for the id scheme');
  const request = (index: number): LedgerRequest => {
    const id = requestIdOf(clientNumber, index);
    if (index % 4 === 3) return { op: 'balance', id, account: index % LEDGER_ACCOUNTS };
    const from = (index * 7 + clientNumber) % LEDGER_ACCOUNTS;
    const to = (from + 1 + (index % (LEDGER_ACCOUNTS - 1))) % LEDGER_ACCOUNTS;
    return { op: 'transfer', id, from, to, amount: 1 + (index % 13) };
  };
  return {
    requestCount,
    encode: (index) => encodeLedgerRequest(request(index)),
    match: (response) => {
      const reply = decodeLedgerReply(response);
      return reply.ok ? indexOf(clientNumber, reply.value.id, requestCount) : null;
    },
  };
}

export function workloadFor(
  guest: GuestWorkload,
  clientNumber: number,
  requestCount: number,
): ClientWorkload {
  return guest === 'ledger'
    ? ledgerWorkload(clientNumber, requestCount)
    : kvstoreWorkload(clientNumber, requestCount);
}
