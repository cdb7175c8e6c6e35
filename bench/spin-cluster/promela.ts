// Generates the Promela port of ftcheck's cluster model (models/clusterModel.ts) for SPIN, so that
// ftcheck's explorer can be measured against SPIN on its own model, state for state.
//
// What is generated and what is written by hand:
// - the agent and the HA service come from their actor tables (models/actorTable.ts: the machines
//   tabulated through xstate's own `transition`): one Promela `inline` per event symbol, one branch
//   per agent state that handles it, carrying out the commands it emits; `*_REACTS_*` macros from
//   the table's `next` and `silent` columns; the agent kinds (idle, acting, …) from the tags. The
//   machines therefore cannot drift from the TypeScript ones;
// - the environment (models/environment.ts, models/envSteps.ts) is ported by hand below, one
//   Promela guard macro and one `inline` per step, in the order and with the reads of the original;
// - the initial state, bounds and host count are the model's own (`createClusterModel(options)`).
//
// Each ftcheck transition is one `d_step` (guard first, then the step, then the safety
// properties as asserts), so SPIN stores exactly ftcheck's states (without host symmetry). The one
// other option, `timeout` (no step enabled), asserts that the state is stable: ftcheck's deadlock
// check. Temporaries are `hidden`, outside the state vector. The output is deterministic.

import type { ActorTable } from '../../models/actorTable.ts';
import { findModelBug } from '../../models/bugs.ts';
import { type ClusterOptions, createClusterModel } from '../../models/clusterModel.ts';
import type { ClusterContext, HostState } from '../../models/clusterState.ts';
import { AE, AGENT_ALPHABET, type AgentKinds, HA_ALPHABET, HE } from '../../models/environment.ts';
import { assert } from '../../src/base/assert.ts';

export type ClusterBounds = Omit<ClusterOptions, 'bug' | 'agentMachine' | 'haMachine'>;

/**
 * Bounds, and optionally a seeded bug of the agent or the HA service by name (models/bugs.ts):
 * their tables change, so the port follows. Environment bugs (a replaced step guard) are refused.
 */
export interface PromelaOptions extends ClusterBounds {
  bug?: string;
}

/** NONE stands for "no host" / "no symbol" (ftcheck's -1). */
const NONE = 255;

const snake = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** Agent event symbols by index: AE's keys in SNAKE_CASE (OUTPUT_ACKED, PEER_SILENT_PENDING, …). */
function agentSymbolNames(): string[] {
  const names: string[] = [];
  for (const [key, index] of Object.entries(AE)) names[index] = snake(key);
  assert(names.length === AGENT_ALPHABET.length, 'AE names every agent event symbol');
  assert(!names.includes(undefined as never), 'AE symbols are dense');
  return names;
}

/** HA event symbols by index: the event type, and for CANDIDATE its flags. */
function haSymbolNames(): string[] {
  return HA_ALPHABET.map((e) => {
    if (e.type !== 'CANDIDATE') return e.type;
    return `CANDIDATE_${e.healthy ? 'HEALTHY' : 'SICK'}${e.runsThisVm ? '_RUNS' : ''}`;
  });
}

/** The environment's candidateSymbol layout: HE.candidate + 2·healthy + runsThisVm. */
function checkCandidateLayout(): void {
  for (const healthy of [false, true]) {
    for (const runs of [false, true]) {
      const e = HA_ALPHABET[HE.candidate + (healthy ? 2 : 0) + (runs ? 1 : 0)] as {
        type: string;
        healthy?: boolean;
        runsThisVm?: boolean;
      };
      assert(e.type === 'CANDIDATE', 'candidate symbols are HE.candidate..+3');
      assert(e.healthy === healthy && e.runsThisVm === runs, 'candidate symbol = base + 2·healthy + runs');
    }
  }
}

/** `(a) == 3 || (a) == 7`, or `0` for the empty set. */
function member(ids: number[], v = 'a'): string {
  if (ids.length === 0) return '0';
  return `(${ids.map((id) => `(${v}) == ${id}`).join(' || ')})`;
}

const idsOf = (flags: ArrayLike<number>) =>
  Array.from(flags, (f, id) => (f ? id : -1)).filter((id) => id >= 0);

