// What the cluster tells the invariant monitors (src/check/monitors) as it runs. Observers only
// watch: every hook is called after the fact and none can change the run.
import type { ReplayFault } from '../lockstep/secondary-replayer.ts';
import type { Fault, NetworkKind } from '../sim/fault-schedule.ts';
import type { StopReason } from '../vm/api.ts';
import type { OutputCounts, OutputKindName } from './ft-instance.ts';

export interface WorldOutput {
  vm: string;
  host: string;
  /** Instance serial on that host. */
  serial: number;
  kind: OutputKindName;
  /** Position of this output in the VM's one deterministic execution. */
  index: number;
  instret: number;
  /** FNV-1a of the output's bytes (disk: op, sector, count and data). */
  hash: number;
  /** The emitting instance's agent holds the `acting` tag (primary, engaged or alone). */
  acting: boolean;
}

/** Where a fault struck, with `primary` / `secondary` resolved to hosts when it fired. */
export interface FaultTarget {
  host?: string;
  between?: readonly [string, string];
  /** Every host the fault struck directly (a crashed host, a rack's hosts); empty for links. */
  hosts: readonly string[];
}

export interface ClusterObserver {
  /** A fault of the schedule fires (before it takes effect); `target` says where it strikes. */
  fault?(fault: Fault, timeUs: number, target: FaultTarget): void;
  /** An agent changed state on `event` (the protocol machine's own step). */
  agentState?(vm: string, host: string, from: string, to: string, event: string): void;
  /** A message of `vm` (heartbeat, log, keepalive, ack, snapshot) arrived at its target. */
  messageDelivered?(
    network: NetworkKind,
    source: string,
    target: string,
    label: string,
    vm: string,
    sentUs: number,
  ): void;
  /** The VM's client address now points at `host`. */
  addressMoved?(vm: string, host: string): void;
  /** The primary's state digest at a boundary it logged on log stream `stream` (one per pairing). */
  primaryCheckpoint?(vm: string, stream: number, instret: number, digest: string): void;
  /**
   * A primary on `host` ran one slice while it shipped log stream `stream` (−1: none): `executed`
   * guest instructions, ending as the VM said (`limit`: it used its whole budget).
   */
  primaryRan?(vm: string, host: string, stream: number, executed: number, stop: StopReason): void;
  /** The secondary of that stream, at the same boundary. */
  secondaryCheckpoint?(vm: string, stream: number, host: string, instret: number, digest: string): void;
  replayFault?(vm: string, host: string, fault: ReplayFault): void;
  /**
   * The primary instance `serial` on `host` took the snapshot of its VM at instruction `instret` for
   * a new secondary on `target` (the stream to it starts there).
   */
  snapshotTaken?(vm: string, host: string, serial: number, target: string, instret: number): void;
  /** An output left for the outside world (client packet, console byte, disk request). */
  worldOutput?(output: WorldOutput): void;
  /**
   * A primary instance produced an output and its Output Rule gate took it; `entryEnd` = the log
   * offset the secondary must acknowledge before it may leave (0 with no secondary attached).
   * Outputs of one instance leave in this order, each reported by `worldOutput`.
   */
  outputHeld?(vm: string, host: string, serial: number, entryEnd: number): void;
  /**
   * The primary instance `serial` on `host` took an acknowledgement of `receivedBytes` of its log
   * stream from its secondary, which has room for `windowBytes` more (reported after the primary
   * acted on it); `writtenBytes` = the log the primary has written so far.
   */
  logAcked?(
    vm: string,
    host: string,
    serial: number,
    receivedBytes: number,
    windowBytes: number,
    writtenBytes: number,
  ): void;
  /**
   * The primary instance `serial` on `host` sent its secondary the log up to offset `endOffset`:
   * `bytes` = the segment, the stream's bytes that end there (a stream starts at offset 0).
   */
  logShipped?(vm: string, host: string, serial: number, endOffset: number, bytes: Uint8Array): void;
  /**
   * A log segment (ending at stream offset `segmentEnd`) reached the secondary on `host` with more
   * new bytes than its receive buffer had room for: it kept the stream up to `receivedBytes` and
   * dropped the rest. `bufferBytes` = the buffer's size.
   */
  logOverrun?(vm: string, host: string, segmentEnd: number, receivedBytes: number, bufferBytes: number): void;
  /**
   * An acknowledgement of `receivedBytes` of the log stream of primary instance `serial` reached
   * its host, before the primary acts on it (releasing outputs is acting on it).
   */
  ackArrived?(vm: string, host: string, serial: number, receivedBytes: number): void;
  /**
   * An instance became the live primary (after failover or at power-on); `produced` = its
   * execution's outputs so far; `pendingDiskDropped` = disk requests pending at go-live that it
   * did not reissue.
   */
  wentLive?(
    vm: string,
    host: string,
    produced: OutputCounts,
    failover: boolean,
    pendingDiskDropped: number,
  ): void;
  /** A secondary going live replays the log it holds; that takes `drainUs` (part of go-live time). */
  replaying?(vm: string, host: string, drainUs: number): void;
  /** The VM's primary is gone (its host failed or it halted); `survivor` = an engaged secondary exists on a live host. */
  primaryLost?(vm: string, host: string, survivor: boolean): void;
  /** Protection changed: true when a secondary engaged lockstep, false when the pair lost it. */
  protection?(vm: string, isProtected: boolean): void;
  /** The HA service asked for a new secondary of `vm` on `target` while the primary runs on `primaryHost`. */
  spawnRequested?(vm: string, target: string, primaryHost: string): void;
  /** A disk write was reported complete to a guest; `durable` = storage accepted it. */
  diskCompleted?(vm: string, host: string, requestId: number, durable: boolean): void;
  /**
   * `host` issued a storage request (sent it, or found no path and will hear "unreachable"): a
   * retry is a new request, so the monitors see how long each attempt was waited for.
   */
  storageRequested?(host: string, op: 'test-and-set' | 'write' | 'read', vm: string): void;
  /**
   * The storage array ran a test-and-set of `vm`'s lock for `host`, who knew `known`: what it
   * answered (a monitor keeps its own lock to judge the array's fence by).
   */
  storageLock?(vm: string, host: string, known: number, granted: boolean, generation: number): void;
  /** The array accepted (or fenced) a write of `vm`'s disk from `host` at `generation`. */
  storageWrite?(vm: string, host: string, generation: number, accepted: boolean): void;
  /** The run ended at `timeUs`. */
  end?(timeUs: number): void;
}

/** Every hook name (a record so that adding a hook without listing it here does not compile). */
const HOOKS: Record<keyof ClusterObserver, true> = {
  fault: true,
  agentState: true,
  messageDelivered: true,
  addressMoved: true,
  primaryCheckpoint: true,
  primaryRan: true,
  secondaryCheckpoint: true,
  replayFault: true,
  snapshotTaken: true,
  worldOutput: true,
  outputHeld: true,
  logAcked: true,
  logShipped: true,
  logOverrun: true,
  ackArrived: true,
  wentLive: true,
  replaying: true,
  primaryLost: true,
  protection: true,
  spawnRequested: true,
  diskCompleted: true,
  storageRequested: true,
  storageLock: true,
  storageWrite: true,
  end: true,
};
export const OBSERVER_HOOKS = Object.keys(HOOKS) as (keyof ClusterObserver)[];
