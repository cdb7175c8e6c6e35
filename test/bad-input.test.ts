// Hostile input found by testing the CLI as a user: every case is exit 2 with a message naming the
// field, flag or path that is wrong — never a stack trace, a late failure inside a run, or a run
// that quietly ignores what it was given. Flags are held to the config file's ranges.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gateOptions } from '../src/cli/commands/gate.ts';
import { parseConfig } from '../src/cli/config.ts';
import { UsageError } from '../src/cli/context.ts';
import { main } from '../src/cli/main.ts';

const FIXTURE = 'test/fixtures/counterexamples/go-live-without-test-and-set-seed3.json';
const dir = mkdtempSync(join(tmpdir(), 'ftcheck-bad-input-'));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

async function refused(args: string[], message: string | RegExp): Promise<void> {
  const c = capture();
  expect(await main(args, c.io), args.join(' ')).toBe(2);
  const text = c.err.join('');
  expect(text).toMatch(message);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
}

// biome-ignore lint/suspicious/noExplicitAny: trace files edited as free-form JSON
function traceWith(name: string, change: (json: any) => void): string {
  const json = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  change(json);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('an output folder that cannot be created', () => {
  it.each([
    ['the gate', ['--out', '/dev/null/x']],
    ['fuzz', ['fuzz', '--runs', '1', '--out', '/dev/null/x']],
    ['explore', ['explore', '--hosts', '2', '--out', '/dev/null/x']],
  ])('%s: exit 2 naming the flag and the path', async (_name, args) => {
    await refused(args, /--out: cannot create the folder '\/dev\/null\/x' \(.*ENOTDIR\)/);
  });
  it('any other path the file system refuses is exit 2 naming it, not an internal error', async () => {
    await refused(['diagram', '--out', '/dev/null/x'], /cannot \w+ '\/dev\/null\/x.*ENOTDIR/);
  });
});

describe('trace files refused at load, naming the field', () => {
  it.each([
    [
      'a bug nobody catalogued',
      (j: { bug: string }) => (j.bug = 'no-such-bug'),
      /: bug: unknown bug 'no-such-bug'/,
    ],
    [
      'a typo in run.config',
      (j: { run: { config: Record<string, unknown> } }) => (j.run.config.hots = 3),
      /: run\.config\.hots: unknown field \(did you mean 'hosts'\?\)/,
    ],
    [
      'a typo in a fault',
      (j: { run: { schedule: { faults: unknown[] } } }) =>
        (j.run.schedule.faults = [{ at: '1s', kind: 'crash', hots: 'h1' }]),
      /run\.schedule\.faults\[0\]\.host: missing .*unknown field 'hots' \(did you mean 'host'\?\)/,
    ],
    [
      'a fault on a VM that does not exist',
      (j: { run: { schedule: { faults: unknown[] } } }) =>
        (j.run.schedule.faults = [{ at: '1s', kind: 'crash', host: 'primary', vm: 'vm99' }]),
      /run\.schedule\.faults\[0\]\.vm: vm99 does not exist/,
    ],
    // biome-ignore lint/suspicious/noExplicitAny: free-form JSON
  ] as [string, (j: any) => void, RegExp][])('%s', async (name, change, message) => {
    await refused(['replay', traceWith(name.replaceAll(' ', '-'), change)], message);
  });
  it('a byte-order mark before the JSON is tolerated', async () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, `\ufeff${readFileSync(FIXTURE, 'utf8')}`);
    const c = capture();
    expect(await main(['replay', path, '--json', '--mermaid', join(dir, 'bom.mmd')], c.io)).not.toBe(2);
  });
});

describe('a fault schedule naming a VM that does not exist', () => {
  it('is refused before the run, naming the field', async () => {
    const schedule = join(dir, 'vm99.json');
    writeFileSync(
      schedule,
      JSON.stringify({ version: 1, faults: [{ at: '1s', kind: 'crash', host: 'primary', vm: 'vm99' }] }),
    );
    await refused(
      ['run', 'guests/kvstore.elf', '--ft', '--faults', schedule, '--duration', '2s'],
      /vm99\.json: faults\[0\]\.vm: vm99 does not exist \(the cluster runs vm1\)/,
    );
  });
});

describe('flags are held to the config file ranges', () => {
  const config = parseConfig({}, 'defaults');
  const io = capture().io;
  const out = join(dir, 'reports');
  it.each([
    [['--workers', '100000'], /--workers must be an integer in 1\.\.64, got '100000'/],
    [['--seed', '4294967296'], /--seed must be an integer in 0\.\.4294967295/],
    [['--seed', '-1'], /--seed must be an integer in 0\.\.4294967295/],
    [['--hosts', '7'], /--hosts must be an integer in 2\.\.6/],
    [['--budget', '1ms'], /--budget must be a duration between 1s and 24h, got '1ms'/],
  ])('gate %j', async (args, message) => {
    await refused([...args, '--out', out], message);
  });
  it.each([
    [['--seed', '-1'], /--seed must be an integer in 0\.\.4294967295, got '-1'/],
    [['--seed', '4294967296'], /--seed must be an integer in 0\.\.4294967295/],
    [['--budget', '1ms'], /--budget must be a duration between 1s and 24h/],
  ])('fuzz %j', async (args, message) => {
    await refused(['fuzz', ...args], message);
  });
  it('seed 0 and 6 hosts are valid wherever the config allows them (gate, explore, run)', async () => {
    const options = gateOptions(config, { seed: '0', hosts: '6', out }, io, false);
    expect([options.seed, options.hosts]).toEqual([0, 6]);
    expect(parseConfig({ seed: 0, hosts: 6 }, 'cfg').seed).toBe(0);
    const c = capture();
    expect(await main(['run', 'guests/crc.elf', '--seed', '0', '--max-instructions', '1000'], c.io)).toBe(0);
  });
  it('the config file refuses what the flags refuse', () => {
    for (const [raw, field] of [
      [{ workers: 100000 }, 'workers'],
      [{ seed: 4294967296 }, 'seed'],
      [{ hosts: 7 }, 'hosts'],
      [{ budget: '1ms' }, 'budget: expected a duration between 1s and 24h'],
      // crc and clock have no client workload: the fuzz campaign cannot run them.
      [{ guests: ['crc'] }, 'guests.0'],
    ] as const) {
      expect(() => parseConfig(raw, 'cfg.json')).toThrow(UsageError);
      expect(() => parseConfig(raw, 'cfg.json')).toThrow(new RegExp(`\\n {2}${field}`));
    }
  });
});