function reactingIds(table: ActorTable, symbol: number): number[] {
  const width = table.alphabet.length;
  const ids: number[] = [];
  for (let id = 0; id < table.names.length; id++) {
    if (table.next[id * width + symbol]! >= 0 && table.silent[id * width + symbol] === 0) ids.push(id);
  }
  return ids;
}

const KIND_MACROS: [string, keyof AgentKinds][] = [
  ['IDLE', 'idle'],
  ['FAILED', 'failed'],
  ['HALTED', 'halted'],
  ['SEC_SYNCING', 'secSyncing'],
  ['SEC_ENGAGED', 'secEngaged'],
  ['PRIM_ENGAGED', 'primEngaged'],
  ['PRIM_ALONE', 'primAlone'],
  ['ACTING', 'acting'],
  ['SOLO', 'solo'],
  ['SECONDARY', 'secondary'],
];

interface Gen {
  hosts: number;
  entries: number;
  agent: ActorTable;
  ha: ActorTable;
  kinds: AgentKinds;
  agentNames: string[];
  haNames: string[];
  initial: ClusterContext;
}

/** One agent command carried out on host `h` (environment.ts runAgentCommand), after `agent[h] = to`. */
function agentCommand(g: Gen, command: string, to: number): string {
  switch (command) {
    case 'requestSnapshot':
      return 'req[h] = REQ_SNAPSHOT';
    case 'replayLog':
      // The drain replays what an attached end has received when asked; a detached one at RESPOND.
      return 'if :: link[h] -> hist[h] = recv[h] :: else -> skip fi; req[h] = REQ_REPLAY';
    case 'testAndSet':
      return 'req[h] = REQ_TEST_AND_SET';
    case 'reissuePendingIo':
      // The old primary's write goes out again if it never reached the disk; answered once complete.
      return 'if :: hist[h] >= 1 && !durable && !ioOut[h] -> ioOut[h] = 1 :: else -> skip fi; req[h] = REQ_REISSUE';
    case 'ackLogEntry':
      return 'ackd[h] = recv[h]';
    case 'disengage':
      return 'link[h] = 0';
    case 'takeClientAddress':
      // Only the acting primary of the current generation may announce the address.
      return g.kinds.acting[to]
        ? 'if :: current[h] == 0 -> addressMisplaced = 1 :: else -> skip fi'
        : 'addressMisplaced = 1';
    case 'releaseOutput':
      return 'assert(released < hist[h]); released++';
    case 'sendHeartbeat':
    case 'halt':
    case 'announceCandidate':
      return `skip /* ${command}: implicit in the abstract state */`;
    default:
      throw new Error(`the Promela port does not know the agent command ${command}`);
  }
}

/** The agent inlines: one per event symbol, in an order where each is defined before its use. */
function agentInlines(g: Gen): string[] {
  const width = AGENT_ALPHABET.length;
  const bodies: string[] = [];
  const uses: Set<number>[] = [];
  for (let symbol = 0; symbol < width; symbol++) {
    const groups = new Map<string, number[]>();
    const used = new Set<number>();
    for (let from = 0; from < g.agent.names.length; from++) {
      const index = from * width + symbol;
      const to = g.agent.next[index]!;
      if (to < 0) continue;
      const steps: string[] = [];
      if (to !== from) steps.push(`agent[h] = ${to}`);
      for (const command of g.agent.commands[index]!) steps.push(agentCommand(g, command, to));
      if (g.kinds.idle[to] || g.kinds.failed[to] || g.kinds.halted[to]) steps.push('clearVm(h)');
      // A primary alone ignores a storage loss; once paired, a host still without storage is told again.
      if (to !== from && g.kinds.primEngaged[to]) {
        used.add(AE.storageLost);
        steps.push(
          'if :: storage[h] == 0 && AGENT_REACTS_STORAGE_LOST(agent[h]) -> agent_STORAGE_LOST(h) :: else -> skip fi',
        );
      }
      const body = steps.length > 0 ? steps.join('; ') : 'skip /* handled: nothing happens */';
      groups.set(body, [...(groups.get(body) ?? []), from]);
    }
    const lines = [`inline agent_${g.agentNames[symbol]}(h) {`];
    if (symbol !== AE.crash) lines.push('  assert(up[h]); /* a down host hears nothing but its crash */');
    lines.push('  if');
    for (const [body, froms] of groups) {
      lines.push(
        `  :: ${member(froms, 'agent[h]')} -> /* ${froms.map((f) => g.agent.names[f]).join(', ')} */`,
      );
      lines.push(`     ${body}`);
    }
    lines.push(`  :: else -> UNHANDLED(E_${g.agentNames[symbol]})`, '  fi', '}');
    bodies.push(lines.join('\n'));
    uses.push(used);
  }
  // Topological order: an inline is defined before the inlines that expand it (no recursion).
  const order: number[] = [];
  const state = new Uint8Array(width); // 0 new, 1 on the path, 2 done
  const visit = (symbol: number): void => {
    assert(state[symbol] !== 1, `agent inline ${g.agentNames[symbol]} would expand itself`);
    if (state[symbol] === 2) return;
    state[symbol] = 1;
    for (const used of uses[symbol]!) visit(used);
    state[symbol] = 2;
    order.push(symbol);
  };
  for (let symbol = 0; symbol < width; symbol++) visit(symbol);
  return order.map((symbol) => bodies[symbol]!);
}

