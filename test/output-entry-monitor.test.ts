// The Output Rule's safety half, judged from the log bytes (OutputEntryMonitor, I4): an engaged
// primary that releases an output before its secondary acknowledged the output's log entry — or
// before it even shipped it — is reported at the release; the monitor finds where each entry ends
// by decoding the shipped stream itself, not from the primary's bookkeeping.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { OutputEntryMonitor } from '../src/check/monitors/output-entry-monitor.ts';
import type { MonitorSink, Violation } from '../src/check/monitors/violation.ts';
import { FtVm } from '../src/cluster/ft-vm.ts';
import { encodeLog } from '../src/lockstep/log-codec.ts';
import { OutputKind } from '../src/lockstep/log-entry.ts';
import { correctStrategy } from '../src/lockstep/strategy.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

// A stream: start at 1000, a nondet read, a nic output at 1010, progress, a disk output at 1020.
const stream = encodeLog([
  { kind: 'start', instret: 1000 },
  { kind: 'nondet', instret: 1005, source: 0, value: 7 },
  { kind: 'output', instret: 1010, output: OutputKind.Nic },
  { kind: 'progress', instret: 1015 },
  { kind: 'output', instret: 1020, output: OutputKind.Disk },
]);
const nicEnd = encodeLog([
  { kind: 'start', instret: 1000 },
  { kind: 'nondet', instret: 1005, source: 0, value: 7 },
  { kind: 'output', instret: 1010, output: OutputKind.Nic },
]).length;

function monitor() {
  const reported: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
  const sink: MonitorSink = { now: () => 0, position: () => 0, report: (v) => reported.push(v) };
  const m = new OutputEntryMonitor(sink);
  m.agentState('vm1', 'h1', 'primary.alone', 'primary.engaged');
  return { m, reported };
}
const ship = (m: OutputEntryMonitor, from: number, to: number, serial = 1) =>
  m.logShipped('vm1', 'h1', serial, to, stream.subarray(from, to));
const out = (kind: 'nic' | 'disk', instret: number, serial = 1) =>
  ({ vm: 'vm1', host: 'h1', serial, kind, index: 0, instret, hash: 0, acting: true }) as const;

describe('OutputEntryMonitor', () => {
  it('reports an output released before the acknowledgement covers its entry, and only that', () => {
    const { m, reported } = monitor();
    ship(m, 0, stream.length);
    m.ackArrived('vm1', 'h1', 1, nicEnd - 1);
    m.worldOutput(out('nic', 1010));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ invariant: 'I4', host: 'h1', vm: 'vm1' });
    expect(reported[0]!.message).toBe(
      `h1, the engaged primary of vm1, released its nic output #0 (instruction 1010) before its secondary acknowledged the output's log entry (ending at byte ${nicEnd}; acknowledged through byte ${nicEnd - 1}): a failover now would lose an output the world saw`,
    );
  });

  it('accepts releases the acknowledgements cover, across segments, resends and a stale acknowledgement', () => {
    const { m, reported } = monitor();
    ship(m, 0, 5);
    ship(m, 5, nicEnd + 2);
    ship(m, 3, nicEnd + 2); // a resend after a rewind
    ship(m, nicEnd + 2, stream.length);
    m.ackArrived('vm1', 'h1', 1, nicEnd);
    m.ackArrived('vm1', 'h1', 1, 2); // late and stale
    m.worldOutput(out('nic', 1010));
    m.ackArrived('vm1', 'h1', 1, stream.length);
    m.worldOutput(out('disk', 1020));
    expect(reported).toEqual([]);
  });

  it('reports an output whose entry was never shipped', () => {
    const { m, reported } = monitor();
    ship(m, 0, nicEnd);
    m.ackArrived('vm1', 'h1', 1, nicEnd);
    m.worldOutput(out('nic', 1010));
    m.worldOutput(out('disk', 1020));
    expect(reported.map((v) => v.message)).toEqual([
      `h1, the engaged primary of vm1, released its disk output #0 (instruction 1020) whose log entry it had not sent its secondary (log sent through byte ${nicEnd}): the Output Rule lets an output out only after its entry is acknowledged`,
    ]);
  });

  it('keeps judging a primary whose secondary fell silent while it contends for the lock', () => {
    // Fault hunt 10: an agent that released held outputs in primary.acquiringLock (explore caught it;
    // in the cluster, held outputs are offered again when an acknowledgement arrives).
    const { m, reported } = monitor();
    ship(m, 0, stream.length);
    m.ackArrived('vm1', 'h1', 1, nicEnd);
    m.agentState('vm1', 'h1', 'primary.engaged', 'primary.acquiringLock');
    m.worldOutput(out('nic', 1010)); // acknowledged: the secondary has it, whoever wins
    m.worldOutput(out('disk', 1020));
    expect(reported.map((v) => v.message)).toEqual([
      `h1, the primary of vm1 contending for the lock after its secondary fell silent, released its disk output #0 (instruction 1020) before its secondary acknowledged the output's log entry (ending at byte ${stream.length}; acknowledged through byte ${nicEnd}): a failover now would lose an output the world saw`,
    ]);
  });

  it('asks nothing of a primary that is not engaged, of outputs before the stream, or of a stream it lost', () => {
    const { m, reported } = monitor();
    ship(m, 0, stream.length);
    m.worldOutput(out('nic', 900)); // produced before the stream's start
    m.agentState('vm1', 'h1', 'primary.engaged', 'primary.alone');
    m.worldOutput(out('nic', 1010)); // alone: nobody to wait for
    m.agentState('vm1', 'h1', 'primary.alone', 'primary.engaged');
    ship(m, 0, 4, 2); // instance 2: a new stream with a gap after it
    m.logShipped('vm1', 'h1', 2, stream.length, stream.subarray(10));
    m.worldOutput(out('disk', 1020, 2));
    expect(reported).toEqual([]);
  });
});

