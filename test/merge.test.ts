import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateResults } from '../src/check/results.ts';
import { parseShard, SHARDS_MAX, ShardError, seedsOf, shardSeeds } from '../src/check/shard.ts';
import { main } from '../src/cli/main.ts';
import { MergeError, mergeResults } from '../src/report/merge.ts';
import { readResults } from '../src/report/results-schema.ts';
import { loadFixture } from './report-fixture.ts';

/** A passing shard of the fixture's campaign: no violations, bugs all caught. */
function passingShard(index: number, count: number, first: number, runs: number): GateResults {
  const results = loadFixture();
  results.verdict = 'pass';
  results.config.shard = { index, count };
  for (const invariant of Object.values(results.invariants)) {
    invariant.verdict = 'hold';
    invariant.counterexamples = [];
    delete invariant.message;
  }
  results.counterexamples = [];
  results.explore!.violations = [];
  results.bugs = results.bugs!.map((bug) => ({ ...bug, caught: true, seconds: index }));
  results.fuzz = {
    ...results.fuzz!,
    runs,
    seconds: runs / 10,
    seeds: { first, last: first + runs - 1 },
    counterexamples: [],
  };
  return results;
}

describe('mergeResults', () => {
  it('sums fuzz work, spans seeds and keeps the best coverage', () => {
    const a = passingShard(1, 2, 100, 50);
    const b = passingShard(2, 2, 150, 50);
    b.fuzz!.modelStates = { covered: 33, total: 34 };
    b.conformance!.transitions = { covered: 80, total: 85 };
    const merged = mergeResults([a, b]);
    expect(merged.verdict).toBe('pass');
    expect(merged.fuzz).toMatchObject({
      runs: 100,
      seconds: 10,
      schedulesPerSecond: 10,
      seeds: { first: 100, last: 199 },
    });
    expect(merged.fuzz!.modelStates).toEqual({ covered: 33, total: 34 });
    expect(merged.conformance!.transitions).toEqual({ covered: 80, total: 85 });
    expect(merged.config.shard).toBeUndefined();
    expect(merged.figures['shards merged']).toBe('1, 2 of 2');
  });

  it('lets the worst verdict and any violation win, and a bug caught anywhere count as caught', () => {
    const failing = loadFixture(); // shard 2/4: I3 violated, stale-primary-resumes escaped
    const passing = passingShard(1, 4, 0, 10);
    const merged = mergeResults([passing, failing]);
    expect(merged.verdict).toBe('fail');
    expect(merged.invariants.I3.verdict).toBe('violated');
    expect(merged.invariants.I3.message).toBe(failing.invariants.I3.message);
    expect(merged.invariants.I6.verdict).toBe('hold');
    expect(merged.bugs!.map((bug) => [bug.name, bug.caught])).toEqual([
      ['skip-test-and-set', true],
      ['output-before-ack', true],
      ['stale-primary-resumes', true],
    ]);
    expect(merged.explore!.violations).toHaveLength(1);
    const errored = { ...passingShard(3, 4, 10, 10), verdict: 'error' as const };
    expect(mergeResults([failing, errored]).verdict).toBe('error');
  });

  it('de-duplicates counterexamples by path, keeping the first', () => {
    const a = loadFixture();
    const b = loadFixture();
    b.config.shard = { index: 3, count: 4 };
    b.counterexamples[0]!.message = 'second copy';
    b.counterexamples.push({ ...b.counterexamples[0]!, path: 'counterexamples/other.json' });
    const merged = mergeResults([a, b]);
    expect(merged.counterexamples.map((c) => c.path)).toEqual([
      'counterexamples/I3-seed-20261391.json',
      'counterexamples/bug-output-before-ack.json',
      'counterexamples/other.json',
    ]);
    expect(merged.counterexamples[0]!.message).toBe(a.counterexamples[0]!.message);
    expect(merged.fuzz!.counterexamples).toEqual(['counterexamples/I3-seed-20261391.json']);
  });

  it('refuses the same shard twice and shards of different campaigns', () => {
    expect(() => mergeResults([])).toThrow(MergeError);
    expect(() => mergeResults([passingShard(1, 2, 0, 5), passingShard(1, 2, 0, 5)])).toThrow(
      /shard 1\/2 appears more than once/,
    );
    expect(() => mergeResults([passingShard(1, 2, 0, 5), passingShard(2, 3, 5, 5)])).toThrow(
      /belongs to another campaign/,
    );
  });
});