/** The HA inlines (environment.ts stepHa): `cand` is the offered host (NONE for other events). */
function haInlines(g: Gen): string[] {
  const width = HA_ALPHABET.length;
  const out: string[] = [];
  for (let symbol = 0; symbol < width; symbol++) {
    const lines = [`inline ha_${g.haNames[symbol]}(cand) {`, '  if'];
    for (let from = 0; from < g.ha.names.length; from++) {
      const index = from * width + symbol;
      const to = g.ha.next[index]!;
      if (to < 0) continue;
      const steps = to !== from ? [`ha = ${to}`] : [];
      for (const command of g.ha.commands[index]!) {
        assert(command === 'spawnSecondary', `the Promela port does not know the HA command ${command}`);
        // spawnSecondary: an idle candidate's agent is told SPAWN_SECONDARY; otherwise a colocation.
        steps.push(
          'assert(cand != NONE); if :: IDLE(agent[cand]) -> agent_SPAWN_SECONDARY(cand) :: else -> colocated = 1 fi',
        );
      }
      lines.push(`  :: ha == ${from} -> /* ${g.ha.names[from]} */ ${steps.join('; ') || 'skip'}`);
    }
    lines.push(
      `  :: else -> assert(false) /* the HA service does not handle ${g.haNames[symbol]} */`,
      '  fi',
      '}',
    );
    out.push(lines.join('\n'));
  }
  return out;
}

