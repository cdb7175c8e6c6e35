// Every step of the abstract environment as a (guard, apply) pair over ClusterContext. The cluster
// model machine (models/clusterModel.ts) binds each pair as a named guard and an `assign` action.
// A step edits a copy-on-write draft and returns only what changed (a partial context), so it
// reads only the fields it decides on.
import { type ClusterContext, draftOf, type HostState, REQ } from './clusterState.ts';
import {
  AE,
  agentReacts,
  candidateSymbol,
  type EnvironmentTables,
  HE,
  haReacts,
  notifyHa,
  stepAgent,
  stepHa,
} from './environment.ts';

export type HostStepType =
  | 'EXECUTE'
  | 'DELIVER'
  | 'REPLAY'
  | 'OUTPUT'
  | 'IO_COMPLETE'
  | 'RESPOND'
  | 'TIMEOUT'
  | 'CRASH'
  | 'REPAIR'
  | 'STORAGE_LOSS'
  | 'STORAGE_RESTORE'
  | 'RESET'
  | 'HA_CANDIDATE';
export type GlobalStepType = 'ACK' | 'PARTITION' | 'HEAL' | 'HA_UNPROTECTED' | 'HA_SPAWN_FAILED';
export type ClusterEvent = { type: HostStepType; host: number } | { type: GlobalStepType };

export const HOST_STEPS: readonly HostStepType[] = [
  'EXECUTE',
  'DELIVER',
  'REPLAY',
  'OUTPUT',
  'IO_COMPLETE',
  'RESPOND',
  'TIMEOUT',
  'CRASH',
  'REPAIR',
  'STORAGE_LOSS',
  'STORAGE_RESTORE',
  'RESET',
  'HA_CANDIDATE',
];
export const GLOBAL_STEPS: readonly GlobalStepType[] = [
  'ACK',
  'PARTITION',
  'HEAL',
  'HA_UNPROTECTED',
  'HA_SPAWN_FAILED',
];

type T = EnvironmentTables;
type C = ClusterContext;

/** The first up host of the current generation whose agent is of `kind`; -1 when none. Plain loop: hot. */
function currentOfKind(c: C, kind: Uint8Array): number {
  const hosts = c.hosts;
  for (let h = 0; h < hosts.length; h++) {
    const x = hosts[h]!;
    if (x.up === 1 && x.current === 1 && kind[x.agent] === 1) return h;
  }
  return -1;
}

/** Whether some up host's agent is of `kind` (any generation). */
function anyUpOfKind(c: C, kind: Uint8Array): boolean {
  for (const x of c.hosts) if (x.up === 1 && kind[x.agent] === 1) return true;
  return false;
}

/** The current primary that can hand out a snapshot: up, current generation, running alone. */
const snapshotSource = (t: T, c: C) => currentOfKind(c, t.kinds.primAlone);
const engagedPrimary = (t: T, c: C) => currentOfKind(c, t.kinds.primEngaged);
const engagedSecondary = (t: T, c: C) => currentOfKind(c, t.kinds.secEngaged);

/**
 * The ends of the current pair's logging stream: an up instance of the current generation whose
 * end is attached (`link`: from the snapshot until its agent's `disengage`). The primary's end
 * ships while its VM executes (`acting`; the cluster's primary ships from its execution slices);
 * the secondary's end receives, replays and acknowledges in whatever state its agent is. With an
 * agent that disengages on leaving lockstep these are exactly the engaged primary and secondary.
 */
function streamEnd(c: C, kind: Uint8Array): number {
  const hosts = c.hosts;
  for (let h = 0; h < hosts.length; h++) {
    const x = hosts[h]!;
    if (x.up === 1 && x.current === 1 && x.link === 1 && kind[x.agent] === 1) return h;
  }
  return -1;
}
const sendingEnd = (t: T, c: C) => streamEnd(c, t.kinds.acting);
const receivingEnd = (t: T, c: C) => streamEnd(c, t.kinds.secondary);

/** The failure detector: heartbeats and logging traffic from the peer have stopped. */
export function peerSilent(t: T, c: C, h: number): boolean {
  const host = c.hosts[h]!;
  const k = t.kinds;
  if (k.secSyncing[host.agent]) return c.partitioned === 1 || snapshotSource(t, c) < 0;
  if (k.secEngaged[host.agent]) return c.partitioned === 1 || host.current === 0 || engagedPrimary(t, c) < 0;
  if (k.primEngaged[host.agent])
    return c.partitioned === 1 || host.current === 0 || engagedSecondary(t, c) < 0;
  return false;
}

