// `ftcheck explore --swarm K` and `ftcheck merge` of its shards: text and JSON that say what was
// and was not checked, byte-identical JSON for the same flags, shards that merge into exactly the
// unsharded result, exit codes 1 / 0 / 4, and flags and shard files refused with exit 2 naming
// what is wrong.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

async function run(args: string[]) {
  const c = capture();
  const code = await main(args, c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

// biome-ignore lint/suspicious/noExplicitAny: a test tampers with parsed JSON at any depth
type Tamper = (file: any) => void;

const BUGGY = ['--hosts', '3', '--bug', 'output-before-ack', '--max-states', '1500'];

describe('ftcheck explore --swarm', () => {
  it('finds a seeded bug: exit 1, the finding member, a step table and an ITF file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-swarm-'));
    const r = await run(['explore', ...BUGGY, '--swarm', '4', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('mode        swarm: 4 members, seed 1, at most 1500 states per member');
    expect(r.out).toMatch(/coverage {4}\d+ distinct states reached by the union of the members \(exact: /);
    expect(r.out).toContain('VIOLATION outputReproducible (I2) [invariant]');
    expect(r.out).toMatch(
      /found by member 0 \(dfs, seed \d+\): a counterexample of \d+ steps, not necessarily the shortest/,
    );
    expect(r.out).toContain('NOT CHECKED under swarm');
    expect(r.out).toMatch(/eventually {2}protectionRestored \(I5\)/);
    expect(r.out.split('\n').at(-1)).toBe('verdict     VIOLATION found (exit 1)');
    const itf = JSON.parse(
      readFileSync(join(out, 'explore-swarm-h3-output-before-ack-outputReproducible.itf.json'), 'utf8'),
    );
    expect(itf.states.length).toBeGreaterThan(5);
  });

  it('--json: the same bytes twice, no timings, bounded runs inconclusive (exit 4)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-swarm-'));
    const args = ['explore', '--hosts', '3', '--max-states', '1000', '--swarm', '3', '--swarm-seed', '9'];
    const first = await run([...args, '--out', out, '--json']);
    const second = await run([...args, '--out', out, '--json']);
    expect(first.code).toBe(4);
    expect(second.out).toBe(first.out);
    const json = JSON.parse(first.out);
    expect(json).toMatchObject({
      mode: 'swarm',
      bounds: { hosts: 3, entries: 2, crashes: 1, partitions: 1, storageLosses: 1 },
      swarm: { members: 3, seed: 9, maxStatesPerMember: 1000, ran: [0, 1, 2], missing: [] },
      coverage: { exact: true, relativeError: 0, method: 'exact: distinct 64-bit state fingerprints' },
      exhaustive: false,
      verdict: 'inconclusive',
      violation: null,
      files: { itf: null, shard: null },
    });
    expect(json.members.map((m: { strategy: string }) => m.strategy)).toEqual(['dfs', 'bfs', 'dfs']);
    expect(json.notChecked.map((p: { name: string }) => p.name)).toEqual([
      'protectionRestored',
      'requestsAnswered',
      'protectionReachable',
    ]);
    expect(first.out).not.toMatch(/seconds|statesPerSecond|peakRss/);
    const text = await run([...args, '--out', out]);
    expect(text.out.split('\n').at(-1)).toMatch(
      /^verdict {5}INCONCLUSIVE \(bounded\): no violation within the swarm's budget .* not a proof .*\(exit 4\)$/,
    );
  });

  it('a member whose cap exceeds the space exhausts it: exit 0, every checked property holds', async () => {
    const r = await run(['explore', '--hosts', '2', '--swarm', '1', '--max-states', '100000', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      verdict: 'pass',
      exhaustive: true,
      coverage: { states: 46_901, exact: true },
    });
    expect(json.members[0]).toMatchObject({ end: 'exhausted', states: 46_901, transitions: 217_535 });
    expect(json.properties.every((p: { status: string }) => p.status === 'holds')).toBe(true);
  });

  it('rejects bad flags with exit 2, naming the flag', async () => {
    for (const [args, message] of [
      [['--swarm', '0'], /--swarm must be an integer in 1\.\.4096, got '0'/],
      [['--swarm', 'x'], /--swarm must be an integer in 1\.\.4096, got 'x'/],
      [['--swarm-seed', '3'], /--swarm-seed needs --swarm K/],
      [['--shard', '1/2'], /--shard needs --swarm K/],
      [['--swarm', '4', '--shard', '5/4'], /--shard 5\/4: the shard index must be between 1 and 4/],
      [['--swarm', '2', '--shard', '1/3'], /--shard 1\/3: a swarm of 2 members has at most 2 shards/],
      [['--swarm', '2', '--engine', 'generic'], /--swarm needs the compiled engine/],
      [['--swarm', '2', '--max-states', '0'], /--max-states must be a positive integer/],
      [['--swarm', '2', '--swarm-seed', '-1'], /--swarm-seed must be an integer in 0\.\.4294967295/],
    ] as const) {
      const r = await run(['explore', ...args]);
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(message)]);
    }
  });
});

