// The abstract environment: hosts, the FT lock with its generation, the logging channel, outputs
// held by the Output Rule, pending disk I/O, and faults — as pure functions on ClusterContext.
// Agents and the HA service are stepped through their actor tables (models/actorTable.ts), and the
// commands they emit are carried out here exactly as the cluster simulation must carry them out.
import { assert } from '../src/base/assert.ts';
import type { ActorTable } from './actorTable.ts';
import { type ClusterContext, type HostState, REQ } from './clusterState.ts';

/** Agent event symbols: indices into AGENT_ALPHABET. */
export const AE = {
  powerOn: 0,
  spawnSecondary: 1,
  snapshotReady: 2,
  lockstepEngaged: 3,
  logEntry: 4,
  outputUnacked: 5,
  outputAcked: 6,
  peerSilentDrained: 7,
  peerSilentPending: 8,
  logDrained: 9,
  lockGrantedNoIo: 10,
  lockGrantedPendingIo: 11,
  lockDenied: 12,
  storageUnreachable: 13,
  storageLost: 14,
  ioReissued: 15,
  crash: 16,
  repair: 17,
  reset: 18,
} as const;

export const AGENT_ALPHABET = [
  { type: 'POWER_ON' },
  { type: 'SPAWN_SECONDARY' },
  { type: 'SNAPSHOT_READY' },
  { type: 'LOCKSTEP_ENGAGED' },
  { type: 'LOG_ENTRY' },
  { type: 'OUTPUT_READY', acked: false },
  { type: 'OUTPUT_READY', acked: true },
  { type: 'PEER_SILENT', logPending: false },
  { type: 'PEER_SILENT', logPending: true },
  { type: 'LOG_DRAINED' },
  { type: 'LOCK_GRANTED', pendingIo: false },
  { type: 'LOCK_GRANTED', pendingIo: true },
  { type: 'LOCK_DENIED' },
  { type: 'STORAGE_UNREACHABLE' },
  { type: 'STORAGE_LOST' },
  { type: 'IO_REISSUED' },
  { type: 'CRASH' },
  { type: 'REPAIR' },
  { type: 'RESET' },
] as const;

/** HA event symbols: indices into HA_ALPHABET. CANDIDATE's host is filled in by the environment. */
export const HE = { unprotected: 0, candidate: 1, engaged: 5, spawnFailed: 6, leaderLost: 7 } as const;
export const HA_ALPHABET = [
  { type: 'PRIMARY_UNPROTECTED' },
  { type: 'CANDIDATE', host: 0, healthy: false, runsThisVm: false },
  { type: 'CANDIDATE', host: 0, healthy: false, runsThisVm: true },
  { type: 'CANDIDATE', host: 0, healthy: true, runsThisVm: false },
  { type: 'CANDIDATE', host: 0, healthy: true, runsThisVm: true },
  { type: 'ENGAGED' },
  { type: 'SPAWN_FAILED' },
  { type: 'LEADER_LOST' },
] as const;

/** Per agent-state id: what the environment needs to know about it. */
export interface AgentKinds {
  idle: Uint8Array;
  failed: Uint8Array;
  halted: Uint8Array;
  secSyncing: Uint8Array;
  secEngaged: Uint8Array;
  primEngaged: Uint8Array;
  primAlone: Uint8Array;
  /** Tag `acting`: the VM instance executes and may emit output (primary engaged or alone). */
  acting: Uint8Array;
  /** Tag `solo`: a primary running without a secondary. */
  solo: Uint8Array;
  /** Tag `secondary`: syncing, engaged or going live (the receiving end of a logging stream). */
  secondary: Uint8Array;
}

export function classifyAgents(table: ActorTable): AgentKinds {
  const by = (test: (path: string, tags: ReadonlySet<string>) => boolean) =>
    Uint8Array.from(table.paths.map((p, i) => (test(p, table.tags[i]!) ? 1 : 0)));
  return {
    idle: by((p) => p === 'idle'),
    failed: by((p) => p === 'failed'),
    halted: by((p) => p === 'halted'),
    secSyncing: by((p) => p === 'secondary.syncing'),
    secEngaged: by((p) => p === 'secondary.engaged'),
    primEngaged: by((p) => p === 'primary.engaged'),
    primAlone: by((p) => p === 'primary.alone'),
    acting: by((_, t) => t.has('acting')),
    solo: by((_, t) => t.has('solo')),
    secondary: by((_, t) => t.has('secondary')),
  };
}

export interface EnvironmentTables {
  agent: ActorTable;
  ha: ActorTable;
  kinds: AgentKinds;
  entriesMax: number;
}

function clearVm(host: HostState): void {
  host.current = 0;
  host.owner = 0;
  host.hist = 0;
  host.recv = 0;
  host.ackd = 0;
  host.link = 0;
  host.ioOut = 0;
  host.req = REQ.none;
}

/**
 * Whether the agent on `h` reacts to the event symbol: takes a transition that changes its
 * snapshot or emits. Steps the environment may withhold (OUTPUT, TIMEOUT, a storage loss) are
 * offered only then: one the agent ignores, or handles with a transition that does nothing, would
 * be a self-loop of the whole model (and hide a deadlock).
 */
export function agentReacts(t: EnvironmentTables, c: ClusterContext, h: number, symbol: number): boolean {
  const index = c.hosts[h]!.agent * AGENT_ALPHABET.length + symbol;
  return t.agent.next[index]! >= 0 && t.agent.silent[index] === 0;
}

