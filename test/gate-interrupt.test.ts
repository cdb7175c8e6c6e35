// Stopping the gate early is never a verdict about the system. SIGINT and SIGTERM stop it at the
// next check: every report is written, the run is 'interrupted' (exit 130), bugs the self-test
// never reached are 'not run'. A too-small `--budget` ceiling ends it quickly as 'inconclusive'
// (exit 4), never FAIL, and every report says so.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATE_CAMPAIGN_DEFAULT } from '../src/check/gate/campaign-plan.ts';
import { runGate } from '../src/check/gate/gate.ts';
import { gateOptions } from '../src/cli/commands/gate.ts';
import { parseConfig } from '../src/cli/config.ts';
import { bugsStage } from '../src/cli/gate/stages.ts';
import { renderJunit } from '../src/report/junit.ts';

const CLI = new URL('../src/cli/ftcheck.js', import.meta.url).pathname;
const REPORTS = ['summary.md', 'junit.xml', 'results.json', 'index.html'];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the gate; `when(stderr)` decides the moment to send `signal` (once). */
function gate(args: string[], signal?: { name: NodeJS.Signals; when: (stderr: string) => boolean }) {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcessWithoutNullStreams;
  let [stdout, stderr, sent] = ['', '', false];
  return new Promise<Finished>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (signal && !sent && signal.when(stderr)) {
        sent = true;
        child.kill(signal.name);
      }
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const readResults = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

describe('gate interruption', () => {
  it('writes every report and exits 130 on SIGINT during the model check', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-sigint-'));
    const run = await gate(['--out', out], { name: 'SIGINT', when: (err) => err.includes('gate: explore') });
    expect(run.stderr).toContain('SIGINT');
    expect(run.code).toBe(130);
    for (const file of REPORTS) expect(existsSync(join(out, file))).toBe(true);
    const results = readResults(out);
    expect(results.verdict).toBe('interrupted');
    expect(results.fuzz).toBeUndefined();
    const statuses = results.stages.map((s: { status: string }) => s.status);
    expect(statuses.slice(0, 2)).toEqual(['complete', 'complete']);
    expect(statuses.length).toBeGreaterThan(2);
    for (const status of statuses.slice(2)) expect(status).toBe('not-run');
    expect(lastLine(run.stdout)).toMatch(/^ftcheck gate: INTERRUPTED \(exit 130\)/);
  });

  it('treats SIGTERM (a cancelled CI job) the same', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-sigterm-'));
    const run = await gate(['--out', out], { name: 'SIGTERM', when: (err) => err.includes('gate: explore') });
    expect(run.stderr).toContain('SIGTERM');
    expect(run.code).toBe(130);
    for (const file of REPORTS) expect(existsSync(join(out, file))).toBe(true);
    expect(readResults(out).verdict).toBe('interrupted');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^# ⏸️ ftcheck INTERRUPTED/);
  });

  it('reports the bugs the self-test never reached as not run, and what it finished as finished', async () => {
    const abort = new AbortController();
    const options = {
      ...gateOptions(parseConfig({ hosts: 2 }, 'test'), {}, { out: () => {}, err: () => {} }, false),
      reportsDir: mkdtempSync(join(tmpdir(), 'ftcheck-bugs-stop-')),
      campaign: { ...GATE_CAMPAIGN_DEFAULT, bugRuns: 5, shrinkRuns: 5 },
      // Interrupt once the first fuzzed bug is done, as a signal would.
      log: (line: string) => {
        if (line.startsWith('bugs: interrupt-late')) abort.abort();
      },
    };
    const results = await runGate([bugsStage], options, abort.signal);
    expect(results.verdict).toBe('interrupted');
    expect(results.stages).toEqual([{ name: 'bugs', status: 'interrupted' }]);
    const status = Object.fromEntries(results.bugs!.map((bug) => [bug.name, bug.status]));
    expect(status['go-live-without-test-and-set']).toBe('caught');
    expect(status['interrupt-late']).toBe('caught');
    expect(status['client-address-not-moved']).toBe('not-run');
    expect(Object.values(status)).not.toContain('escaped');
    const junit = renderJunit(results);
    expect(junit).toContain('type="not-run"');
    expect(junit).toContain('failures="0"');
  });
});

describe('gate ceiling', () => {
  it('a too-small --budget ends quickly as inconclusive (exit 4) in every report, never FAIL', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-ceiling-'));
    const run = await gate(['--budget', '1s', '--out', out]);
    expect(run.code).toBe(4);
    const results = readResults(out);
    expect(results.verdict).toBe('inconclusive');
    expect(results.config.budgetSeconds).toBe(1);
    expect(results.stages).toContainEqual({ name: 'bugs', status: 'inconclusive' });
    expect(results.stages.at(-1).status).toBe('inconclusive');
    expect(results.bugs).toBeUndefined();
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^# ⏳ ftcheck INCONCLUSIVE/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('type="inconclusive"');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('banner-inconclusive');
    expect(lastLine(run.stdout)).toMatch(/^ftcheck gate: INCONCLUSIVE \(exit 4\).*nothing failed/);
  });
});
