// Swarm verification (src/check/explorer/swarm.ts): bounded, diversified members that find a seeded
// bug in a space too big for any one of them, the same result whatever runs them (twice, in
// shards, on threads), coverage that grows with K, exhaustion recognised, temporal properties left
// unjudged, and member records that do not replay refused.
import { describe, expect, it } from 'vitest';
import { toyModel } from '../bench/spin/model.ts';
import { findModelBug } from '../models/bugs.ts';
import { CLUSTER_MODEL_MODULE, createClusterModel } from '../models/clusterModel.ts';
import {
  exploreSwarm,
  runSwarmMembers,
  shardMembers,
  summarizeSwarm,
  swarmConfig,
} from '../src/check/explorer/swarm.ts';
import { planMember } from '../src/check/explorer/swarmMember.ts';
import { SwarmRecordError } from '../src/check/explorer/swarmReplay.ts';
import { exploreSwarmThreads } from '../src/check/explorer/swarmThreads.ts';
import type { ExplorerModel } from '../src/check/explorer/types.ts';

const withBug = (name: string) => createClusterModel({ hosts: 3, bug: findModelBug(name)! });

describe('swarm members', () => {
  it('are planned from the seed and their index alone, and rotate strategies', () => {
    expect(planMember(1, 5)).toEqual(planMember(1, 5));
    expect(planMember(1, 5).seed).not.toBe(planMember(2, 5).seed);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((m) => planMember(9, m).strategy)).toEqual([
      'dfs',
      'bfs',
      'dfs',
      'dfs-bounded',
      'dfs',
      'bfs',
      'dfs',
      'dfs-bounded',
    ]);
    for (let m = 3; m < 200; m += 4) expect(planMember(m, m).depthLimit).toBeGreaterThanOrEqual(8);
    expect(shardMembers(10, { index: 2, count: 3 })).toEqual([1, 4, 7]);
  });

  it('find a seeded bug in a space too big for each of them (190 279 states, 3 000 each)', () => {
    const model = withBug('continue-alone-without-test-and-set');
    const result = exploreSwarm(model, { members: 4, seed: 1, maxStates: 3_000 });
    expect(result.verdict).toBe('violation');
    expect(result.exhaustive).toBe(false);
    // Each member stops once it holds the cap (at most one expansion past it).
    for (const m of result.members) expect(m.states).toBeLessThan(3_000 + 100);
    expect(result.members[0]).toMatchObject({ strategy: 'dfs', end: 'capped', violated: null });
    const v = result.violation!;
    expect([v.member, v.kind, v.property, v.invariant]).toEqual([1, 'invariant', 'outputReproducible', 'I2']);
    // A real counterexample (not necessarily the shortest): the last state and only it is bad.
    const property = model.invariants.find((p) => p.name === v.property)!;
    expect(property.holds(v.trace.at(-1)!.state)).toBe(false);
    expect(v.trace.slice(0, -1).every((step) => property.holds(step.state))).toBe(true);
    expect(v.trace.length - 1).toBe(7);
    expect(result.properties.find((p) => p.name === 'outputReproducible')!.status).toBe('violated');
    expect(result.properties.find((p) => p.name === 'singleActingPrimary')!.status).toBe('unknown');
  });

  it('give the same result twice, in shards, and on worker threads', async () => {
    const model = withBug('output-before-ack');
    const options = { members: 6, seed: 3, maxStates: 1_500 };
    const whole = exploreSwarm(model, options);
    expect(JSON.stringify(exploreSwarm(model, options))).toBe(JSON.stringify(whole));
    const config = swarmConfig(model, options);
    const shards = [1, 2].map((index) =>
      runSwarmMembers(model, { ...options, only: shardMembers(6, { index, count: 2 }) }),
    );
    const merged = [...shards[1]!, ...shards[0]!].sort((a, b) => a.member - b.member);
    expect(JSON.stringify(summarizeSwarm(model, config, merged))).toBe(JSON.stringify(whole));
    const source = {
      module: CLUSTER_MODEL_MODULE,
      exportName: 'clusterModelFromOptions',
      args: [{ hosts: 3, bug: 'output-before-ack' }],
    };
    const threaded = await exploreSwarmThreads(source, { ...options, workers: 2 });
    expect(JSON.stringify(threaded)).toBe(JSON.stringify(whole));
  });

  it('cover more with more members, counted exactly across members that code states differently', () => {
    const model = createClusterModel({ hosts: 3 });
    const options = { members: 8, seed: 1, maxStates: 2_000 };
    const records = runSwarmMembers(model, options);
    const config = swarmConfig(model, options);
    const coverage = [1, 2, 4, 8].map((k) => summarizeSwarm(model, config, records.slice(0, k)).coverage);
    expect(coverage.every((c) => c.exact)).toBe(true);
    const states = coverage.map((c) => c.states);
    for (let i = 1; i < states.length; i++) expect(states[i]!).toBeGreaterThan(states[i - 1]!);
    expect(states[0]).toBe(records[0]!.states);
    expect(states[3]).toBeLessThanOrEqual(records.reduce((n, r) => n + r.states, 0));
    const whole = summarizeSwarm(model, config, records);
    expect(whole.verdict).toBe('inconclusive');
    expect(whole.properties.every((p) => p.status === 'unknown')).toBe(true);
  });

  it('report an exhaustive pass when a member’s cap exceeds the space, with every state counted', () => {
    const model = toyModel(3, 2, 3, { symmetry: true }) as ExplorerModel<unknown>;
    const result = exploreSwarm(model, { members: 4, seed: 5, maxStates: 1_000_000 });
    expect(result.members.map((m) => [m.end, m.states])).toEqual([
      ['exhausted', 2_646],
      ['exhausted', 2_646],
      ['exhausted', 2_646],
      // dfs-bounded: its depth limit cuts it short of the whole space, or it is the whole space.
      [result.members[3]!.end, result.members[3]!.states],
    ]);
    expect(['exhausted', 'depth-limit']).toContain(result.members[3]!.end);
    expect(result).toMatchObject({ exhaustive: true, verdict: 'pass' });
    expect(result.coverage).toEqual({ states: 2_646, exact: true, relativeError: 0 });
    expect(result.properties.map((p) => [p.name, p.status])).toEqual([
      ['singlePrimaryAndOutputsLogged', 'holds'],
      ['deadlock', 'holds'],
      ['stepsComplete', 'holds'],
    ]);
  });

  it('leave temporal properties unchecked and say so: a starvation bug is inconclusive', () => {
    const model = withBug('snapshot-outlasts-respawn-timeout');
    const result = exploreSwarm(model, { members: 2, seed: 1, maxStates: 2_000 });
    expect(result.verdict).toBe('inconclusive');
    expect(result.notChecked.map((p) => [p.kind, p.name])).toEqual([
      ['eventually', 'protectionRestored'],
      ['eventually', 'requestsAnswered'],
      ['reachable', 'protectionReachable'],
    ]);
    expect(result.properties.some((p) => p.kind === 'eventually' || p.kind === 'reachable')).toBe(false);
  });

  it('refuse a member record whose violation does not replay, naming the field', () => {
    const model = withBug('go-live-without-test-and-set');
    const options = { members: 2, seed: 1, maxStates: 3_000 };
    const records = runSwarmMembers(model, options);
    const config = swarmConfig(model, options);
    const forged = structuredClone(records);
    forged[1]!.violation!.events.pop();
    expect(() => summarizeSwarm(model, config, forged)).toThrow(SwarmRecordError);
    expect(() => summarizeSwarm(model, config, forged)).toThrow(
      "field 'members.1.violation.events': the events do not end in a state that violates 'singleActingPrimary'",
    );
    const disabled = structuredClone(records);
    disabled[1]!.violation!.events[0] = { type: 'HA_SPAWN_FAILED' };
    expect(() => summarizeSwarm(model, config, disabled)).toThrow("field 'members.1.violation.events.0'");
  });
});