/** Macros over all hosts (unrolled for the host count). */
function quantifiers(g: Gen): string[] {
  const hs = Array.from({ length: g.hosts }, (_, h) => h);
  /** The first host satisfying P(h), else NONE: `(P(0) -> 0 : (P(1) -> 1 : NONE))`. */
  const first = (p: (h: number) => string) =>
    hs.reduceRight((rest, h) => `(${p(h)} -> ${h} : ${rest})`, 'NONE');
  const any = (p: (h: number) => string) => `(${hs.map(p).join(' || ')})`;
  const all = (p: (h: number) => string) => `(${hs.map(p).join(' && ')})`;
  const count = (p: (h: number) => string) => `(${hs.map((h) => `(${p(h)} -> 1 : 0)`).join(' + ')})`;
  /** An up host of the current generation whose agent is of KIND (envSteps.ts currentOfKind). */
  const cur = (kind: string) => (h: number) => `CUR(${h}, ${kind})`;
  /** The same with its end of the logging stream attached (envSteps.ts streamEnd). */
  const end = (kind: string) => (h: number) => `(CUR(${h}, ${kind}) && link[${h}])`;
  return [
    '/* an up host of the current generation whose agent is of KIND (envSteps.ts currentOfKind) */',
    '#define CUR(h, KIND) (up[h] && current[h] && KIND(agent[h]))',
    '/* the first such host, or NONE; stream ends also have their end attached (envSteps.ts streamEnd) */',
    `#define SNAPSHOT_SOURCE ${first(cur('PRIM_ALONE'))}`,
    `#define ENGAGED_PRIMARY ${first(cur('PRIM_ENGAGED'))}`,
    `#define ENGAGED_SECONDARY ${first(cur('SEC_ENGAGED'))}`,
    `#define SENDING_END ${first(end('ACTING'))}`,
    `#define RECEIVING_END ${first(end('SECONDARY'))}`,
    "/* the sending end's hist and the receiving end's ackd, 0 when there is none (DELIVER and ACK compare with '>') */",
    `#define SENDING_HIST ${hs.reduceRight((rest, h) => `(${end('ACTING')(h)} -> hist[${h}] : ${rest})`, '0')}`,
    `#define RECEIVING_ACKD ${hs.reduceRight((rest, h) => `(${end('SECONDARY')(h)} -> ackd[${h}] : ${rest})`, '0')}`,
    `#define ANY_UP_SYNCING ${any((h) => `(up[${h}] && SEC_SYNCING(agent[${h}]))`)}`,
    `#define FENCE_ALL ${hs.map((h) => `current[${h}] = 0; owner[${h}] = 0`).join('; ')}`,
    '',
    '/* The safety properties (clusterModel.ts properties), one assert each. */',
    `#define P_SINGLE_ACTING_PRIMARY (${count((h) => `(up[${h}] && ACTING(agent[${h}]) && current[${h}])`)} <= 1)`,
    `#define P_SINGLE_SOLO_PRIMARY (${count((h) => `(up[${h}] && SOLO(agent[${h}]))`)} <= 1)`,
    `#define P_OUTPUT_REPRODUCIBLE ${all((h) => `(!CUR(${h}, SEC_ENGAGED) || recv[${h}] >= released)`)}`,
    `#define P_RELEASED_OUTPUT_SURVIVES ${all((h) => `(!CUR(${h}, ACTING) || hist[${h}] >= released)`)}`,
    `#define P_PENDING_WRITE_OUTSTANDING ${all(
      (h) => `(!(CUR(${h}, ACTING) && hist[${h}] >= 1) || durable || ioOut[${h}])`,
    )}`,
    `#define P_ENGAGED_PRIMARY_HAS_STORAGE ${all((h) => `(!CUR(${h}, PRIM_ENGAGED) || storage[${h}])`)}`,
    '/* clusterModel.ts `stable`: the states allowed to have no successor (others are deadlocks) */',
    `#define STABLE (${all(
      (h) =>
        `(!up[${h}] || IDLE(agent[${h}]) || SEC_ENGAGED(agent[${h}]) || PRIM_ENGAGED(agent[${h}]) || PRIM_ALONE(agent[${h}]))`,
    )} && ha == HA_WATCHING)`,
  ];
}

function declarations(g: Gen): string[] {
  const c = g.initial;
  const field = (type: string, name: keyof HostState, comment: string) =>
    `${type} ${name}[HOSTS] = { ${c.hosts.map((x) => x[name]).join(', ')} }; /* ${comment} */`;
  return [
    '/* per host (models/clusterState.ts HostState) */',
    field('byte', 'agent', "the agent's state id in its actor table"),
    field('bit', 'up', 'the host is up'),
    field('bit', 'storage', 'a storage path works'),
    field('bit', 'current', 'holds the current lock generation'),
    field('bit', 'owner', 'owns the lock: the array completes its writes'),
    field('byte', 'hist', 'entries executed (primary) or replayed (secondary)'),
    field('byte', 'recv', 'entries received (secondary)'),
    field('bit', 'ioOut', 'a disk write is outstanding'),
    field('byte', 'req', 'the request awaiting an answer (REQ_*)'),
    field('byte', 'ackd', 'entries the secondary acknowledged'),
    field('bit', 'link', "this instance's end of the logging stream is attached"),
    '/* shared (ClusterContext) */',
    `byte ha = ${c.ha}; /* the HA service's state id */`,
    `byte acked = ${c.acked};`,
    `byte released = ${c.released};`,
    `bit durable = ${c.durable};`,
    `bit partitioned = ${c.partitioned};`,
    `bit colocated = ${c.colocated};`,
    `bit addressMisplaced = ${c.addressMisplaced};`,
    `byte unhandled = ${c.unhandled}; /* first undelivered agent event symbol + 1 */`,
    `byte crashesLeft = ${c.crashesLeft};`,
    `byte partitionsLeft = ${c.partitionsLeft};`,
    `byte storageLossesLeft = ${c.storageLossesLeft};`,
    '/* temporaries of one step: not part of the state vector */',
    'hidden byte respondSym, snapSrc, candSym;',
  ];
}

