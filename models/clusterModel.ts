// The composed system the model checker explores: N hosts, each running the hypervisor agent
// (models/agent.ts), the HA service (models/haService.ts) and the abstract environment
// (models/environment.ts, models/envSteps.ts), as one xstate machine whose events are environment
// steps. Its guards and assign actions are named after the steps, so it diagrams and compiles.
import { type AnyStateMachine, setup } from 'xstate';
import { assert } from '../src/base/assert.ts';
import type { InvariantId } from '../src/base/invariants.ts';
import { buildActorTable } from './actorTable.ts';
import { agentMachine } from './agent.ts';
import { findModelBug, type ModelBug } from './bugs.ts';
import {
  type ClusterContext,
  COUNTER_MAX,
  canonicalClusterContext,
  type HostState,
  REQ,
  REQ_NAMES,
} from './clusterState.ts';
import {
  AE,
  AGENT_ALPHABET,
  classifyAgents,
  type EnvironmentTables,
  HA_ALPHABET,
  stepAgent,
} from './environment.ts';
import {
  applyGlobalStep,
  applyHostStep,
  type ClusterEvent,
  GLOBAL_STEPS,
  globalStepEnabled,
  HOST_STEPS,
  type HostGuard,
  hostStepGuard,
} from './envSteps.ts';
import { haMachine } from './haService.ts';

/** Fault steps: weak fairness does not force them (repairs, heals and restores are fair). */
const FAULT_STEPS: ReadonlySet<string> = new Set(['CRASH', 'STORAGE_LOSS', 'PARTITION']);

export interface ClusterOptions {
  /** Hosts in the cluster (2–6). Default 3. */
  hosts?: number;
  /** Log entries the VM executes in a run (1–7); entry 1 issues the disk write. Default 2. */
  entries?: number;
  /** Host crashes in a run. Default 1. */
  crashes?: number;
  /** Logging/heartbeat network partitions in a run. Default 1. */
  partitions?: number;
  /** Losses of all storage paths of a host in a run. Default 1. */
  storageLosses?: number;
  bug?: ModelBug;
  /** The agent machine to explore instead of `agentMachine` (a mutant; `bug` still applies on top). */
  agentMachine?: AnyStateMachine;
  /** The HA machine to explore instead of `haMachine`. */
  haMachine?: AnyStateMachine;
}

type Bounds = Required<Omit<ClusterOptions, 'bug' | 'agentMachine' | 'haMachine'>>;

interface State {
  value: unknown;
  context: ClusterContext;
}
interface Property {
  name: string;
  id: InvariantId;
  description: string;
  holds(state: State): boolean;
}

function validate(options: ClusterOptions): Bounds {
  const { bug: _, agentMachine: _agent, haMachine: _ha, ...bounds } = options;
  const o = { hosts: 3, entries: 2, crashes: 1, partitions: 1, storageLosses: 1, ...bounds };
  const check = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`cluster model option ${name} must be an integer in ${min}..${max}, got ${value}`);
    }
  };
  check('hosts', o.hosts, 2, 6);
  check('entries', o.entries, 1, COUNTER_MAX);
  check('crashes', o.crashes, 0, COUNTER_MAX);
  check('partitions', o.partitions, 0, COUNTER_MAX);
  check('storageLosses', o.storageLosses, 0, COUNTER_MAX);
  return o;
}

function environmentTables(options: ClusterOptions, entriesMax: number): EnvironmentTables {
  const { bug } = options;
  const agentBase = (options.agentMachine ?? agentMachine) as typeof agentMachine;
  const haBase = (options.haMachine ?? haMachine) as typeof haMachine;
  const agent = buildActorTable(bug?.agent ? agentBase.provide(bug.agent) : agentBase, AGENT_ALPHABET);
  const ha = buildActorTable(bug?.ha ? haBase.provide(bug.ha) : haBase, HA_ALPHABET);
  return { agent, ha, kinds: classifyAgents(agent), entriesMax };
}

function initialContext(t: EnvironmentTables, o: Bounds): ClusterContext {
  const hosts: HostState[] = [];
  for (let h = 0; h < o.hosts; h++) {
    hosts.push({
      agent: 0,
      up: 1,
      storage: 1,
      current: 0,
      hist: 0,
      recv: 0,
      ioOut: 0,
      req: REQ.none,
      ackd: 0,
      link: 0,
      owner: 0,
    });
  }
  const context: ClusterContext = {
    hosts,
    ha: 0,
    acked: 0,
    released: 0,
    durable: 0,
    partitioned: 0,
    colocated: 0,
    unhandled: 0,
    addressMisplaced: 0,
    crashesLeft: o.crashes,
    partitionsLeft: o.partitions,
    storageLossesLeft: o.storageLosses,
  };
  // The FT VM powers on at host 0, which holds the lock; the HA service will protect it.
  hosts[0]!.current = 1;
  hosts[0]!.owner = 1;
  stepAgent(t, context, 0, AE.powerOn);
  return canonicalClusterContext(context);
}

