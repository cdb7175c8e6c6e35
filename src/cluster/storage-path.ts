// How a host reaches shared storage: through one of its working HBAs (multipath: any one will
// do) and across the storage network, with its latency and partitions. Each operation runs
// atomically at the array when the request arrives; the reply travels back. A host with no
// working HBA, or whose request or reply is lost, hears "unreachable" / "timeout" and may retry.
import { assert } from '../base/assert.ts';
import type { Simulator, Timer } from '../sim/simulator.ts';
import { TRACE_DETAIL_MESSAGES } from '../sim/trace.ts';
import type { Host } from './host.ts';
import type { Network } from './network.ts';
import type { ClusterObserver } from './observer.ts';
import type { SharedStorage, TestAndSetResult, WriteResult } from './shared-storage.ts';

export const STORAGE_ENDPOINT = 'storage';
const REQUEST_HEADER_BYTES = 64;

export type StorageOp =
  | { op: 'test-and-set'; vm: string; knownGeneration: number }
  | { op: 'write'; vm: string; generation: number; sector: number; data: Uint8Array }
  | { op: 'read'; vm: string; sector: number; count: number };

export type StorageResult =
  | { op: 'test-and-set'; result: TestAndSetResult }
  | { op: 'write'; result: WriteResult }
  | { op: 'read'; data: Uint8Array };

export type StorageReply =
  | { ok: true; value: StorageResult }
  | { ok: false; reason: 'unreachable' | 'timeout' };

export class StoragePath {
  constructor(
    private readonly sim: Simulator,
    private readonly storage: SharedStorage,
    private readonly network: Network,
    readonly timeoutUs: number,
    /** Told of every request and what the array did with every lock and write (the cluster's observers). */
    private readonly observers: readonly ClusterObserver[] = [],
  ) {
    assert(network.kind === 'storage', 'StoragePath needs the storage network');
    assert(Number.isInteger(timeoutUs) && timeoutUs > 0, 'storage timeoutUs must be a positive integer');
  }

  /**
   * Sends `op` from `host`; `onReply` is called exactly once (never synchronously), with a
   * timeout after `timeoutUs` (default: the path's).
   */
  request(
    host: Host,
    op: StorageOp,
    onReply: (reply: StorageReply) => void,
    timeoutUs: number = this.timeoutUs,
  ): void {
    const pending = new PendingRequest(this.sim, onReply);
    for (const observer of this.observers) observer.storageRequested?.(host.name, op.op, op.vm);
    if (!host.hasStoragePath) {
      this.sim.after(0, () => pending.answer({ ok: false, reason: 'unreachable' }));
      return;
    }
    pending.timeout = this.sim.after(timeoutUs, () => pending.answer({ ok: false, reason: 'timeout' }));
    const requestBytes = REQUEST_HEADER_BYTES + (op.op === 'write' ? op.data.length : 0);
    const toArray = { source: host.name, target: STORAGE_ENDPOINT };
    const info = this.sim.trace.detail >= TRACE_DETAIL_MESSAGES ? requestInfo(op) : undefined;
    this.network.send(
      toArray,
      requestBytes,
      op.op,
      () => {
        const value = this.execute(host.name, op);
        const replyBytes = REQUEST_HEADER_BYTES + (value.op === 'read' ? value.data.length : 0);
        const toHost = { source: STORAGE_ENDPOINT, target: host.name };
        this.network.send(toHost, replyBytes, `${op.op}-reply`, () => pending.answer({ ok: true, value }));
      },
      info,
    );
  }

  private execute(hostName: string, op: StorageOp): StorageResult {
    const trace = this.sim.trace;
    const now = this.sim.now;
    if (op.op === 'test-and-set') {
      const result = this.storage.testAndSet(op.vm, hostName, op.knownGeneration);
      for (const observer of this.observers)
        observer.storageLock?.(op.vm, hostName, op.knownGeneration, result.granted, result.generation);
      trace.record(now, 'lock', op.vm, {
        host: hostName,
        known: op.knownGeneration,
        granted: result.granted,
        generation: result.generation,
      });
      return { op: 'test-and-set', result };
    }
    if (op.op === 'write') {
      const result = this.storage.write(op.vm, hostName, op.generation, op.sector, op.data);
      for (const observer of this.observers)
        observer.storageWrite?.(op.vm, hostName, op.generation, result.ok);
      // A fenced write (a stale generation) explains I3/I4 findings: traced at every level.
      if (trace.detail >= TRACE_DETAIL_MESSAGES || !result.ok)
        trace.record(now, 'disk', op.vm, {
          host: hostName,
          op: 'write',
          sector: op.sector,
          count: op.data.length / 512,
          generation: op.generation,
          fenced: !result.ok,
        });
      return { op: 'write', result };
    }
    const data = this.storage.read(op.vm, op.sector, op.count);
    if (trace.detail >= TRACE_DETAIL_MESSAGES)
      trace.record(now, 'disk', op.vm, { host: hostName, op: 'read', sector: op.sector, count: op.count });
    return { op: 'read', data };
  }
}

/** What a storage request says in the trace (detail `messages`). */
function requestInfo(op: StorageOp): Record<string, string | number> {
  if (op.op === 'test-and-set') return { vm: op.vm, known: op.knownGeneration };
  if (op.op === 'write') return { vm: op.vm, generation: op.generation, sector: op.sector };
  return { vm: op.vm, sector: op.sector };
}

/**
 * One request's single answer: the first of reply, timeout or "unreachable" wins. A class, not a
 * named closure per request (which costs a defineProperty each under tsx's keepNames).
 */
class PendingRequest {
  private answered = false;
  timeout: Timer | undefined = undefined;

  constructor(
    private readonly sim: Simulator,
    private readonly onReply: (reply: StorageReply) => void,
  ) {}

  answer(reply: StorageReply): void {
    if (this.answered) return;
    this.answered = true;
    this.sim.cancel(this.timeout);
    this.onReply(reply);
  }
}
