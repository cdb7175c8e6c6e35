// A stall explains itself: the report of a request nobody answered (I7) or a recovery that did not
// come (I5) says where each instance of the VM stood (stall-diagnosis.ts), so the reader sees the
// cause without reading thousands of trace lines.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { readTraceFile } from '../src/check/trace-file.ts';
import { keepsUnpairedStreams, supersedeSpec } from './fixtures/supersede-spec.ts';

describe('a stalled VM is described where it stands', () => {
  it('I7: a primary holding its outputs for a secondary that died names what it waits for', () => {
    const file = readTraceFile(
      join('test/fixtures/counterexamples/bugs', 'primary-ignores-silent-secondary.json'),
    );
    const { violation } = replayTraceFile(file);
    expect(violation?.invariant).toBe('I7');
    expect(violation?.message).toMatch(
      /\. At [\d.]+ ms: h1 \(primary\.engaged\) holds \d+ outputs for the Output Rule, the oldest waiting for log byte (\d+); h2 has acknowledged (\d+) of the \d+ bytes sent/,
    );
    const [, waitsFor, acked] = /waiting for log byte (\d+); h2 has acknowledged (\d+)/.exec(
      violation!.message,
    )!;
    expect(Number(waitsFor)).toBeGreaterThan(Number(acked));
    expect(violation?.message).toMatch(/h2 \(failed, down\) holds no VM; the HA service is watching$/);
  });

  it('I5: a primary stunned for a snapshot to a target that will never pair says so', () => {
    const result = runFt({ ...runOptionsOf(supersedeSpec, null), behaviour: keepsUnpairedStreams });
    expect(result.violations[0]?.message).toMatch(
      /not protected again .*\. At [\d.]+ ms: .*h2 \(primary\.alone\) .*is stunned for its snapshot to h1.*; the HA service is spawning$/,
    );
  });
});