const camel = (type: string) => type.toLowerCase().replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase());
export const guardName = (type: string) => `can${camel(type)[0]!.toUpperCase()}${camel(type).slice(1)}`;
export const actionName = camel;

type Args = { context: ClusterContext; event: ClusterEvent };

/** A host step's guard as a named machine guard. */
const bindHostGuard =
  (t: EnvironmentTables, enabled: HostGuard) =>
  ({ context, event }: Args): boolean => {
    const host = (event as { host: number }).host;
    return enabled(t, context, context.hosts[host]!, host);
  };

function environmentMachine(t: EnvironmentTables, context: ClusterContext, bug: ModelBug | undefined) {
  const guards: Record<string, (args: Args) => boolean> = {};
  const assignments: Record<string, (args: Args) => Partial<ClusterContext>> = {};
  for (const type of HOST_STEPS) {
    guards[guardName(type)] = bindHostGuard(t, hostStepGuard(type));
    assignments[actionName(type)] = ({ context, event }) =>
      applyHostStep(t, context, type, (event as { host: number }).host);
  }
  for (const type of GLOBAL_STEPS) {
    guards[guardName(type)] = ({ context }) => globalStepEnabled(t, context, type);
    assignments[actionName(type)] = ({ context }) => applyGlobalStep(t, context, type);
  }
  const base = setup({ types: {} as { context: ClusterContext; events: ClusterEvent } });
  const actions = Object.fromEntries(
    Object.entries(assignments).map(([name, apply]) => [
      name,
      base.assign(({ context, event }) => apply({ context, event })),
    ]),
  );
  const on = Object.fromEntries(
    [...HOST_STEPS, ...GLOBAL_STEPS].map((type) => [
      type,
      { guard: guardName(type), actions: actionName(type) },
    ]),
  );
  const machine = setup({
    types: {} as { context: ClusterContext; events: ClusterEvent },
    guards,
    actions,
  }).createMachine({
    id: 'cluster',
    context,
    initial: 'running',
    states: { running: { on } },
  });
  if (!bug?.environment) return machine;
  // A seeded environment bug: an alternative implementation of a named step guard.
  const swapped = Object.entries(bug.environment.guards).map(([name, g]) => {
    assert(name in guards, `bug ${bug.name} replaces an existing guard (${name})`);
    return [name, bindHostGuard(t, g)];
  });
  return machine.provide({ guards: Object.fromEntries(swapped) });
}

