import { describe, expect, it } from 'vitest';
import { formatTraceEntry, TRACE_VERSION, TraceRecorder } from '../src/sim/trace.ts';

describe('TraceRecorder', () => {
  it('records versioned compact entries and shows observers their positions', () => {
    const trace = new TraceRecorder(7);
    const seen: number[] = [];
    trace.observe((_entry, position) => seen.push(position));
    trace.record(0, 'fault', 'h1', { kind: 'crash' });
    trace.record(1500, 'send', 'h1->h2', { net: 'heartbeat', id: 3 });
    const json = trace.toJSON();
    expect(json.version).toBe(TRACE_VERSION);
    expect(json.seed).toBe(7);
    expect(json.entries).toEqual([
      [0, 'fault', 'h1', { kind: 'crash' }],
      [1500, 'send', 'h1->h2', { net: 'heartbeat', id: 3 }],
    ]);
    expect(seen).toEqual([0, 1]);
    expect(formatTraceEntry(json.entries[1]!)).toBe('1.500ms send h1->h2 net=heartbeat id=3');
  });
  it('stores at most entriesMax but counts and digests every entry', () => {
    const small = new TraceRecorder(1, 2);
    const large = new TraceRecorder(1, 100);
    for (let i = 0; i < 5; i++) {
      small.record(i, 'info', 'x', { i });
      large.record(i, 'info', 'x', { i });
    }
    const json = small.toJSON();
    expect(json.entries).toHaveLength(2);
    expect(json.truncated).toBe(true);
    expect(json.entriesTotal).toBe(5);
    expect(json.digest).toBe(large.digest);
    expect(large.toJSON().truncated).toBe(false);
  });
  it('digest changes with any detail of any entry', () => {
    const a = new TraceRecorder(1);
    const b = new TraceRecorder(1);
    a.record(10, 'lock', 'vm1', { generation: 2 });
    b.record(10, 'lock', 'vm1', { generation: 3 });
    expect(a.digest).not.toBe(b.digest);
  });
  it('rejects non-integer times', () => {
    expect(() => new TraceRecorder(1).record(1.5, 'info', 'x')).toThrow(/integer/);
  });
});