describe('ftcheck merge of swarm shards', () => {
  let dir: string;
  let shards: string[];
  let unsharded: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ftcheck-swarm-merge-'));
    const args = ['explore', ...BUGGY, '--swarm', '5', '--swarm-seed', '4', '--out', dir, '--json'];
    unsharded = (await run(args)).out;
    for (const index of [1, 2]) {
      const shard = await run([...args, '--shard', `${index}/2`]);
      expect(shard.code).not.toBe(2);
      expect(JSON.parse(shard.out).shard).toEqual({ index, count: 2 });
    }
    shards = [1, 2].map((i) => join(dir, `explore-swarm-h3-output-before-ack-shard-${i}-of-2.json`));
  });

  it('merges shards (in any order) into exactly the unsharded result', async () => {
    const merged = await run(['merge', shards[1]!, shards[0]!, '--out', dir, '--json']);
    expect(merged.code).toBe(1);
    expect(merged.out).toBe(unsharded);
    const file = JSON.parse(readFileSync(shards[0]!, 'utf8'));
    expect(file.members.map((m: { member: number }) => m.member)).toEqual([0, 2, 4]);
    expect(JSON.stringify(file)).not.toMatch(/seconds/);
  });

  it('says which members are missing when a shard is not merged', async () => {
    const merged = await run(['merge', shards[1]!, '--out', dir]);
    expect(merged.out).toContain('members missing (not merged): 0, 2, 4');
  });

  /** Writes a tampered copy of shard 2 and merges it with shard 1; returns the result. */
  async function tampered(name: string, change: Tamper, withFirst = true) {
    const file = JSON.parse(readFileSync(shards[1]!, 'utf8'));
    change(file);
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(file));
    return run(['merge', ...(withFirst ? [shards[0]!] : []), path, '--out', join(dir, 'out')]);
  }

  it('refuses a hostile or inconsistent shard with exit 2, naming the file and the field', async () => {
    const cases: [string, Tamper, RegExp][] = [
      [
        'hll',
        (f) => (f.members[0].sketch.hll = '<script>'),
        /hll\.json: field 'members\.0\.sketch\.hll': expected base64/,
      ],
      ['extra', (f) => (f.extra = 1), /extra\.json: unknown field 'extra'/],
      [
        'member',
        (f) => (f.members[0].member = 2),
        /member\.json: field 'members\.0\.member': member 2 is not in shard 2\/2/,
      ],
      [
        'strategy',
        (f) => (f.members[0].strategy = 'dfs-bounded'),
        /strategy\.json: field 'members\.0\.strategy': member 1 of seed 4 has strategy bfs/,
      ],
      ['states', (f) => (f.members[0].states = -1), /states\.json: field 'members\.0\.states': Too small/],
      [
        'seed',
        (f) => (f.swarm.seed = 5),
        /seed\.json: field 'members\.0\.seed': member 1 of seed 5 has seed \d+/,
      ],
      [
        'name',
        (f) => (f.model.name = 'other'),
        /cannot merge: .*name\.json: field 'model': differs from .*shard-1-of-2\.json/,
      ],
      [
        'count',
        (f) => (f.shard = { index: 2, count: 3 }),
        /count\.json: field 'members\.1\.member': member 3 is not in shard 2\/3/,
      ],
    ];
    for (const [name, change, message] of cases) {
      const r = await tampered(name, change);
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.err).toMatch(message);
    }
  });

  it('replays every claimed violation: a forged one is refused, naming its events', async () => {
    const file = JSON.parse(readFileSync(shards[1]!, 'utf8'));
    const at = file.members.findIndex((m: { violation: unknown }) => m.violation !== null);
    expect(at).toBeGreaterThanOrEqual(0);
    const r = await tampered('forged', (f) => f.members[at].violation.events.splice(1, 1));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(`forged\\.json: field 'members\\.${at}\\.violation\\.events(\\.\\d+)?'`),
    );
    const alone = await tampered('model', (f) => (f.model.name = 'cluster(hosts=9)'), false);
    expect(alone.err).toMatch(/model\.json: field 'model\.name': the bounds give 'cluster\(hosts=3/);
    const bug = await tampered('bug', (f) => (f.model.bug = 'nope'), false);
    expect(bug.err).toMatch(/bug\.json: field 'model\.bug': .*unknown model bug 'nope'/);
  });

  it('refuses the same member twice, and a swarm shard merged with gate results', async () => {
    const twice = await run(['merge', shards[0]!, shards[0]!, '--out', join(dir, 'out')]);
    expect([twice.code, twice.err]).toEqual([
      2,
      expect.stringMatching(/cannot merge: .*member 0 is also in/),
    ]);
    const results = join(dir, 'results.json');
    writeFileSync(results, JSON.stringify({ version: 1 }));
    const mixed = await run(['merge', shards[0]!, results, '--out', join(dir, 'out')]);
    expect([mixed.code, mixed.err]).toEqual([
      2,
      expect.stringMatching(/cannot merge: .*results\.json is not an explore swarm shard/),
    ]);
  });

  it('believes a pass only after running again the member that claims to exhaust the space', async () => {
    const small = ['explore', '--hosts', '2', '--swarm', '2', '--out', dir];
    const pass = await run([...small, '--max-states', '100000', '--shard', '1/2']);
    expect(pass.code).toBe(0);
    const shardFile = join(dir, 'explore-swarm-h2-shard-1-of-2.json');
    const merged = await run(['merge', shardFile, '--out', join(dir, 'out')]);
    expect(merged.code).toBe(0);
    expect(merged.out).toContain('PASS (safety): member 0 exhausted the whole state space');
    expect(merged.out).toContain('members missing (not merged): 1');
    const capped = await run([...small, '--max-states', '500', '--shard', '1/2']);
    expect(capped.code).toBe(4);
    const file = JSON.parse(readFileSync(shardFile, 'utf8'));
    file.members[0].end = 'exhausted';
    const claim = join(dir, 'claim.json');
    writeFileSync(claim, JSON.stringify(file));
    const refused = await run(['merge', claim, '--out', join(dir, 'out')]);
    expect([refused.code, refused.err]).toEqual([
      2,
      expect.stringMatching(
        /claim\.json: field 'members\.0': member 0 claims to exhaust the space, but run again it ends capped after 50\d states/,
      ),
    ]);
  });
});