function properties(t: EnvironmentTables): Property[] {
  const k = t.kinds;
  const hosts = (s: State) => s.context.hosts;
  const acting = (x: HostState) => x.up === 1 && k.acting[x.agent] === 1;
  return [
    {
      name: 'singleActingPrimary',
      id: 'I3',
      description: 'at most one up primary instance holds the current lock generation',
      holds: (s) => hosts(s).filter((x) => acting(x) && x.current === 1).length <= 1,
    },
    {
      name: 'singleSoloPrimary',
      id: 'I3',
      description: 'at most one up primary runs alone (went live or continued without a secondary)',
      holds: (s) => hosts(s).filter((x) => x.up === 1 && k.solo[x.agent] === 1).length <= 1,
    },
    {
      name: 'outputReproducible',
      id: 'I2',
      description: 'the engaged secondary has received the log entry of every released output',
      holds: (s) =>
        hosts(s).every(
          (x) =>
            !(x.up === 1 && x.current === 1 && k.secEngaged[x.agent] === 1) || x.recv >= s.context.released,
        ),
    },
    {
      name: 'releasedOutputSurvives',
      id: 'I4',
      description: 'the current primary has executed every output the outside world saw',
      holds: (s) => hosts(s).every((x) => !(acting(x) && x.current === 1) || x.hist >= s.context.released),
    },
    {
      name: 'pendingWriteOutstanding',
      id: 'I4',
      description: "the current primary's disk write is durable or outstanding at the storage",
      holds: (s) =>
        hosts(s).every(
          (x) => !(acting(x) && x.current === 1 && x.hist >= 1) || s.context.durable === 1 || x.ioOut === 1,
        ),
    },
    {
      name: 'engagedPrimaryHasStorage',
      id: 'I7',
      description:
        'an engaged primary has a storage path: one that lost every path halts, so its secondary takes over and serves',
      holds: (s) =>
        hosts(s).every(
          (x) => !(x.up === 1 && x.current === 1 && k.primEngaged[x.agent] === 1) || x.storage === 1,
        ),
    },
    {
      name: 'secondaryOnSeparateHost',
      id: 'I5',
      description: 'a secondary is never placed on a host already running the VM',
      holds: (s) => s.context.colocated === 0,
    },
    {
      name: 'addressFollowsCurrentPrimary',
      id: 'I8',
      description:
        "the VM's client address is announced only by an acting primary that holds the current lock generation",
      holds: (s) => s.context.addressMisplaced === 0,
    },
    {
      // The protocol's role and the data plane agree: an engaged agent stands for redundancy only
      // while it holds its end of the logging stream. One that is back in `engaged` detached (say,
      // a secondary that lost the lock race) replays nothing and ships nothing, but its failure
      // detector keeps cycling, which no other property tells from progress (fault hunt 11).
      name: 'engagedAgentAttached',
      id: 'I5',
      description: 'an engaged agent on an up host holds its end of the logging stream',
      holds: (s) =>
        hosts(s).every(
          (x) =>
            !(x.up === 1 && (k.secEngaged[x.agent] === 1 || k.primEngaged[x.agent] === 1)) || x.link === 1,
        ),
    },
    {
      // Completeness of the agent (I0: the system under test fails, not the checker): DELIVER,
      // CRASH, REPAIR, RESET, the snapshot's arrival and the HA's spawn tell the agent what
      // happened without asking whether its state handles it. One that has no transition for it
      // (not even a targetless one) drops the event; the environment records that in `unhandled`.
      name: 'agentHandlesDeliveredEvents',
      id: 'I0',
      description: "every event the environment delivers to an agent is one the agent's state handles",
      holds: (s) => s.context.unhandled === 0,
    },
  ];
}

export function createClusterModel(options: ClusterOptions = {}) {
  const o = validate(options);
  const t = environmentTables(options, o.entries);
  const k = t.kinds;
  const context = initialContext(t, o);
  const machine = environmentMachine(t, context, options.bug);
  const events: ClusterEvent[] = [
    ...HOST_STEPS.flatMap((type) => Array.from({ length: o.hosts }, (_, host) => ({ type, host }))),
    ...GLOBAL_STEPS.map((type) => ({ type })),
  ];
  // The VM survives while some up host runs an instance of the current generation; losing both (a
  // second failure before re-protection) is outside what FT promises.
  const vmRuns = (s: State) => s.context.hosts.some((x) => x.up === 1 && x.current === 1);
  const upCount = (s: State) => s.context.hosts.filter((x) => x.up === 1).length;
  const protectedPair = (s: State) =>
    s.context.hosts.some((x) => x.up === 1 && x.current === 1 && k.primEngaged[x.agent] === 1) &&
    s.context.hosts.some((x) => x.up === 1 && x.current === 1 && k.secEngaged[x.agent] === 1);
  const stableAgent = (x: HostState) =>
    x.up === 0 || k.idle[x.agent] || k.secEngaged[x.agent] || k.primEngaged[x.agent] || k.primAlone[x.agent];
  return {
    name: `cluster(hosts=${o.hosts}, entries=${o.entries}, crashes=${o.crashes}, partitions=${o.partitions}, storageLosses=${o.storageLosses}${options.bug ? `, bug=${options.bug.name}` : ''})`,
    options: o,
    tables: t,
    machine,
    events: () => events,
    invariants: properties(t),
    // Reachability on the symmetry-reduced graph (no fairness): protection stays reachable.
    liveness: [
      {
        name: 'protectionReachable',
        id: 'I5' as InvariantId,
        description:
          'from every state with two hosts up and the VM still running, an engaged pair is reachable',
        from: (s: State) => upCount(s) >= 2 && vmRuns(s),
        goal: protectedPair,
      },
    ],
    // Liveness under weak fairness (a step that stays enabled is eventually taken) of every step
    // but the faults, which may never happen: the protocol cannot starve. Lines up with I5 and I7.
    fair: (event: ClusterEvent) => !FAULT_STEPS.has(event.type),
    properties: [
      {
        kind: 'eventually' as const,
        name: 'protectionRestored',
        id: 'I5' as InvariantId,
        description:
          'after a failure, while the VM runs and a spare host is up, an engaged pair is eventually restored',
        from: (s: State) => vmRuns(s) && upCount(s) >= 2 && !protectedPair(s),
        goal: (s: State) => protectedPair(s) || !vmRuns(s) || upCount(s) < 2,
      },
      {
        kind: 'eventually' as const,
        name: 'requestsAnswered',
        id: 'I7' as InvariantId,
        description: `every client request (${o.entries} per run, one log entry each) is eventually answered while the VM runs`,
        goal: (s: State) => s.context.released === o.entries || !vmRuns(s),
      },
    ],
    stable: (s: State) => s.context.hosts.every(stableAgent) && t.ha.paths[s.context.ha] === 'watching',
    // Hosts are interchangeable: any renaming of hosts is the same state.
    symmetry: { arrays: ['hosts'] } as const,
    view: (s: State) => viewCluster(t, s.context),
    /** Readable variables for ITF counterexamples (names, booleans, counts). */
    itfVars: (s: State) => itfCluster(t, s.context),
  };
}

