// The log channel's flow control is live (LogFlowMonitor, I7): written log that fits the window
// the secondary advertised is sent within two heartbeat intervals. Fault hunt 6 wrote a sender that
// takes an acknowledgement only when it acknowledges new bytes, so a window reopened by replay
// (same bytes received, buffer drained) is ignored and the stream stops for good; with a secondary
// slowed ×100, nothing else reported it. Seeded here by replacing LogSender.onAck in the test.
// Its safety half: a segment never overruns the secondary's receive buffer (hunt 10's window that
// ignored the bytes already buffered), seeded by replacing LogReceiver.ack.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { LogFlowMonitor } from '../src/check/monitors/log-flow-monitor.ts';
import type { MonitorSink, Violation } from '../src/check/monitors/violation.ts';
import type { Cluster } from '../src/cluster/cluster.ts';
import { type LogAck, LogReceiver, LogSender } from '../src/lockstep/log-channel.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

function monitor() {
  let now = 0;
  const reported: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
  const sink: MonitorSink = { now: () => now, position: () => 0, report: (v) => reported.push(v) };
  const cluster = { config: { heartbeatIntervalUs: 50_000, sliceUs: 1_000 } } as unknown as Cluster;
  const m = new LogFlowMonitor(sink, cluster);
  m.agentState('vm1', 'h1', 'primary.alone', 'primary.engaged');
  return { m, reported, at: (us: number) => (now = us) };
}

describe('LogFlowMonitor', () => {
  it('reports sendable log left unsent past two heartbeat intervals', () => {
    const { m, reported, at } = monitor();
    m.logShipped('vm1', 'h1', 1, 1000);
    at(10_000);
    m.logAcked('vm1', 'h1', 1, 1000, 5000, 3000); // room up to 6000, 3000 written, 1000 sent
    at(60_000);
    m.logAcked('vm1', 'h1', 1, 1000, 5000, 3000);
    expect(reported).toEqual([]);
    at(112_000);
    m.logAcked('vm1', 'h1', 1, 1000, 5000, 3000);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.message).toMatch(/sent no log past byte 1000 for 102\.0 ms .* room up to byte 6000/);
  });

  it('accepts a primary that sends, one whose window is closed, and one that is not engaged', () => {
    const { m, reported, at } = monitor();
    m.logAcked('vm1', 'h1', 1, 0, 1000, 3000);
    at(60_000);
    m.logShipped('vm1', 'h1', 1, 1000); // sent what the window allowed
    at(200_000);
    m.logAcked('vm1', 'h1', 1, 1000, 0, 3000); // buffer full: no room
    at(400_000);
    m.logAcked('vm1', 'h1', 1, 1000, 0, 3000);
    m.agentState('vm1', 'h1', 'primary.engaged', 'primary.acquiringLock');
    m.logAcked('vm1', 'h1', 1, 1000, 9000, 3000);
    at(600_000);
    m.logAcked('vm1', 'h1', 1, 1000, 9000, 3000);
    expect(reported).toEqual([]);
  });
});

describe('the log channel on the cluster', () => {
  const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
  // A small log buffer and a secondary slowed ×100: the primary fills the window during the boot's
  // disk reads, and only acknowledgements that reopen it (no new bytes) let it go on.
  const run = () =>
    runFt({
      seed: 0,
      elf: kvstore,
      guest: 'kvstore',
      durationUs: 1_000_000,
      config: { hosts: 2, racks: 1, logBufferBytes: 40_000, logSegmentBytes: 518, replayLookaheadEntries: 1 },
      clientOptions: { intervalUs: 5_000 },
      schedule: parseFaultSchedule({
        version: 1,
        faults: [{ at: '0ms', kind: 'slow', host: 'secondary', factor: 100 }],
      }),
      stopOnViolation: true,
    });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a sender that ignores acknowledgements which only reopen the window', () => {
    const original = LogSender.prototype.onAck;
    vi.spyOn(LogSender.prototype, 'onAck').mockImplementation(function (this: LogSender, ack: LogAck) {
      // The fault: an acknowledgement of no new bytes is dropped whole, window and all.
      if (ack.receivedBytes > this.ackedOffset) original.call(this, ack);
    });
    const i7 = run().violations.find((v) => v.invariant === 'I7');
    expect(i7?.message).toMatch(/sent no log past byte \d+ .* the stream stopped while the secondary waited/);
  });

  it('catches a window that ignores what the secondary already holds: the primary overruns its buffer', () => {
    // Fault hunt 10: the receiver advertises its whole buffer as room, so the primary sends past
    // what fits; the secondary keeps what fits and drops the rest, and nothing else saw it.
    vi.spyOn(LogReceiver.prototype, 'ack').mockImplementation(function (this: LogReceiver, replayedInstret) {
      return { receivedBytes: this.receivedBytes, windowBytes: this.bufferBytesMax, replayedInstret };
    });
    const i7 = run().violations.find((v) => v.invariant === 'I7');
    expect(i7?.message).toMatch(
      /h2, the secondary of vm1, was sent log up to byte \d+ but had room only up to byte \d+ \(receive buffer 40000 bytes\)/,
    );
  });

  it('passes the correct sender on the same run', () => {
    expect(run().violations).toEqual([]);
  });
});
