// The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), installed into
// a fresh project with its own package.json, then used there as a CLI (`npx ftcheck`) and as a
// library (a type-checked user file importing 'ftcheck' that explores its own xstate machine,
// bounded through `input`). Dependencies come from the local npm cache (--prefer-offline).
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'user-project');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TIMEOUT_MS = 600_000;

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** Runs a command in `cwd` with the npm lifecycle variables of the outer `npm test` removed. */
function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: TIMEOUT_MS });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0) {
    throw new Error(`${what} exited ${result.status}:\n${result.stderr}\n${result.stdout}`.slice(0, 4000));
  }
  return result.stdout;
}

describe('the packed tarball in a fresh project', () => {
  let project = '';
  let files: string[] = [];

  beforeAll(() => {
    const packDir = mkdtempSync(join(tmpdir(), 'ftcheck-pack-'));
    const packed = JSON.parse(
      ok(run(NPM, ['pack', '--json', '--pack-destination', packDir], ROOT), 'npm pack'),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0]!.files.map((f) => f.path);
    project = mkdtempSync(join(tmpdir(), 'ftcheck-user-'));
    cpSync(FIXTURE, project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'user-project', private: true, type: 'module' }, null, 2)}\n`,
    );
    ok(
      run(
        NPM,
        [
          'install',
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          join(packDir, packed[0]!.filename),
          `xstate@${installedVersion('xstate')}`,
          `typescript@${installedVersion('typescript')}`,
        ],
        project,
      ),
      'npm install',
    );
  }, TIMEOUT_MS);

  it('ships the build and the guests, not the sources, tests or benchmarks', () => {
    expect(files).toContain('dist/src/cli/bin.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('guests/kvstore.elf');
    expect(files).toContain('schema/results.schema.json');
    expect(files.filter((f) => /^(src|test|bench|models|properties)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const dependencies = JSON.parse(readFileSync(join(project, 'node_modules/ftcheck/package.json'), 'utf8'));
    expect(Object.keys(dependencies.dependencies)).not.toContain('tsx');
    expect(dependencies.peerDependencies).toHaveProperty('xstate');
  });

  it('runs as a CLI: --version, and bugs lists the catalog', () => {
    expect(ok(run('npx', ['ftcheck', '--version'], project), 'ftcheck --version').trim()).toBe(
      manifest.version,
    );
    const bugs = JSON.parse(ok(run('npx', ['ftcheck', 'bugs', '--json'], project), 'ftcheck bugs'));
    expect(bugs.map((b: { name: string }) => b.name)).toContain('output-before-ack');
  });

  it("leaves the clone's own build executable after the pack rebuilt it (npx ftcheck in the clone)", () => {
    expect(statSync(join(ROOT, 'dist/src/cli/bin.js')).mode & 0o111).toBe(0o111);
    expect(ok(run('npx', ['ftcheck', '--version'], ROOT), 'ftcheck --version in the clone').trim()).toBe(
      manifest.version,
    );
  });

  it('reads ftcheck.config.ts in a folder without a package.json, naming it when it is wrong', () => {
    const folder = mkdtempSync(join(tmpdir(), 'ftcheck-bare-'));
    writeFileSync(join(folder, 'ftcheck.config.ts'), 'const hosts: number = 9;\nexport default { hosts };\n');
    const bin = join(project, 'node_modules', '.bin', 'ftcheck');
    const gate = run(bin, ['--out', join(folder, 'reports')], folder);
    expect(gate.status).toBe(2);
    expect(gate.stderr).toContain(`${join(folder, 'ftcheck.config.ts')}: invalid configuration`);
    expect(gate.stderr).toMatch(/hosts: .*6/);
  });

  it('type-checks and runs a user file that explores its own machine, bounded through input', () => {
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(run(process.execPath, [tsc, '-p', '.', '--noEmit', 'false', '--outDir', 'build'], project), 'tsc');
    const out = JSON.parse(ok(run(process.execPath, ['build/user-model.js'], project), 'user-model.js'));
    expect(out).toMatchObject({ version: manifest.version, small: 9, large: 25, largeComplete: true });
    expect(out.bugs).toBeGreaterThan(5);
    expect(out.failure).toMatch(/^model counters\(max=3\): sumBelow4 \(invariant\)/);
    expect(out.failure).toContain('shortest counterexample, 4 steps');
  });

  it('runs a short gate with the project ftcheck.config.ts and writes its reports', () => {
    const gate = run(
      'npx',
      // A short fixed campaign (counts, not a wall-clock budget): the same verdict on any machine.
      [
        'ftcheck',
        ...['--stages', 'diagrams,explore,fuzz', '--fuzz-seeds', '1', '--fuzz-runs', '3'],
        ...['--workers', '2', '--out', 'reports', '--json'],
      ],
      project,
    );
    expect(gate.status, gate.stderr).toBe(0);
    const verdict = JSON.parse(gate.stdout);
    expect(verdict.verdict).toBe('pass');
    const results = JSON.parse(readFileSync(join(project, 'reports', 'results.json'), 'utf8'));
    expect(results.config.hosts).toBe(2); // from ftcheck.config.ts
    const schema = join(project, 'node_modules', 'ftcheck', 'schema', 'results.schema.json');
    expect(resolve(project, 'reports', results.$schema)).toBe(schema);
    expect(existsSync(schema)).toBe(true);
    expect(results.git).toBeUndefined(); // not a git work tree
    expect(existsSync(join(project, 'reports', 'junit.xml'))).toBe(true);
    expect(existsSync(join(project, 'reports', 'diagrams', 'agent.svg'))).toBe(true);
  });
});