export type ClusterModel = ReturnType<typeof createClusterModel>;

/** The event an agent did not handle ('' when none). */
const unhandledName = (c: ClusterContext) => (c.unhandled === 0 ? '' : AGENT_ALPHABET[c.unhandled - 1]!.type);

/** The state as ITF variables: state names instead of table ids, flags as booleans. */
export function itfCluster(t: EnvironmentTables, c: ClusterContext): Record<string, unknown> {
  return {
    hosts: c.hosts.map((x) => ({
      agent: t.agent.names[x.agent]!,
      up: x.up === 1,
      storage: x.storage === 1,
      current: x.current === 1,
      owner: x.owner === 1,
      hist: x.hist,
      recv: x.recv,
      ackd: x.ackd,
      link: x.link === 1,
      ioOut: x.ioOut === 1,
      req: REQ_NAMES[x.req]!,
    })),
    ha: t.ha.names[c.ha]!,
    acked: c.acked,
    released: c.released,
    durable: c.durable === 1,
    partitioned: c.partitioned === 1,
    colocated: c.colocated === 1,
    addressMisplaced: c.addressMisplaced === 1,
    unhandled: unhandledName(c),
    crashesLeft: c.crashesLeft,
    partitionsLeft: c.partitionsLeft,
    storageLossesLeft: c.storageLossesLeft,
  };
}

const engagedState = (t: EnvironmentTables, x: HostState) =>
  t.kinds.secEngaged[x.agent]! | t.kinds.primEngaged[x.agent]!;

/** A flat, readable view: one column per host plus the shared fields. */
export function viewCluster(
  t: EnvironmentTables,
  c: ClusterContext,
): Record<string, string | number | boolean> {
  const view: Record<string, string | number | boolean> = {};
  c.hosts.forEach((x, h) => {
    assert(x.agent < t.agent.names.length, 'agent id in range');
    const flags = [
      x.up ? '' : 'DOWN',
      x.storage ? '' : 'no-storage',
      x.current ? (x.owner ? 'gen,lock' : 'gen') : '',
      // A current instance's write waits at the array until it owns the lock.
      x.ioOut ? (x.current && !x.owner ? 'io-parked' : 'io') : '',
      // The stream's end is attached exactly while engaged, unless the agent failed to disengage.
      x.link === engagedState(t, x) ? '' : x.link ? 'attached' : 'detached',
    ]
      .filter(Boolean)
      .join(',');
    const req = x.req === REQ.none ? '' : ` req=${REQ_NAMES[x.req]}`;
    view[`h${h}`] =
      `${t.agent.names[x.agent]} hist=${x.hist} recv=${x.recv}${x.ackd === x.recv ? '' : ` ackd=${x.ackd}`}${req}${flags ? ` [${flags}]` : ''}`;
  });
  view.ha = t.ha.names[c.ha]!;
  for (const key of ['acked', 'released', 'durable', 'partitioned', 'colocated'] as const) view[key] = c[key];
  if (c.addressMisplaced !== 0) view.addressMisplaced = 1;
  if (c.unhandled !== 0) view.unhandled = unhandledName(c);
  view.budget = `crashes=${c.crashesLeft} partitions=${c.partitionsLeft} storageLosses=${c.storageLossesLeft}`;
  return view;
}

/** This module, for a worker thread of a parallel search to load (`clusterModelFromOptions`). */
export const CLUSTER_MODEL_MODULE = import.meta.url;

/**
 * The cluster model from plain options (the bug by name): what a worker thread of a parallel
 * search loads, since functions cannot cross threads.
 */
export function clusterModelFromOptions(options: Omit<ClusterOptions, 'bug'> & { bug?: string }) {
  const bug = options.bug === undefined ? undefined : findModelBug(options.bug);
  if (options.bug !== undefined && !bug)
    throw new RangeError(`cluster model option bug: unknown model bug '${options.bug}'`);
  return createClusterModel({ ...options, bug });
}