// The environment's steps, by hand (models/envSteps.ts). Guards are expressions over host h.
const ENVIRONMENT = String.raw`
#define UNHANDLED(e) if :: unhandled == 0 -> unhandled = e + 1 :: else -> skip fi

inline clearVm(h) {
  current[h] = 0; owner[h] = 0; hist[h] = 0; recv[h] = 0; ackd[h] = 0; link[h] = 0; ioOut[h] = 0; req[h] = REQ_NONE
}

/* outputSymbol, silentSymbol, candidateSymbol, respondSymbol (NONE: RESPOND disabled) */
#define OUTPUT_SYM(h) ((current[h] && acked > released) -> E_OUTPUT_ACKED : E_OUTPUT_UNACKED)
#define SILENT_SYM(h) ((recv[h] > hist[h]) -> E_PEER_SILENT_PENDING : E_PEER_SILENT_DRAINED)
#define CAND_SYM(h) (HE_CANDIDATE + ((up[h] && storage[h]) -> 2 : 0) + ((!IDLE(agent[h]) && !FAILED(agent[h])) -> 1 : 0))
#define RESPOND_SYM(h) \
  (req[h] == REQ_SNAPSHOT -> ((!partitioned && SNAPSHOT_SOURCE != NONE) -> E_SNAPSHOT_READY : NONE) : \
  (req[h] == REQ_REPLAY -> E_LOG_DRAINED : \
  (req[h] == REQ_TEST_AND_SET -> \
     (!storage[h] -> E_STORAGE_UNREACHABLE : \
     (!current[h] -> E_LOCK_DENIED : \
     ((hist[h] >= 1 && !durable && !ioOut[h]) -> E_LOCK_GRANTED_PENDING_IO : E_LOCK_GRANTED_NO_IO))) : \
  (req[h] == REQ_REISSUE -> (ioOut[h] -> NONE : E_IO_REISSUED) : NONE))))

/* the failure detector: heartbeats and logging traffic from the peer have stopped */
#define PEER_SILENT(h) \
  (SEC_SYNCING(agent[h]) -> (partitioned || SNAPSHOT_SOURCE == NONE) : \
  (SEC_ENGAGED(agent[h]) -> (partitioned || !current[h] || ENGAGED_PRIMARY == NONE) : \
  (PRIM_ENGAGED(agent[h]) -> (partitioned || !current[h] || ENGAGED_SECONDARY == NONE) : 0)))

#define REACTS_OUTPUT(h) (OUTPUT_SYM(h) == E_OUTPUT_ACKED -> AGENT_REACTS_OUTPUT_ACKED(agent[h]) : AGENT_REACTS_OUTPUT_UNACKED(agent[h]))
#define REACTS_SILENT(h) (SILENT_SYM(h) == E_PEER_SILENT_PENDING -> AGENT_REACTS_PEER_SILENT_PENDING(agent[h]) : AGENT_REACTS_PEER_SILENT_DRAINED(agent[h]))

/* host steps: guards */
#define G_EXECUTE(h) (up[h] && ACTING(agent[h]) && hist[h] < ENTRIES)
#define G_DELIVER(h) (up[h] && current[h] && link[h] && SECONDARY(agent[h]) && !partitioned && SENDING_HIST > recv[h])
#define G_REPLAY(h) (up[h] && link[h] && SECONDARY(agent[h]) && recv[h] > hist[h])
#define G_OUTPUT(h) (up[h] && released < hist[h] && REACTS_OUTPUT(h))
#define G_IO_COMPLETE(h) (up[h] && storage[h] && ioOut[h] && (owner[h] || !current[h]))
#define G_RESPOND(h) (up[h] && req[h] != REQ_NONE && RESPOND_SYM(h) != NONE)
#define G_TIMEOUT(h) (up[h] && PEER_SILENT(h) && REACTS_SILENT(h))
#define G_CRASH(h) (up[h] && crashesLeft > 0)
#define G_REPAIR(h) (!up[h])
#define G_STORAGE_LOSS(h) (up[h] && storage[h] && storageLossesLeft > 0)
#define G_STORAGE_RESTORE(h) (!storage[h])
#define G_RESET(h) (up[h] && HALTED(agent[h]))
#define G_HA_CANDIDATE(h) (!partitioned && SNAPSHOT_SOURCE != NONE && HA_REACTS_CANDIDATE(CAND_SYM(h), ha))

/* global steps: guards */
#define G_ACK (!partitioned && SENDING_END != NONE && RECEIVING_END != NONE && acked < RECEIVING_ACKD)
#define G_PARTITION (!partitioned && partitionsLeft > 0)
#define G_HEAL (partitioned)
#define G_HA_UNPROTECTED (HA_REACTS_PRIMARY_UNPROTECTED(ha) && SNAPSHOT_SOURCE != NONE && !ANY_UP_SYNCING && ENGAGED_SECONDARY == NONE)
#define G_HA_SPAWN_FAILED (HA_REACTS_SPAWN_FAILED(ha) && !ANY_UP_SYNCING)

#define CHECK \
  assert(P_SINGLE_ACTING_PRIMARY); assert(P_SINGLE_SOLO_PRIMARY); assert(P_OUTPUT_REPRODUCIBLE); \
  assert(P_RELEASED_OUTPUT_SURVIVES); assert(P_PENDING_WRITE_OUTSTANDING); \
  assert(P_ENGAGED_PRIMARY_HAS_STORAGE); assert(colocated == 0); assert(addressMisplaced == 0); \
  assert(unhandled == 0)
`;