function respondSymbol(t: T, c: C, h: number): number {
  const host = c.hosts[h]!;
  switch (host.req) {
    case REQ.snapshot:
      return c.partitioned === 0 && snapshotSource(t, c) >= 0 ? AE.snapshotReady : -1;
    case REQ.replay:
      return AE.logDrained;
    case REQ.testAndSet:
      if (host.storage === 0) return AE.storageUnreachable;
      if (host.current === 0) return AE.lockDenied;
      return host.hist >= 1 && c.durable === 0 && host.ioOut === 0
        ? AE.lockGrantedPendingIo
        : AE.lockGrantedNoIo;
    case REQ.reissue:
      return host.ioOut === 0 ? AE.ioReissued : -1;
    default:
      return -1;
  }
}

function applyRespond(t: T, c: C, h: number): void {
  const host = c.hosts[h]!;
  const symbol = respondSymbol(t, c, h);
  if (symbol === AE.snapshotReady && !agentReacts(t, c, h, symbol)) {
    host.req = REQ.none;
    return;
  }
  if (symbol === AE.snapshotReady) {
    const source = snapshotSource(t, c);
    const primary = c.hosts[source]!;
    // The snapshot is the secondary's starting point: received, executed and acknowledged.
    host.hist = host.recv = host.ackd = primary.hist;
    host.current = 1;
    // The pair forms: both ends of the logging stream attach (the cluster's transferSnapshot and
    // installSecondary); each stays attached until its agent disengages.
    host.link = 1;
    primary.link = 1;
    c.acked = primary.hist;
    host.req = REQ.none;
    stepAgent(t, c, h, AE.snapshotReady);
    stepAgent(t, c, source, AE.lockstepEngaged);
    notifyHa(t, c, HE.engaged);
    return;
  }
  if (symbol === AE.lockGrantedNoIo || symbol === AE.lockGrantedPendingIo) {
    // The atomic test-and-set: the generation moves on, fencing every other instance.
    for (let j = 0; j < c.hosts.length; j++) {
      if (j === h) continue;
      if (c.hosts[j]!.current === 1) c.hosts[j]!.current = 0;
      if (c.hosts[j]!.owner === 1) c.hosts[j]!.owner = 0;
    }
    host.current = 1;
    host.owner = 1;
  }
  // A detached secondary's drain (see `replayLog` in environment.ts): what it had received.
  if (symbol === AE.logDrained && host.link === 0) host.hist = host.recv;
  host.req = REQ.none;
  if (agentReacts(t, c, h, symbol)) stepAgent(t, c, h, symbol);
}

const outputSymbol = (c: C, host: HostState) =>
  host.current === 1 && c.acked > c.released ? AE.outputAcked : AE.outputUnacked;
const silentSymbol = (host: HostState) =>
  host.recv > host.hist ? AE.peerSilentPending : AE.peerSilentDrained;

export type HostGuard = (t: T, c: C, x: HostState, h: number) => boolean;

/** Whether each host step is enabled: one function per step (this runs for every candidate event). */
const HOST_GUARDS: Record<HostStepType, HostGuard> = {
  EXECUTE: (t, _c, x) => x.up === 1 && t.kinds.acting[x.agent] === 1 && x.hist < t.entriesMax,
  // The stream carries the primary's log to an attached secondary end, whatever its agent's state:
  // one that left lockstep without disengaging is still told LOG_ENTRY.
  DELIVER: (t, c, x) => {
    if (x.up === 0 || x.current === 0 || x.link === 0 || t.kinds.secondary[x.agent] === 0) return false;
    if (c.partitioned === 1) return false;
    const p = sendingEnd(t, c);
    return p >= 0 && c.hosts[p]!.hist > x.recv;
  },
  // Replay in slices runs while the secondary's end is attached (the cluster's runSecondary); once
  // detached, only the go-live drain (`replayLog`, answered by RESPOND) replays.
  REPLAY: (t, _c, x) => x.up === 1 && x.link === 1 && t.kinds.secondary[x.agent] === 1 && x.recv > x.hist,
  // Offered in every state the agent reacts to it: the Output Rule is the agent's to keep, not the
  // environment's (a held output outlives the state that produced it).
  OUTPUT: (t, c, x, h) => x.up === 1 && c.released < x.hist && agentReacts(t, c, h, outputSymbol(c, x)),
  // The array completes the write of the lock's owner and rejects a fenced one; a current
  // instance that does not own the lock yet has its write parked until it wins the test-and-set.
  IO_COMPLETE: (_t, _c, x) =>
    x.up === 1 && x.storage === 1 && x.ioOut === 1 && (x.owner === 1 || x.current === 0),
  // A reply arrives whether or not the agent acts on it: one it ignores is consumed, never held
  // back for a state that wants it (the environment must not retry for the agent).
  RESPOND: (t, c, x, h) => x.up === 1 && x.req !== REQ.none && respondSymbol(t, c, h) >= 0,
  TIMEOUT: (t, c, x, h) => x.up === 1 && peerSilent(t, c, h) && agentReacts(t, c, h, silentSymbol(x)),
  CRASH: (_t, c, x) => x.up === 1 && c.crashesLeft > 0,
  REPAIR: (_t, _c, x) => x.up === 0,
  STORAGE_LOSS: (_t, c, x) => x.up === 1 && x.storage === 1 && c.storageLossesLeft > 0,
  STORAGE_RESTORE: (_t, _c, x) => x.storage === 0,
  RESET: (t, _c, x) => x.up === 1 && t.kinds.halted[x.agent] === 1,
  // Offered while a primary can hand out a snapshot; the HA guard decides eligibility.
  HA_CANDIDATE: (t, c, x) =>
    c.partitioned === 0 && snapshotSource(t, c) >= 0 && haReacts(t, c, candidateSymbol(t, x)),
};

