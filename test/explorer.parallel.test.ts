// The parallel explorer (`explore --workers N`) must find exactly what the sequential one finds:
// the same states, transitions and depth, the same verdicts, and a counterexample of the same
// (shortest) length. `shareAt` is lowered so the workers take over early on these small spaces.
import { describe, expect, it } from 'vitest';
import { toyModel } from '../bench/spin/model.ts';
import { CLUSTER_MODEL_MODULE, clusterModelFromOptions } from '../models/clusterModel.ts';
import { type ExploreResult, explore } from '../src/check/explorer/explore.ts';
import { exploreParallel } from '../src/check/explorer/parallel.ts';
import { main } from '../src/cli/main.ts';
import { INCOMPLETE_AGENT_MODULE, incompleteAgentModel } from './fixtures/incomplete-agent.ts';

const TOY_MODULE = new URL('../bench/spin/model.ts', import.meta.url).href;
const toy = (...args: unknown[]) => ({ module: TOY_MODULE, exportName: 'toyModel', args });
const cluster = (options: object) => ({
  module: CLUSTER_MODEL_MODULE,
  exportName: 'clusterModelFromOptions',
  args: [options],
});
const figures = (r: ExploreResult) => ({
  states: r.states,
  transitions: r.transitions,
  depth: r.depth,
  complete: r.complete,
  symmetry: r.symmetry,
  verdicts: r.properties.map((p) => `${p.kind} ${p.name}: ${p.status}`),
});

describe('explore with worker threads', () => {
  it('finds exactly SPIN’s state space of the toy model, with and without symmetry', async () => {
    for (const symmetry of [false, true]) {
      const sequential = explore(toyModel(3, 2, 3, { symmetry }));
      const parallel = await exploreParallel(toy(3, 2, 3, { symmetry }), { workers: 2, shareAt: 50 });
      expect(parallel.parallel?.note).toMatch(/^the workers took over at depth \d+/);
      expect(figures(parallel)).toEqual(figures(sequential));
      expect(parallel.states).toBe(symmetry ? 2_646 : 4_392);
    }
  });

  it('finds exactly the sequential counts of the 3-host cluster model; temporal properties run sequentially', async () => {
    const options = { hosts: 3, entries: 1 };
    const sequential = explore(clusterModelFromOptions(options), { eventually: false });
    const parallel = await exploreParallel(cluster(options), { workers: 3, shareAt: 500, eventually: false });
    expect(figures(parallel)).toEqual({ ...figures(sequential), verdicts: expect.any(Array) });
    expect(parallel.properties.map((p) => `${p.kind} ${p.name}: ${p.status}`).sort()).toEqual(
      figures(sequential).verdicts.sort(),
    );
    expect(parallel.parallel).toMatchObject({ workers: 3, temporal: 'sequential' });
    expect(parallel.parallel?.temporalSearch).toMatchObject({ states: sequential.states, complete: true });
  });

  it('finds a seeded bug with a counterexample as short as the sequential search’s', async () => {
    const toyBug = await exploreParallel(toy(6, 5, 6, { bug: true }), { workers: 2, shareAt: 1 });
    expect(toyBug.parallel?.note).toContain('the parallel search found a violation at depth 2');
    expect(toyBug.violations[0]!.trace.slice(1).map((s) => s.event)).toEqual([
      { type: 'SUSPECT', host: 'B' },
      { type: 'PROMOTE', host: 'B' },
    ]);
    const options = { hosts: 3, bug: 'go-live-without-test-and-set' };
    const sequential = explore(clusterModelFromOptions(options), { eventually: false });
    const parallel = await exploreParallel(cluster(options), { workers: 2, shareAt: 50, eventually: false });
    expect(parallel.parallel?.note).toMatch(/the parallel search found a violation at depth \d+/);
    expect(parallel.violations.map((v) => [v.property, v.trace.length - 1])).toEqual(
      sequential.violations.map((v) => [v.property, v.trace.length - 1]),
    );
    expect(parallel.violations[0]!.trace.length - 1).toBe(6);
  });

  it('finds an agent that does not handle a delivered event (agentHandlesDeliveredEvents), as the sequential search does', async () => {
    const options = { hosts: 2, logEntry: 'unhandled' };
    const sequential = explore(incompleteAgentModel({ hosts: 2, logEntry: 'unhandled' }), {
      eventually: false,
    });
    const parallel = await exploreParallel(
      { module: INCOMPLETE_AGENT_MODULE, exportName: 'incompleteAgentModel', args: [options] },
      { workers: 2, shareAt: 1, eventually: false },
    );
    expect(parallel.parallel?.note).toMatch(/the parallel search found a violation at depth \d+/);
    const found = (r: ExploreResult) =>
      r.violations.map((v) => [v.property, v.trace.length - 1, v.trace.at(-1)!.event!.type]);
    expect(found(parallel)).toEqual([['agentHandlesDeliveredEvents', 5, 'DELIVER']]);
    expect(found(parallel)).toEqual(found(sequential));
  });
});

describe('ftcheck explore --workers', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
  };

  it('rejects bad worker counts with exit 2, by the gate’s range', async () => {
    for (const [value, message] of [
      ['0', "--workers must be an integer in 1..64, got '0'"],
      ['65', "--workers must be an integer in 1..64, got '65'"],
      ['two', "--workers must be an integer in 1..64, got 'two'"],
      ['1.5', "--workers must be an integer in 1..64, got '1.5'"],
    ]) {
      const c = capture();
      expect(await main(['explore', '--workers', value!], c.io)).toBe(2);
      expect(c.err.join('\n')).toContain(message);
    }
    const c = capture();
    expect(await main(['explore', '--workers', '2', '--engine', 'generic'], c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('--workers needs the compiled engine');
  });

  it('says how it ran and that the temporal properties were checked sequentially', async () => {
    const c = capture();
    const args = ['explore', '--hosts', '2', '--entries', '1', '--workers', '2'];
    expect(await main(args, c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/^parallel {2}2 worker threads, states hash-partitioned \(/m);
    expect(text).toContain('temporal properties: checked by a sequential search');
    expect(text).toMatch(/eventually\s+protectionRestored \(I5\)\s+holds/);
  });
});