// The environment's steps, by hand: what they do (after the agent and HA inlines they expand).
const ENVIRONMENT_STEPS = `
inline execute(h) { hist[h]++; if :: hist[h] == 1 -> ioOut[h] = 1 :: else -> skip fi }
inline deliver(h) { recv[h]++; agent_LOG_ENTRY(h) }
inline replay(h) { hist[h]++ }
inline output(h) {
  if :: OUTPUT_SYM(h) == E_OUTPUT_ACKED -> agent_OUTPUT_ACKED(h) :: else -> agent_OUTPUT_UNACKED(h) fi
}
inline ioComplete(h) { ioOut[h] = 0; if :: current[h] -> durable = 1 :: else -> skip fi }
inline timeout_(h) {
  if :: SILENT_SYM(h) == E_PEER_SILENT_PENDING -> agent_PEER_SILENT_PENDING(h) :: else -> agent_PEER_SILENT_DRAINED(h) fi
}
inline crash(h) { up[h] = 0; crashesLeft--; agent_CRASH(h); if :: HA_REACTS_LEADER_LOST(ha) -> ha_LEADER_LOST(NONE) :: else -> skip fi }
inline repair(h) { up[h] = 1; agent_REPAIR(h) }
inline storageLoss(h) {
  storage[h] = 0; storageLossesLeft--;
  if :: AGENT_REACTS_STORAGE_LOST(agent[h]) -> agent_STORAGE_LOST(h) :: else -> skip fi
}
inline storageRestore(h) { storage[h] = 1 }
inline reset(h) { agent_RESET(h) }
inline haCandidate(h) {
  candSym = CAND_SYM(h);
  if
  :: candSym == HE_CANDIDATE -> ha_CANDIDATE_SICK(h)
  :: candSym == HE_CANDIDATE + 1 -> ha_CANDIDATE_SICK_RUNS(h)
  :: candSym == HE_CANDIDATE + 2 -> ha_CANDIDATE_HEALTHY(h)
  :: candSym == HE_CANDIDATE + 3 -> ha_CANDIDATE_HEALTHY_RUNS(h)
  fi
}

/* RESPOND (envSteps.ts applyRespond): answer the pending request; an ignored reply is consumed */
inline respond(h) {
  respondSym = RESPOND_SYM(h);
  if
  :: respondSym == E_SNAPSHOT_READY && !AGENT_REACTS_SNAPSHOT_READY(agent[h]) -> req[h] = REQ_NONE
  :: respondSym == E_SNAPSHOT_READY && AGENT_REACTS_SNAPSHOT_READY(agent[h]) ->
     /* the snapshot: received, executed and acknowledged; the pair forms, both ends attach */
     snapSrc = SNAPSHOT_SOURCE;
     hist[h] = hist[snapSrc]; recv[h] = hist[snapSrc]; ackd[h] = hist[snapSrc];
     current[h] = 1; link[h] = 1; link[snapSrc] = 1; acked = hist[snapSrc]; req[h] = REQ_NONE;
     agent_SNAPSHOT_READY(h);
     agent_LOCKSTEP_ENGAGED(snapSrc);
     if :: HA_REACTS_ENGAGED(ha) -> ha_ENGAGED(NONE) :: else -> skip fi
  :: else ->
     if /* the atomic test-and-set: the generation moves on, fencing every other instance */
     :: respondSym == E_LOCK_GRANTED_NO_IO || respondSym == E_LOCK_GRANTED_PENDING_IO -> FENCE_ALL; current[h] = 1; owner[h] = 1
     :: else -> skip
     fi;
     if :: respondSym == E_LOG_DRAINED && !link[h] -> hist[h] = recv[h] :: else -> skip fi;
     req[h] = REQ_NONE;
     if
     :: respondSym == E_SNAPSHOT_READY -> assert(false)
     :: respondSym == E_LOG_DRAINED && AGENT_REACTS_LOG_DRAINED(agent[h]) -> agent_LOG_DRAINED(h)
     :: respondSym == E_LOCK_GRANTED_NO_IO && AGENT_REACTS_LOCK_GRANTED_NO_IO(agent[h]) -> agent_LOCK_GRANTED_NO_IO(h)
     :: respondSym == E_LOCK_GRANTED_PENDING_IO && AGENT_REACTS_LOCK_GRANTED_PENDING_IO(agent[h]) -> agent_LOCK_GRANTED_PENDING_IO(h)
     :: respondSym == E_LOCK_DENIED && AGENT_REACTS_LOCK_DENIED(agent[h]) -> agent_LOCK_DENIED(h)
     :: respondSym == E_STORAGE_UNREACHABLE && AGENT_REACTS_STORAGE_UNREACHABLE(agent[h]) -> agent_STORAGE_UNREACHABLE(h)
     :: respondSym == E_IO_REISSUED && AGENT_REACTS_IO_REISSUED(agent[h]) -> agent_IO_REISSUED(h)
     :: else -> skip
     fi
  fi
}

`;

