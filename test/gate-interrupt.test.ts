// Ctrl-C during the gate: the process stops at the next step, still writes every report, marks
// the run 'interrupted' and exits 130.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../src/cli/ftcheck.js', import.meta.url).pathname;

describe('gate interruption', () => {
  it('writes a partial report and exits 130 on SIGINT', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-sigint-'));
    const child = spawn(process.execPath, [CLI, '--budget', '5m', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        const before = stderr;
        stderr += chunk.toString();
        // Interrupt once the exhaustive model check has started.
        if (!before.includes('gate: explore') && stderr.includes('gate: explore')) child.kill('SIGINT');
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    expect(stderr).toContain('interrupted');
    expect(code).toBe(130);
    for (const file of ['summary.md', 'junit.xml', 'results.json', 'index.html']) {
      expect(existsSync(join(out, file))).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.verdict).toBe('interrupted');
    expect(results.fuzz).toBeUndefined();
  });
});
