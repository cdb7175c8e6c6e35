// Swarm verification (SPIN's swarm, Holzmann, Joshi & Groce 2008): for a state space too big for
// one search to finish, K bounded searches that differ in seed, successor order, strategy and
// depth limit (swarmMember.ts), each checking the safety properties on every state it stores. Where
// they reach differs, so together they cover more than one search of the same memory, and each
// can run anywhere: members are numbered, member m depends only on the swarm's seed, m and the
// cap, and shard i/n of a CI matrix runs members i-1, i-1+n, … (`ftcheck merge` combines them).
//
// What the result says, and what it does not: a violation found by any member is real (its events
// are replayed on the model: swarmReplay.ts) but not necessarily shortest; the one reported is the
// first by member index, so the result does not depend on threads, shards or their order. No
// violation is a proof only if some member exhausted the whole space; otherwise the verdict is
// inconclusive (bounded). Coverage is the number of distinct states the union of members reached
// (swarmSketch.ts: exact, or a HyperLogLog estimate with its error). Temporal properties
// (`eventually`, `reachable`) need the whole graph: a swarm does not check them, and says so.

import { assert } from '../../base/assert.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { compiledEngine } from './compiledEngine.ts';
import { type PropertyResult, throwingStep, type Violation } from './explore.ts';
import {
  type MemberEnd,
  type MemberRecord,
  planMember,
  runMember,
  type SwarmStrategy,
} from './swarmMember.ts';
import { initialState, replayClaim, SwarmRecordError } from './swarmReplay.ts';
import { type DecodedSketch, decodeSketch, type UnionCoverage, unionCoverage } from './swarmSketch.ts';
import { STEPS_COMPLETE } from './thrown.ts';
import type { TraceStep } from './trace.ts';
import type { ExplorerModel, ModelState } from './types.ts';

/** Most members a swarm may have (a CI matrix or a night's run is far below). */
export const SWARM_MEMBERS_MAX = 4096;

/** What fixes a swarm's result, besides the model: the same config gives the same members. */
export interface SwarmConfig {
  /** K: members 0 … K-1. */
  members: number;
  seed: number;
  /** Each member stops expanding once it has stored this many states. */
  maxStates: number;
  /** The model's symmetry applied (states counted up to renaming of identities). */
  symmetry: boolean;
}

export interface SwarmOptions {
  members: number;
  seed: number;
  maxStates: number;
  /** Apply the model's symmetry. Default true. */
  symmetry?: boolean;
  /** Run only these members (a shard's: `shardMembers`). Default: all. */
  only?: readonly number[];
}

/** A member as results show it: its plan, figures and how it ended (no events, no sketch). */
export interface MemberSummary {
  member: number;
  seed: number;
  strategy: SwarmStrategy;
  depthLimit: number | null;
  states: number;
  transitions: number;
  expanded: number;
  depth: number;
  end: MemberEnd;
  /** The property this member found violated, if any. */
  violated: string | null;
}

export interface SwarmResult<C = unknown> {
  mode: 'swarm';
  model: string;
  engine: 'compiled';
  config: SwarmConfig;
  /** Members whose records are combined here, ascending; `missing`: members of 0…K-1 not among them. */
  ran: number[];
  missing: number[];
  members: MemberSummary[];
  coverage: UnionCoverage;
  /** Some member expanded every state it reached with no cap or depth limit cutting: the whole space. */
  exhaustive: boolean;
  /** always, deadlock and sometimes; `unknown` means no violation (or witness) among the states reached. */
  properties: PropertyResult<C>[];
  /** Properties a bounded search cannot judge (they need the whole graph). */
  notChecked: {
    name: string;
    kind: 'eventually' | 'reachable';
    invariant?: InvariantId;
    description: string;
  }[];
  /** violation: some property violated; pass: exhaustive and nothing violated; else inconclusive (bounded). */
  verdict: 'violation' | 'pass' | 'inconclusive';
  /** The counterexample of the first member (by index) that found one; not necessarily shortest. */
  violation: (Violation<C> & { member: number }) | null;
}

/** The members shard `index`/`count` (1-based, as `--shard`) runs: index-1, index-1+count, … below K. */
export function shardMembers(members: number, shard: { index: number; count: number }): number[] {
  assert(shard.index >= 1 && shard.index <= shard.count, 'a shard index is in 1..count');
  const out: number[] = [];
  for (let m = shard.index - 1; m < members; m += shard.count) out.push(m);
  return out;
}