/** The guard of one host step, for binding as a named machine guard. */
export function hostStepGuard(type: HostStepType): HostGuard {
  return HOST_GUARDS[type];
}

/** Whether a host step is enabled. */
export function hostStepEnabled(t: T, c: C, type: HostStepType, h: number): boolean {
  return HOST_GUARDS[type](t, c, c.hosts[h]!, h);
}

/** Applies an enabled host step, returning what changed (a partial context). */
export function applyHostStep(t: T, c0: C, type: HostStepType, h: number): Partial<C> {
  const c = draftOf(c0);
  const x = c.hosts[h]!;
  switch (type) {
    case 'EXECUTE':
      x.hist++;
      if (x.hist === 1) x.ioOut = 1; // the first entry issues the VM's disk write
      break;
    case 'DELIVER':
      x.recv++;
      stepAgent(t, c, h, AE.logEntry);
      break;
    case 'REPLAY':
      x.hist++;
      break;
    case 'OUTPUT':
      stepAgent(t, c, h, outputSymbol(c, x));
      break;
    case 'IO_COMPLETE':
      x.ioOut = 0;
      if (x.current === 1) c.durable = 1; // the owner's (enabled only then); a fenced one's is rejected
      break;
    case 'RESPOND':
      applyRespond(t, c, h);
      break;
    case 'TIMEOUT':
      stepAgent(t, c, h, silentSymbol(x));
      break;
    case 'CRASH':
      x.up = 0;
      c.crashesLeft--;
      stepAgent(t, c, h, AE.crash);
      notifyHa(t, c, HE.leaderLost);
      break;
    case 'REPAIR':
      x.up = 1;
      stepAgent(t, c, h, AE.repair);
      break;
    case 'STORAGE_LOSS':
      x.storage = 0;
      c.storageLossesLeft--;
      if (agentReacts(t, c, h, AE.storageLost)) stepAgent(t, c, h, AE.storageLost);
      break;
    case 'STORAGE_RESTORE':
      x.storage = 1;
      break;
    case 'RESET':
      stepAgent(t, c, h, AE.reset);
      break;
    case 'HA_CANDIDATE':
      stepHa(t, c, candidateSymbol(t, x), h);
      break;
  }
  return c.patch();
}

function unprotected(t: T, c: C): boolean {
  if (snapshotSource(t, c) < 0) return false;
  return !anyUpOfKind(c, t.kinds.secSyncing) && engagedSecondary(t, c) < 0;
}

export function globalStepEnabled(t: T, c: C, type: GlobalStepType): boolean {
  switch (type) {
    case 'ACK': {
      if (c.partitioned === 1 || sendingEnd(t, c) < 0) return false;
      const s = receivingEnd(t, c);
      return s >= 0 && c.acked < c.hosts[s]!.ackd;
    }
    case 'PARTITION':
      return c.partitioned === 0 && c.partitionsLeft > 0;
    case 'HEAL':
      return c.partitioned === 1;
    case 'HA_UNPROTECTED':
      return haReacts(t, c, HE.unprotected) && unprotected(t, c);
    case 'HA_SPAWN_FAILED':
      return haReacts(t, c, HE.spawnFailed) && !anyUpOfKind(c, t.kinds.secSyncing);
  }
}

export function applyGlobalStep(t: T, c0: C, type: GlobalStepType): Partial<C> {
  const c = draftOf(c0);
  switch (type) {
    case 'ACK':
      c.acked++;
      break;
    case 'PARTITION':
      c.partitioned = 1;
      c.partitionsLeft--;
      break;
    case 'HEAL':
      c.partitioned = 0;
      break;
    case 'HA_UNPROTECTED':
      stepHa(t, c, HE.unprotected);
      break;
    case 'HA_SPAWN_FAILED':
      stepHa(t, c, HE.spawnFailed);
      break;
  }
  return c.patch();
}