/**
 * Steps the agent on `h` (mutating `c`, a draft) and carries out the commands it emits. An event
 * its state does not handle is dropped and recorded in `c.unhandled` (the first one only): the
 * agent has no answer to something that happens to it, a protocol finding the property
 * `agentHandlesDeliveredEvents` reports with its path, never an internal error of the checker.
 */
export function stepAgent(t: EnvironmentTables, c: ClusterContext, h: number, symbol: number): void {
  const host = c.hosts[h]!;
  // A down host's agent hears its CRASH and nothing else until REPAIR brings the host back (ftcheck
  // mutate counts on it: src/check/mutate/equivalence.ts HOST_LIVENESS).
  assert(host.up === 1 || symbol === AE.crash, 'a down host hears nothing but its crash');
  const index = host.agent * AGENT_ALPHABET.length + symbol;
  const to = t.agent.next[index]!;
  if (to < 0) {
    if (c.unhandled === 0) c.unhandled = symbol + 1;
    return;
  }
  const from = host.agent;
  host.agent = to;
  for (const command of t.agent.commands[index]!) runAgentCommand(t, c, host, command);
  if (t.kinds.idle[to] || t.kinds.failed[to] || t.kinds.halted[to]) clearVm(host);
  // A primary ignores the loss of its storage while alone (nobody to fail over to); once it has a
  // secondary, a host still without storage is told again, as the cluster's agent is on engaging.
  if (to !== from && t.kinds.primEngaged[to] && host.storage === 0 && agentReacts(t, c, h, AE.storageLost))
    stepAgent(t, c, h, AE.storageLost);
}

function runAgentCommand(t: EnvironmentTables, c: ClusterContext, host: HostState, command: string): void {
  switch (command) {
    case 'requestSnapshot':
      host.req = REQ.snapshot;
      return;
    case 'replayLog':
      // The drain replays what has been received when it is asked for (the cluster's replayLog
      // runs the replayer to the end of the received log at once, then answers LOG_DRAINED after
      // the time that takes). An entry taken later is replayed only by a slice while the end is
      // still attached (REPLAY), and is lost if the instance goes live first. A detached end
      // receives nothing more, so its replay is applied with the answer (RESPOND) instead: the same
      // entries, and the draining states of a correct agent stay as they were.
      if (host.link === 1) host.hist = host.recv;
      host.req = REQ.replay;
      return;
    case 'testAndSet':
      host.req = REQ.testAndSet;
      return;
    case 'reissuePendingIo':
      // The old primary's write goes out again now if it never reached the disk; the answer
      // (IO_REISSUED, RESPOND) comes once it has completed: a commit, as the cluster's
      // awaitReissued. (The cluster's poll ceiling, going live anyway after 2 s, is a timing
      // fallback this untimed model leaves out: a reissue that cannot complete is a deadlock here,
      // as it is a late go-live, I5, there.)
      if (host.hist >= 1 && c.durable === 0 && host.ioOut === 0) host.ioOut = 1;
      host.req = REQ.reissue;
      return;
    case 'ackLogEntry':
      // The secondary acknowledges what it has received; the channel carries it (the ACK step).
      host.ackd = host.recv;
      return;
    case 'disengage':
      // The instance leaves lockstep: its end of the logging stream detaches, so nothing more is
      // shipped, received, replayed in slices or acknowledged on it (the cluster's FtInstance
      // `disengaged`). Until then the stream runs, whatever state the agent is in.
      host.link = 0;
      return;
    case 'takeClientAddress':
      // Gratuitous ARP: clients follow the announcement. Only the acting primary that holds the
      // current lock generation may make it (run after the agent has entered its new state).
      if (host.current === 0 || t.kinds.acting[host.agent] === 0) c.addressMisplaced = 1;
      return;
    case 'releaseOutput':
      assert(c.released < host.hist, 'an output is released only after its entry executed');
      c.released++;
      return;
    default:
      // sendHeartbeat, halt, announceCandidate: their effects are implicit in
      // the abstract state (a halted or idle instance is cleared by stepAgent).
      return;
  }
}

/** Whether the HA service reacts to the event symbol (as `agentReacts`). */
export function haReacts(t: EnvironmentTables, c: ClusterContext, symbol: number): boolean {
  const index = c.ha * HA_ALPHABET.length + symbol;
  return t.ha.next[index]! >= 0 && t.ha.silent[index] === 0;
}

/** Steps the HA service; a `spawnSecondary` command places a secondary on `candidate`. */
export function stepHa(t: EnvironmentTables, c: ClusterContext, symbol: number, candidate = -1): void {
  const index = c.ha * HA_ALPHABET.length + symbol;
  const to = t.ha.next[index]!;
  assert(to >= 0, `HA service does not handle ${HA_ALPHABET[symbol]!.type}`);
  c.ha = to;
  for (const command of t.ha.commands[index]!) {
    assert(command === 'spawnSecondary' && candidate >= 0, `unexpected HA command ${command}`);
    if (t.kinds.idle[c.hosts[candidate]!.agent]) stepAgent(t, c, candidate, AE.spawnSecondary);
    else c.colocated = 1;
  }
}

/** Tells the HA service something that it may ignore in its current state (no change). */
export function notifyHa(t: EnvironmentTables, c: ClusterContext, symbol: number): void {
  if (haReacts(t, c, symbol)) stepHa(t, c, symbol);
}

export function candidateSymbol(t: EnvironmentTables, host: HostState): number {
  const healthy = host.up === 1 && host.storage === 1;
  const runsThisVm = !t.kinds.idle[host.agent] && !t.kinds.failed[host.agent];
  return HE.candidate + (healthy ? 2 : 0) + (runsThisVm ? 1 : 0);
}
