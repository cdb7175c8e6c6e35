// The Output Rule's promptness half (OutputRuleMonitor, I7): an engaged primary that keeps an
// output back once its secondary acknowledged the output's log entry is reported; one that
// releases it, one still waiting for the acknowledgement, and a primary that is not engaged are not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { OutputRuleMonitor } from '../src/check/monitors/output-rule-monitor.ts';
import type { MonitorSink, Violation } from '../src/check/monitors/violation.ts';
import { correctStrategy } from '../src/lockstep/strategy.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

function monitor() {
  const reported: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
  const sink: MonitorSink = { now: () => 0, position: () => 0, report: (v) => reported.push(v) };
  const m = new OutputRuleMonitor(sink);
  m.agentState('vm1', 'h1', 'primary.alone', 'primary.engaged');
  return { m, reported };
}

const output = (serial: number) =>
  ({ vm: 'vm1', host: 'h1', serial, kind: 'nic', index: 0, instret: 0, hash: 0, acting: true }) as const;

describe('OutputRuleMonitor', () => {
  it('reports an output still held after an acknowledgement that covers its entry', () => {
    const { m, reported } = monitor();
    m.outputHeld('vm1', 'h1', 1, 100);
    m.logAcked('vm1', 'h1', 1, 100);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.invariant).toBe('I7');
    expect(reported[0]!.message).toMatch(
      /kept an output back .* through byte 100, past .*\(ending at byte 100\)/,
    );
  });

  it('accepts an output released on its acknowledgement, and one still waiting for it', () => {
    const { m, reported } = monitor();
    m.outputHeld('vm1', 'h1', 1, 100);
    m.outputHeld('vm1', 'h1', 1, 250);
    m.worldOutput(output(1));
    m.logAcked('vm1', 'h1', 1, 249);
    expect(reported).toEqual([]);
    m.logAcked('vm1', 'h1', 1, 250);
    expect(reported).toHaveLength(1);
  });

  it('asks nothing of a primary that is not engaged, nor of an instance that is gone', () => {
    const { m, reported } = monitor();
    m.outputHeld('vm1', 'h1', 1, 100);
    m.agentState('vm1', 'h1', 'primary.engaged', 'primary.acquiringLock');
    m.logAcked('vm1', 'h1', 1, 500);
    m.agentState('vm1', 'h1', 'primary.acquiringLock', 'halted');
    m.agentState('vm1', 'h1', 'halted', 'primary.engaged');
    m.logAcked('vm1', 'h1', 1, 500);
    expect(reported).toEqual([]);
  });
});

describe('the Output Rule on the cluster', () => {
  const ledger = new Uint8Array(readFileSync(new URL('../guests/ledger.elf', import.meta.url)));
  // A slow primary ships short segments and a secondary 1000× slower acknowledges each on its own,
  // so an acknowledgement can end exactly where an output's entry does (the fuzzer's shrunk
  // schedule for an off-by-one release condition; without the slowdowns the log runs on past
  // every output before the secondary acknowledges it, and the bug has no effect).
  const schedule = parseFaultSchedule({
    version: 1,
    faults: [
      { at: '0ms', kind: 'slow', host: 'primary', factor: 6 },
      { at: '0ms', kind: 'slow', host: 'secondary', factor: 1000 },
    ],
  });
  const run = (releasePolicy: (entryEnd: number) => number) =>
    runFt({
      seed: 1,
      elf: ledger,
      guest: 'ledger',
      durationUs: 1_500_000,
      schedule,
      stopOnViolation: true,
      strategy: { ...correctStrategy, name: 'test', releasePolicy },
    });

  it('catches a release condition off by one (an output waits for one byte more)', () => {
    const result = run((entryEnd) => entryEnd + 1);
    const i7 = result.violations.find((v) => v.invariant === 'I7');
    expect(i7?.message).toMatch(/the Output Rule delays an output until its entry is acknowledged/);
  });

  it('passes the correct release condition on the same schedule', () => {
    expect(run(correctStrategy.releasePolicy).violations).toEqual([]);
  });
});