const HOST_STEP_INLINES: [string, string][] = [
  ['EXECUTE', 'execute'],
  ['DELIVER', 'deliver'],
  ['REPLAY', 'replay'],
  ['OUTPUT', 'output'],
  ['IO_COMPLETE', 'ioComplete'],
  ['RESPOND', 'respond'],
  ['TIMEOUT', 'timeout_'],
  ['CRASH', 'crash'],
  ['REPAIR', 'repair'],
  ['STORAGE_LOSS', 'storageLoss'],
  ['STORAGE_RESTORE', 'storageRestore'],
  ['RESET', 'reset'],
  ['HA_CANDIDATE', 'haCandidate'],
];

const GLOBAL_STEPS: [string, string][] = [
  ['ACK', 'acked++'],
  ['PARTITION', 'partitioned = 1; partitionsLeft--'],
  ['HEAL', 'partitioned = 0'],
  ['HA_UNPROTECTED', 'ha_PRIMARY_UNPROTECTED(NONE)'],
  ['HA_SPAWN_FAILED', 'ha_SPAWN_FAILED(NONE)'],
];

function process(g: Gen): string[] {
  const lines = ['active proctype cluster() {', '  do'];
  for (const [step, apply] of HOST_STEP_INLINES) {
    for (let h = 0; h < g.hosts; h++) {
      lines.push(`  :: d_step { G_${step}(${h}) -> ${apply}(${h}); CHECK } /* ${step} ${h} */`);
    }
  }
  for (const [step, apply] of GLOBAL_STEPS)
    lines.push(`  :: d_step { G_${step} -> ${apply}; CHECK } /* ${step} */`);
  lines.push(
    "  /* no step enabled: the state must be stable (ftcheck's deadlock check); back to the same state */",
    '  :: d_step { timeout -> assert(STABLE) }',
    '  od',
    '}',
  );
  return lines;
}

