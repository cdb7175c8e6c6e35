// The command line as a new user meets it: --version, "did you mean" for a mistyped command, a
// named unknown command, a quiet end on a closed pipe, `ftcheck bugs` listing every bug the gate
// injects, and ftcheck.config.ts loading (or failing with exit 2 naming the file) in a user's folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';
import { loadConfig } from '../src/cli/config.ts';
import { UsageError } from '../src/cli/context.ts';
import { main } from '../src/cli/main.ts';

const CLI = new URL('../src/cli/ftcheck.js', import.meta.url).pathname;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('CLI manners', () => {
  it('--version prints the package version', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(c.out.join('').trim()).toBe(version);
  });
  it('suggests the command a typo was meant to be, and names an unknown one (exit 2)', async () => {
    const typo = capture();
    expect(await main(['fuz', '--runs', '1'], typo.io)).toBe(2);
    expect(typo.err.join('')).toContain("unknown command 'fuz' (did you mean 'fuzz'?)");
    const unknown = capture();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err.join('')).toContain("unknown command 'frobnicate'");
    expect(unknown.err.join('')).not.toContain('did you mean');
  });
  it('`ftcheck --help` still lists every command, `help <command>` shows that one', async () => {
    const all = capture();
    expect(await main(['--help'], all.io)).toBe(0);
    for (const name of ['gate', 'explore', 'fuzz', 'replay', 'run', 'bugs', 'diagram', 'merge']) {
      expect(all.out.join('')).toContain(`  ${name}`);
    }
    const one = capture();
    expect(await main(['help', 'explore'], one.io)).toBe(0);
    expect(one.out.join('')).toContain('Usage: ftcheck explore');
  });
  it('`ftcheck bugs` lists every bug the gate injects, the composite ones included', async () => {
    const c = capture();
    expect(await main(['bugs', '--json'], c.io)).toBe(0);
    const listed = JSON.parse(c.out.join('')) as { name: string; base?: string }[];
    expect(listed.map((b) => b.name)).toEqual(fuzzableBugs().map((b) => b.name));
    expect(listed.find((b) => b.name === 'heartbeat-timeout-below-replay-without-test-and-set')?.base).toBe(
      'go-live-without-test-and-set',
    );
  });
  it('`--stages` runs only the stages named (CI: model stages once, fuzz per shard)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-stages-'));
    const c = capture();
    expect(await main(['--stages', 'explore', '--hosts', '2', '--out', out, '--json'], c.io)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.explore.hosts).toBe(2);
    expect(results.fuzz).toBeUndefined();
    expect(results.bugs).toBeUndefined();
    expect(results.invariants.I3.checkedBy).toEqual(['explore']);
    expect(results.invariants.I1.verdict).toBe('not-checked');
    const typo = capture();
    expect(await main(['--stages', 'explore,fuz', '--out', out], typo.io)).toBe(2);
    expect(typo.err.join('')).toContain("--stages: unknown stage 'fuz' (did you mean 'fuzz'?)");
  });
  it('ends quietly when its reader closes the pipe (`ftcheck bugs | head -1`)', async () => {
    const child = spawn(process.execPath, [CLI, 'bugs'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('ftcheck.config.ts in a user folder', () => {
  const variants: [string, string, RegExp][] = [
    ['a syntax error', 'export default { hosts: 3,, };\n', /ftcheck\.config\.ts:1:\d+: /],
    [
      'a throw',
      "throw new Error('boom');\nexport default {};\n",
      /ftcheck\.config\.ts: failed to load: Error: boom/,
    ],
    ['no default export', 'export const hosts = 3;\n', /ftcheck\.config\.ts: no default export/],
    [
      'a bad value',
      'export default { hosts: 9 };\n',
      /ftcheck\.config\.ts: invalid configuration\n {2}hosts/,
    ],
  ];
  for (const withPackageJson of [false, true]) {
    const where = withPackageJson ? 'with a package.json' : 'without a package.json';
    it(`loads a typed config ${where}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ftcheck-user-'));
      if (withPackageJson) writeFileSync(join(dir, 'package.json'), '{ "name": "user-project" }\n');
      writeFileSync(
        join(dir, 'ftcheck.config.ts'),
        "type Config = { hosts: number; guests: ('kvstore' | 'ledger')[] };\n" +
          "const config: Config = { hosts: 2, guests: ['ledger'] };\nexport default config;\n",
      );
      const config = await loadConfig(dir);
      expect(config.hosts).toBe(2);
      expect(config.guests).toEqual(['ledger']);
      expect(readdirSync(dir).sort()).toEqual(
        withPackageJson ? ['ftcheck.config.ts', 'package.json'] : ['ftcheck.config.ts'],
      );
    });
    for (const [problem, source, message] of variants) {
      it(`names the file for ${problem} (${where})`, async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ftcheck-user-'));
        if (withPackageJson) writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
        writeFileSync(join(dir, 'ftcheck.config.ts'), source);
        const error = await loadConfig(dir).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UsageError);
        expect((error as Error).message).toMatch(message);
      });
    }
  }
  it('the gate exits 2 naming a broken config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-user-'));
    const path = join(dir, 'ftcheck.config.ts');
    writeFileSync(path, 'export default { hosts: };\n');
    const c = capture();
    expect(await main(['--config', path], c.io)).toBe(2);
    expect(c.err.join('')).toContain(path);
  });
  it('tolerates a byte-order mark at the start of ftcheck.config.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-user-'));
    writeFileSync(join(dir, 'ftcheck.config.json'), '\ufeff{ "hosts": 4 }\n');
    expect((await loadConfig(dir)).hosts).toBe(4);
  });
});
