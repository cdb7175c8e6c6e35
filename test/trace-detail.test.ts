// Trace detail levels only observe: the same run at 'events', 'messages' and 'all' does the same
// thing (same verdicts, violations, client views, events fired), and the entries of a lower
// level are exactly the higher level's entries of those kinds, in the same order at the same
// times. 'events' records no per-message entries at all (what keeps fuzzing cheap).
import { describe, expect, it } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { type FtRunResult, runFt } from '../src/check/monitors/ft-run.ts';
import { readTraceFile } from '../src/check/trace-file.ts';
import type { TraceDetailName, TraceEntry } from '../src/sim/trace.ts';

const FIXTURE = 'test/fixtures/counterexamples/go-live-without-test-and-set-seed3.json';

function runAt(detail: TraceDetailName): FtRunResult {
  const file = readTraceFile(FIXTURE);
  return runFt({ ...runOptionsOf(file.run, file.bug, detail), checkDeterminism: false });
}

/** What a run did, apart from its trace (a violation's trace position indexes its own trace). */
function behaviour(result: FtRunResult) {
  const { trace: _trace, violations, ...rest } = result;
  return { ...rest, violations: violations.map(({ tracePosition: _p, ...v }) => v) };
}

const key = (entry: TraceEntry) => JSON.stringify(entry);

describe('trace detail levels', () => {
  const events = runAt('events');
  const messages = runAt('messages');
  const all = runAt('all');

  it('never change what a run does', () => {
    expect(events.violations.length).toBeGreaterThan(0);
    expect(behaviour(messages)).toEqual(behaviour(events));
    expect(behaviour(all)).toEqual(behaviour(events));
    expect([events.trace.detail, messages.trace.detail, all.trace.detail]).toEqual([
      'events',
      'messages',
      'all',
    ]);
  });

  it('record fewer entries at lower levels, none per message at events', () => {
    expect(events.trace.entriesTotal).toBeLessThan(messages.trace.entriesTotal / 10);
    expect(messages.trace.entriesTotal).toBeLessThanOrEqual(all.trace.entriesTotal);
    const kinds = new Set(events.trace.entries.map((e) => e[1]));
    for (const kind of ['send', 'recv', 'drop', 'dup', 'output', 'client'] as const) {
      expect(kinds.has(kind)).toBe(false);
    }
    const messageKinds = new Set(messages.trace.entries.map((e) => e[1]));
    for (const kind of ['send', 'recv', 'output', 'client', 'lock', 'state', 'fault'] as const) {
      expect(messageKinds.has(kind)).toBe(true);
    }
  });

  it('keep a lower level’s entries as a subsequence of a higher level’s', () => {
    const isSubsequence = (small: TraceEntry[], big: TraceEntry[]) => {
      let j = 0;
      for (const entry of big) if (j < small.length && key(small[j]!) === key(entry)) j++;
      return j === small.length;
    };
    expect(isSubsequence(events.trace.entries, messages.trace.entries)).toBe(true);
    // 'all' only adds payload fields to client answers; every other entry is the same.
    const withoutClient = (entries: TraceEntry[]) => entries.filter((e) => e[1] !== 'client');
    expect(withoutClient(all.trace.entries)).toEqual(withoutClient(messages.trace.entries));
  });

  it('says at messages level what the Output Rule and the log were doing', () => {
    const log = messages.trace.entries.find((e) => e[1] === 'send' && e[3].msg === 'log');
    expect(log?.[3]).toMatchObject({ net: 'logging', from: expect.any(Number), to: expect.any(Number) });
    const ack = messages.trace.entries.find((e) => e[1] === 'send' && e[3].msg === 'ack');
    expect(ack?.[3]).toMatchObject({ acked: expect.any(Number), replayed: expect.any(Number) });
    const release = messages.trace.entries.find((e) => e[1] === 'output' && e[3].op === 'release');
    expect(release?.[3]).toMatchObject({ entry: expect.any(Number), acting: true });
  });
});