/** Asserts the options are a swarm's (the CLI validates flags before, naming them). */
export function checkSwarmOptions(options: SwarmOptions): void {
  assert(
    Number.isInteger(options.members) && options.members >= 1 && options.members <= SWARM_MEMBERS_MAX,
    'a swarm has 1 to SWARM_MEMBERS_MAX members',
  );
  assert(Number.isInteger(options.maxStates) && options.maxStates >= 1, 'a member cap is a positive integer');
  assert(Number.isInteger(options.seed) && options.seed >= 0, 'a swarm seed is a non-negative integer');
  for (const m of options.only ?? []) assert(m >= 0 && m < options.members, 'a member of the swarm');
}

/** The members `options` runs, ascending: `only`, or all K. */
export function swarmMemberList(options: SwarmOptions): number[] {
  return options.only
    ? [...options.only].sort((a, b) => a - b)
    : Array.from({ length: options.members }, (_, m) => m);
}

export function swarmConfig<C>(model: ExplorerModel<C>, options: SwarmOptions): SwarmConfig {
  const symmetry = options.symmetry !== false && model.symmetry !== undefined;
  return { members: options.members, seed: options.seed, maxStates: options.maxStates, symmetry };
}

/** Runs the members in this thread, one after another; their records, by member index. */
export function runSwarmMembers<C>(model: ExplorerModel<C>, options: SwarmOptions): MemberRecord[] {
  checkSwarmOptions(options);
  const members = swarmMemberList(options);
  const config = swarmConfig(model, options);
  return members.map((m) =>
    runMember(model as ExplorerModel<unknown>, planMember(options.seed, m), {
      maxStates: options.maxStates,
      symmetry: config.symmetry,
    }),
  );
}

/** A swarm run in this thread: see the file header. `exploreSwarmThreads` runs members on threads. */
export function exploreSwarm<C>(model: ExplorerModel<C>, options: SwarmOptions): SwarmResult<C> {
  return summarizeSwarm(model, swarmConfig(model, options), runSwarmMembers(model, options));
}

const describe = (p: { name: string; description?: string }) => p.description ?? p.name;

/** The properties a swarm checks (always, deadlock, sometimes) and those it cannot. */
function propertyLists<C>(model: ExplorerModel<C>) {
  const always = [
    ...(model.properties ?? []).filter((p) => p.kind === 'always'),
    ...(model.invariants ?? []).map((p) => ({ ...p, kind: 'always' as const })),
  ];
  const sometimes = (model.properties ?? []).filter((p) => p.kind === 'sometimes');
  const notChecked: SwarmResult['notChecked'] = [
    ...(model.properties ?? [])
      .filter((p) => p.kind === 'eventually')
      .map((p) => ({ name: p.name, kind: 'eventually' as const, invariant: p.id, description: describe(p) })),
    ...(model.liveness ?? []).map((p) => ({
      name: p.name,
      kind: 'reachable' as const,
      invariant: p.id,
      description: describe(p),
    })),
  ];
  return { always, sometimes, notChecked };
}

/**
 * Combines member records (of one process, or of shards read back) into the swarm's result. The
 * records must be distinct members of `config`, in ascending order. Every violation and the
 * first witness of each `sometimes` property are replayed on the model (a record that does not replay throws SwarmRecordError naming the field
 * as `members.<position>.…`).
 */
