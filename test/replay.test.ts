// Counterexample trace files and `ftcheck replay`: a trace (the fuzzer's go-live-without-test-and-set
// counterexample, recorded against the code under test) reproduces the same invariant at the same
// simulated time, byte-identically run to run; a malformed file is refused with an error naming the field; the
// same schedule without the bug is clean ("fixed").
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeViolation } from '../properties/invariant-properties.ts';
import { formatMicros } from '../src/base/duration.ts';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import {
  parseTraceFile,
  readTraceFile,
  serialiseTraceFile,
  TraceFileError,
  writeTraceFileAtomic,
} from '../src/check/trace-file.ts';
import { main } from '../src/cli/main.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit trace files as free-form JSON
type Json = any;

const FIXTURE = 'test/fixtures/counterexamples/go-live-without-test-and-set-seed3.json';
const fixtureJson = () => JSON.parse(readFileSync(FIXTURE, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'ftcheck-replay-'));

/**
 * The committed fixture's run, recorded afresh against the code under test (a trace file belongs
 * to one version of the system: a change in cluster timing legitimately moves the violation).
 */
function recordFresh(): string {
  const file = readTraceFile(FIXTURE);
  const result = runFt(runOptionsOf(file.run, file.bug));
  const violation = result.violations[0]!;
  const path = join(dir, 'fresh.json');
  writeTraceFileAtomic(path, { ...file, expected: describeViolation(violation, 'no split-brain') });
  return path;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

function withChange(name: string, change: (json: Json) => void): string {
  const json = fixtureJson();
  change(json);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('trace files', () => {
  it('load, validate and round-trip through an atomic write', () => {
    const file = readTraceFile(FIXTURE);
    expect(file.bug).toBe('go-live-without-test-and-set');
    expect(file.expected.invariant).toBe('I3');
    const path = join(dir, 'copy.json');
    writeTraceFileAtomic(path, file);
    expect(readFileSync(path, 'utf8')).toBe(serialiseTraceFile(file));
    expect(readTraceFile(path)).toEqual(file);
  });

  it.each([
    ['expected.invariant', (j: Json) => (j.expected.invariant = 'I9'), /expected\.invariant/],
    ['version', (j: Json) => (j.version = 2), /version: expected 1/],
    ['unknown field', (j: Json) => (j.extra = 1), /unknown field 'extra'/],
    ['run.seed', (j: Json) => (j.run.seed = -1), /run\.seed/],
    ['missing run.guest', (j: Json) => delete j.run.guest, /run\.guest/],
    [
      'schedule fault kind',
      (j: Json) => (j.run.schedule.faults[0].kind = 'meteor'),
      /run\.schedule\.faults\[0\]\.kind/,
    ],
    [
      'host outside the cluster',
      (j: Json) => (j.run.schedule.faults = [{ at: '1ms', kind: 'crash', host: 'h9' }]),
      /faults\[0\]\.host: h9 does not exist/,
    ],
    ['config', (j: Json) => (j.run.config.hosts = 1), /run\.config\.hosts: /],
    ['fast-check path', (j: Json) => (j.fastCheck.path = 'x'), /fastCheck\.path/],
  ])('name the bad field: %s', (_name, change, message) => {
    const json = fixtureJson();
    change(json);
    expect(() => parseTraceFile(json, 'f.json')).toThrow(TraceFileError);
    expect(() => parseTraceFile(json, 'f.json')).toThrow(message);
  });
});

describe('replay', () => {
  let fresh: string;
  beforeAll(() => {
    fresh = recordFresh();
  });

  it('the committed counterexample still shows its bug breaking I3', () => {
    const replay = replayTraceFile(readTraceFile(FIXTURE));
    expect(replay.violation?.invariant).toBe('I3');
  });

  it('reproduces the recorded invariant at the recorded simulated time, with a timeline ending in it', () => {
    const file = readTraceFile(fresh);
    const replay = replayTraceFile(file);
    expect(replay.reproduced).toBe(true);
    expect(replay.violation).toMatchObject({ invariant: 'I3', timeUs: file.expected.atMicros });
    expect(replay.timeline.at(-1)!.kind).toBe('violation');
    expect(replay.timeline.some((event) => event.kind === 'fault')).toBe(true);
  });

  it('ftcheck replay exits 1, prints the timeline and verdict, and is byte-identical run to run', async () => {
    const runs: string[][] = [];
    const diagrams: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = capture();
      const mermaid = join(dir, `run${i}.mmd`);
      expect(await main(['replay', fresh, '--mermaid', mermaid], c.io)).toBe(1);
      runs.push(c.out.map((line) => line.replace(mermaid, '<mmd>')));
      diagrams.push(readFileSync(mermaid, 'utf8'));
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(diagrams[1]).toBe(diagrams[0]);
    expect(diagrams[0]!.startsWith('sequenceDiagram\n')).toBe(true);
    expect(diagrams[0]).toContain('VIOLATION');
    const text = runs[0]!.join('\n');
    expect(text).toMatch(/FAULT\s+PARTITION network=/);
    const expected = readTraceFile(fresh).expected;
    expect(text).toContain(
      `reproduced: I3 violated at ${formatMicros(expected.atMicros)} on ${expected.host}`,
    );
  });

  it('--json reports the expected and actual violation', async () => {
    const c = capture();
    expect(await main(['replay', fresh, '--json', '--mermaid', join(dir, 'j.mmd')], c.io)).toBe(1);
    const json = JSON.parse(c.out.join(''));
    expect(json.reproduced).toBe(true);
    expect(json.actual).toMatchObject({ invariant: 'I3', atMicros: json.expected.atMicros });
  });

  it('exits 0 when the violation no longer happens (the same schedule on the system without the bug)', async () => {
    const path = withChange('fixed', (json) => {
      json.bug = null;
    });
    const c = capture();
    expect(await main(['replay', path], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/fixed: I3 no longer breaks/);
  });

  it('explains the violation: the causal slice holds the messages and state changes that led to it', () => {
    const file = readTraceFile(fresh);
    const slice = replayTraceFile(file, 'slice').timeline;
    const everything = replayTraceFile(file, 'messages').timeline;
    const events = replayTraceFile(file, 'events').timeline;
    expect(events.some((e) => e.kind === 'message')).toBe(false);
    expect(slice.length).toBeLessThan(everything.length);
    // The split brain: both hosts act as primary, the lock on storage, the partition that cut them.
    expect(slice.some((e) => e.kind === 'fault' && /PARTITION/.test(e.text))).toBe(true);
    expect(slice.some((e) => e.kind === 'lock' && e.lane === 'storage')).toBe(true);
    const arrows = slice.filter((e) => e.kind === 'message' && e.from !== undefined);
    expect(arrows.length).toBeGreaterThan(0);
    for (const end of arrows) {
      // Every receiving end has its sending end, earlier, on the sender's lane, with the same number.
      const start = slice.find((e) => e.msg === end.msg && e.to === end.lane);
      expect(start?.lane).toBe(end.from);
      expect(start!.atMicros).toBeLessThanOrEqual(end.atMicros);
    }
    expect(slice.some((e) => e.text.startsWith('heartbeat'))).toBe(true);
    // The inspector's state: the first event carries it whole, and agents' protocol states appear.
    expect(Object.keys(slice[0]!.state ?? {})).not.toHaveLength(0);
    const agents = new Set(slice.flatMap((e) => Object.keys(e.state ?? {})));
    expect([...agents].filter((a) => /^h\d+\/vm1$/.test(a)).length).toBeGreaterThanOrEqual(2);
    expect(slice.at(-1)!.kind).toBe('violation');
  });

  it('draws messages as Mermaid arrows and takes --detail', async () => {
    const mermaid = join(dir, 'arrows.mmd');
    const c = capture();
    expect(await main(['replay', fresh, '--mermaid', mermaid], c.io)).toBe(1);
    const diagram = readFileSync(mermaid, 'utf8');
    expect(diagram).toMatch(/^ {2}L\d+->>L\d+: t=/m);
    expect(diagram.trimEnd().split('\n').slice(-2)[0]).toMatch(/Note over L\d+: t=.* VIOLATION I3/);
    const e = capture();
    expect(await main(['replay', fresh, '--detail', 'events', '--mermaid', mermaid], e.io)).toBe(1);
    expect(e.out.join('\n')).not.toMatch(/MESSAGE/);
    expect(readFileSync(mermaid, 'utf8')).not.toMatch(/->>/);
    const bad = capture();
    expect(await main(['replay', fresh, '--detail', 'everything'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/--detail must be one of slice\|events\|messages\|all/);
  });

  it('exits 2 on a malformed or missing file, naming the problem', async () => {
    const bad = withChange('bad', (json) => {
      json.expected.atMicros = 'soon';
    });
    const c = capture();
    expect(await main(['replay', bad], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/expected\.atMicros/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{');
    const d = capture();
    expect(await main(['replay', notJson], d.io)).toBe(2);
    expect(d.err.join('')).toMatch(/not valid JSON/);
    const e = capture();
    expect(await main(['replay', join(dir, 'missing.json')], e.io)).toBe(2);
    expect(e.err.join('')).toMatch(/cannot read/);
  });
});
