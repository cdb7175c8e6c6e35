// `ftcheck fuzz` on SIGINT or SIGTERM stops after the current schedule instead of dying: exit 130,
// and a counterexample already found stays on disk (its trace file is written before shrinking
// starts) with its path printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/check/trace-file.ts';

const CLI = new URL('../src/cli/ftcheck.js', import.meta.url).pathname;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ftcheck fuzz`, sending `signal` once `ready()` says so (checked every 10 ms). */
function fuzz(args: string[], signal: NodeJS.Signals, ready: (stderr: string) => boolean) {
  const child = spawn(process.execPath, [CLI, 'fuzz', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const poll = setInterval(() => {
    if (!ready(stderr)) return;
    clearInterval(poll);
    child.kill(signal);
  }, 10);
  return new Promise<Finished>((resolve) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('ftcheck fuzz interruption', () => {
  it('on SIGTERM while shrinking keeps the counterexample found and prints where it is', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-fuzz-term-'));
    const trace = join(out, 'interrupt-late-seed1.json');
    const run = await fuzz(['--bug', 'interrupt-late', '--runs', '10', '--out', out], 'SIGTERM', () =>
      existsSync(trace),
    );
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGTERM');
    expect(run.stdout).toContain(`counterexample: ${trace}`);
    expect(run.stdout).toMatch(/not minimal/);
    const file = readTraceFile(trace);
    expect(file.expected.invariant).toBe('I1');
    expect(file.search.minimal).toBe(false);
  });

  it('on SIGINT with nothing found yet stops cleanly and says so', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-fuzz-int-'));
    const run = await fuzz(['--runs', '100000', '--out', out], 'SIGINT', (err) =>
      err.includes('fuzz: started'),
    );
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/^fuzz: \d+ schedules, no violation so far, interrupted/m);
  });
});