export function summarizeSwarm<C>(
  model: ExplorerModel<C>,
  config: SwarmConfig,
  records: readonly MemberRecord[],
): SwarmResult<C> {
  assert(records.length > 0, 'a swarm result combines at least one member');
  records.forEach((r, i) => {
    assert(r.member < config.members, 'a record is a member of the swarm');
    assert(i === 0 || records[i - 1]!.member < r.member, 'records are distinct and in member order');
  });
  const sketches: DecodedSketch[] = records.map((r, i) => {
    const decoded = decodeSketch(r.sketch);
    if (!decoded.ok) throw new SwarmRecordError(`members.${i}.sketch.${decoded.field}`, decoded.reason);
    return decoded.sketch;
  });
  const ran = records.map((r) => r.member);
  const present = new Set(ran);
  const missing = Array.from({ length: config.members }, (_, m) => m).filter((m) => !present.has(m));
  const exhaustive = records.some((r) => r.end === 'exhausted');
  const { always, sometimes, notChecked } = propertyLists(model);
  const violated = new Set(records.flatMap((r) => (r.violation ? [r.violation.property] : [])));
  const status = (name: string): PropertyResult['status'] =>
    violated.has(name) ? 'violated' : exhaustive ? 'holds' : 'unknown';
  const properties: PropertyResult<C>[] = always.map((p) => ({
    name: p.name,
    kind: 'always',
    invariant: p.id,
    description: describe(p),
    status: status(p.name),
  }));
  properties.push({
    name: 'deadlock',
    kind: 'deadlock',
    description: 'no event is enabled in a state the model does not call stable',
    status: status('deadlock'),
  });
  const { id, ...throws } = STEPS_COMPLETE;
  properties.push({ ...throws, kind: 'always', invariant: id, status: status(STEPS_COMPLETE.name) });
  for (const p of sometimes) {
    const at = records.findIndex((r) => r.witnesses.some((w) => w.property === p.name));
    const result: PropertyResult<C> = {
      name: p.name,
      kind: 'sometimes',
      invariant: p.id,
      description: describe(p),
      status: at >= 0 ? 'holds' : exhaustive ? 'violated' : 'unknown',
    };
    if (at >= 0) {
      const w = records[at]!.witnesses.findIndex((x) => x.property === p.name);
      const events = records[at]!.witnesses[w]!.events;
      const field = `members.${at}.witnesses.${w}`;
      result.witness = replayClaim(model, events, { kind: 'sometimes', property: p.name }, field);
    }
    properties.push(result);
  }
  const violation = firstViolation(model, records, properties);
  return {
    mode: 'swarm',
    model: model.name,
    engine: 'compiled',
    config,
    ran,
    missing,
    members: records.map(memberSummary),
    coverage: unionCoverage(sketches),
    exhaustive,
    properties,
    notChecked,
    verdict: properties.some((p) => p.status === 'violated')
      ? 'violation'
      : exhaustive
        ? 'pass'
        : 'inconclusive',
    violation,
  };
}

function memberSummary(r: MemberRecord): MemberSummary {
  return {
    member: r.member,
    seed: r.seed,
    strategy: r.strategy,
    depthLimit: r.depthLimit,
    states: r.states,
    transitions: r.transitions,
    expanded: r.expanded,
    depth: r.depth,
    end: r.end,
    violated: r.violation?.property ?? null,
  };
}

/** The first member's counterexample (replayed), or a `sometimes` never witnessed in a whole space. */
function firstViolation<C>(
  model: ExplorerModel<C>,
  records: readonly MemberRecord[],
  properties: readonly PropertyResult<C>[],
): SwarmResult<C>['violation'] {
  // Every member's violation is replayed (a claim that does not hold up throws); the first is shown.
  const traces = records.map((r, i) => {
    const v = r.violation;
    if (v === null) return null;
    const claim =
      v.kind === 'deadlock'
        ? { kind: 'deadlock' as const }
        : { kind: 'invariant' as const, property: v.property };
    return replayClaim(model, v.events, claim, `members.${i}.violation`);
  });
  const at = traces.findIndex((t) => t !== null);
  if (at >= 0) {
    const record = records[at]!;
    const v = record.violation!;
    const trace: TraceStep<C>[] = traces[at]!;
    const property = properties.find(
      (p) => p.name === v.property && p.kind === (v.kind === 'deadlock' ? 'deadlock' : 'always'),
    );
    const found = {
      member: record.member,
      kind: v.kind,
      property: v.property,
      invariant: property?.invariant,
      description: property?.description ?? v.property,
      trace,
    };
    if (v.property !== STEPS_COMPLETE.name) return found;
    const engine = compiledEngine(model as ExplorerModel<unknown>, { symmetry: false });
    const last = trace.at(-1)!.state as ModelState<unknown>;
    return { ...found, thrown: throwingStep(engine, last, new Error('no step throws again')) };
  }
  const unwitnessed = properties.find((p) => p.kind === 'sometimes' && p.status === 'violated');
  if (unwitnessed === undefined) return null;
  const exhausted = records.find((r) => r.end === 'exhausted')!;
  return {
    member: exhausted.member,
    kind: 'sometimes',
    property: unwitnessed.name,
    invariant: unwitnessed.invariant,
    description: unwitnessed.description,
    trace: [{ event: null, state: initialState(model) }],
  };
}