describe('shards', () => {
  it('parses i/n and names what is wrong', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(() => parseShard('0/5')).toThrow(/shard index must be between 1 and 5 \(shards count from 1\)/);
    expect(() => parseShard('6/5')).toThrow(ShardError);
    expect(() => parseShard('1/0')).toThrow(/shard count must be between 1 and 10000/);
    expect(() => parseShard('two/5')).toThrow(
      /--shard must look like i\/n \(for example 2\/5\), got 'two\/5'/,
    );
    expect(() => parseShard('1/5/2')).toThrow(ShardError);
    expect(() => parseShard('-1/5')).toThrow(ShardError);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat(5000), fc.integer({ min: 1, max: 64 })], {
    seed: 7,
  })('shards are disjoint, balanced and together are the unsharded campaign', (baseSeed, runs, count) => {
    const whole = seedsOf(shardSeeds(baseSeed, runs, { index: 1, count: 1 }));
    expect(whole).toEqual(Array.from({ length: runs }, (_, k) => baseSeed + k));
    const blocks = Array.from({ length: count }, (_, i) =>
      shardSeeds(baseSeed, runs, { index: i + 1, count }),
    );
    expect(blocks.flatMap(seedsOf)).toEqual(whole);
    const sizes = blocks.map((block) => block.runs);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test.prop([fc.nat(1000), fc.integer({ min: 1, max: SHARDS_MAX })], { seed: 11 })(
    'a shard is the same whoever computes it',
    (runs, count) => {
      const index = (runs % count) + 1;
      expect(shardSeeds(5, runs, { index, count })).toEqual(shardSeeds(5, runs, { index, count }));
      expect(shardSeeds(5, runs, { index, count }).runOffset).toBe(Math.floor(((index - 1) * runs) / count));
    },
  );
});

describe('ftcheck merge', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftcheck-merge-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
  }

  async function writeParts(parts: GateResults[]): Promise<string[]> {
    return Promise.all(
      parts.map(async (part, i) => {
        const file = join(dir, `shard-${i + 1}.json`);
        await writeFile(file, JSON.stringify(part));
        return file;
      }),
    );
  }

  it('writes every merged report and exits 0 when all shards pass', async () => {
    const files = await writeParts([passingShard(1, 2, 0, 30), passingShard(2, 2, 30, 30)]);
    const c = capture();
    expect(await main(['merge', ...files, '--out', join(dir, 'out')], c.io)).toBe(0);
    expect(c.out[0]).toBe('merged 2 results: verdict pass');
    const merged = await readResults(join(dir, 'out', 'results.json'));
    expect(merged.fuzz!.runs).toBe(60);
    expect(await readFile(join(dir, 'out', 'junit.xml'), 'utf8')).toContain('tests="13" failures="0"');
    expect(await readFile(join(dir, 'out', 'summary.md'), 'utf8')).toContain('# ✅ ftcheck PASS');
  });

  it('exits 1 when the merged verdict fails, and prints JSON with --json', async () => {
    const files = await writeParts([passingShard(1, 4, 0, 10), loadFixture()]);
    const c = capture();
    expect(await main(['merge', ...files, '--out', join(dir, 'out'), '--json'], c.io)).toBe(1);
    expect(JSON.parse(c.out.join('')).verdict).toBe('fail');
  });

  it('exits 2 naming the file and field of a malformed part', async () => {
    const bad = JSON.parse(JSON.stringify(loadFixture()));
    bad.fuzz.runs = -3;
    const files = await writeParts([passingShard(1, 4, 0, 10), bad]);
    const c = capture();
    expect(await main(['merge', ...files, '--out', join(dir, 'out')], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/ftcheck: .*shard-2\.json: field 'fuzz\.runs': /);
    const twice = await writeParts([passingShard(1, 4, 0, 10), passingShard(1, 4, 0, 10)]);
    expect(await main(['merge', ...twice], c.io)).toBe(2);
    expect(c.err.join('')).toContain('cannot merge: shard 1/4 appears more than once');
  });
});