/** The Promela model of `createClusterModel(options)`, as text. */
export function clusterPromela(options: PromelaOptions = {}): string {
  const bug = options.bug === undefined ? undefined : findModelBug(options.bug);
  if (options.bug !== undefined && !bug) throw new RangeError(`unknown model bug '${options.bug}'`);
  if (bug?.environment) throw new RangeError(`bug ${bug.name} replaces an environment guard: not ported`);
  const model = createClusterModel({ ...options, bug });
  const t = model.tables;
  const initial = model.machine.config.context as ClusterContext;
  checkCandidateLayout();
  const g: Gen = {
    hosts: model.options.hosts,
    entries: model.options.entries,
    agent: t.agent,
    ha: t.ha,
    kinds: t.kinds,
    agentNames: agentSymbolNames(),
    haNames: haSymbolNames(),
    initial,
  };
  assert(initial.hosts.length === g.hosts, 'the initial context has one record per host');
  assert(g.agent.names.length < NONE && g.hosts < NONE, 'ids fit a byte below NONE');
  const o = model.options;
  const header = [
    `/* ftcheck's cluster model in Promela, generated by bench/spin-cluster/promela.ts from ${model.name}.`,
    '   Do not edit: regenerate. Agent and HA service: from their actor tables; environment: a port of',
    '   models/environment.ts and models/envSteps.ts. One d_step per ftcheck transition, so SPIN stores',
    "   exactly ftcheck's states (without host symmetry). Compile with -DSAFETY -DNOREDUCE. */",
    '',
    `#define HOSTS ${g.hosts}`,
    `#define ENTRIES ${o.entries} /* crashes ${o.crashes}, partitions ${o.partitions}, storage losses ${o.storageLosses}: the initial budgets */`,
    `#define NONE ${NONE}`,
    '#define REQ_NONE 0',
    '#define REQ_SNAPSHOT 1',
    '#define REQ_REPLAY 2',
    '#define REQ_TEST_AND_SET 3',
    '#define REQ_REISSUE 4',
    `#define HE_CANDIDATE ${HE.candidate}`,
    `#define HA_WATCHING ${t.ha.idOf('watching')}`,
    '',
    '/* agent event symbols (models/environment.ts AGENT_ALPHABET) */',
    ...g.agentNames.map((name, i) => `#define E_${name} ${i}`),
    '',
    `/* agent states: ${g.agent.names.map((n, i) => `${i} ${n}`).join(', ')} */`,
    ...KIND_MACROS.map(([macro, kind]) => `#define ${macro}(a) ${member(idsOf(g.kinds[kind]))}`),
    '/* the agent reacts (moves or emits) to the symbol: environment.ts agentReacts */',
    ...g.agentNames.map((name, s) => `#define AGENT_REACTS_${name}(a) ${member(reactingIds(g.agent, s))}`),
    `/* HA states: ${g.ha.names.map((n, i) => `${i} ${n}`).join(', ')} */`,
    ...g.haNames.map((name, s) => `#define HA_REACTS_${name}(a) ${member(reactingIds(g.ha, s))}`),
    '#define HA_REACTS_CANDIDATE(s, a) \\',
    `  ((s) == HE_CANDIDATE -> HA_REACTS_${g.haNames[HE.candidate]}(a) : \\`,
    `  ((s) == HE_CANDIDATE + 1 -> HA_REACTS_${g.haNames[HE.candidate + 1]}(a) : \\`,
    `  ((s) == HE_CANDIDATE + 2 -> HA_REACTS_${g.haNames[HE.candidate + 2]}(a) : HA_REACTS_${g.haNames[HE.candidate + 3]}(a))))`,
    '',
  ];
  return [
    ...header,
    ...declarations(g),
    '',
    ...quantifiers(g),
    ENVIRONMENT,
    '/* the agent (models/agent.ts), from its actor table: one inline per event symbol */',
    ...agentInlines(g),
    '',
    '/* the HA service (models/haService.ts), from its actor table */',
    ...haInlines(g),
    ENVIRONMENT_STEPS,
    ...process(g),
    '',
  ].join('\n');
}