describe('OutputEntryMonitor while a new secondary syncs', () => {
  function aloneWithTarget() {
    const reported: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
    const sink: MonitorSink = { now: () => 0, position: () => 0, report: (v) => reported.push(v) };
    const m = new OutputEntryMonitor(sink);
    m.agentState('vm1', 'h1', 'idle', 'primary.alone');
    m.agentState('vm1', 'h2', 'idle', 'secondary.syncing');
    m.snapshotTaken('vm1', 'h1', 1, 'h2', 1000);
    return { m, reported };
  }

  it('judges a primary that lets out, past the snapshot, what its syncing secondary has not acknowledged', () => {
    const { m, reported } = aloneWithTarget();
    m.worldOutput(out('nic', 900)); // produced before the snapshot: the new secondary has it
    m.worldOutput(out('nic', 1005)); // nothing of the new stream sent yet
    ship(m, 0, stream.length);
    m.worldOutput(out('nic', 1010));
    expect(reported.map((v) => v.message)).toEqual([
      'h1, the primary of vm1 with a new secondary syncing from its snapshot, released its nic output #0 (instruction 1005) whose log entry it had not sent its secondary (log sent through byte 0): the Output Rule lets an output out only after its entry is acknowledged',
      `h1, the primary of vm1 with a new secondary syncing from its snapshot, released its nic output #0 (instruction 1010) before its secondary acknowledged the output's log entry (ending at byte ${nicEnd}; acknowledged through byte 0): a failover now would lose an output the world saw`,
    ]);
  });

  it('asks nothing once the target left syncing, even if it syncs again for a later spawn', () => {
    const { m, reported } = aloneWithTarget();
    ship(m, 0, stream.length);
    m.agentState('vm1', 'h2', 'secondary.syncing', 'idle');
    m.worldOutput(out('nic', 1010));
    m.agentState('vm1', 'h2', 'idle', 'secondary.syncing');
    m.worldOutput(out('disk', 1020));
    expect(reported).toEqual([]);
  });
});

describe('the Output Rule on the cluster, from the log bytes', () => {
  const ledger = new Uint8Array(readFileSync(new URL('../guests/ledger.elf', import.meta.url)));
  const schedule = parseFaultSchedule({
    version: 1,
    faults: [{ at: '0ms', kind: 'slow', host: 'secondary', factor: 20 }],
  });
  const run = (releasePolicy: (entryEnd: number) => number) =>
    runFt({
      seed: 1,
      elf: ledger,
      guest: 'ledger',
      durationUs: 600_000,
      schedule,
      stopOnViolation: true,
      strategy: { ...correctStrategy, name: 'test', releasePolicy },
    });

  it('catches a release condition 16 bytes early (an entry not wholly acknowledged) at its first release, without a failover', () => {
    const result = run((entryEnd) => entryEnd - 16);
    const i4 = result.violations.find((v) => v.invariant === 'I4');
    expect(i4?.message).toMatch(
      /released its \w+ output #\d+ .*(before its secondary acknowledged the output's log entry|whose log entry it had not sent)/,
    );
  });

  it('passes the correct release condition on the same schedule', () => {
    expect(run(correctStrategy.releasePolicy).violations).toEqual([]);
  });

  it('catches a primary that is not stunned while its snapshot goes to a new secondary, with no fault at all', () => {
    // As an independent fault hunt wrote it: the snapshot is taken but the primary runs on.
    const prototype = FtVm.prototype as unknown as Record<string, (this: FtVm, ...args: unknown[]) => void>;
    const transfer = prototype.transferSnapshot!;
    const spy = vi.spyOn(prototype, 'transferSnapshot').mockImplementation(function (this: FtVm, ...args) {
      transfer.apply(this, args);
      for (const instance of this.instances) instance.pausedForSnapshot = false;
    });
    try {
      const result = runFt({
        seed: 1,
        elf: ledger,
        guest: 'ledger',
        durationUs: 300_000,
        schedule: parseFaultSchedule({ version: 1, faults: [] }),
        stopOnViolation: true,
      });
      expect(result.violations[0]).toMatchObject({ invariant: 'I4' });
      expect(result.violations[0]!.message).toMatch(
        /with a new secondary syncing from its snapshot, released its/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
