// The lock and the fence judged at the storage array: the monitor keeps its own lock from the
// operations the array ran and reports an array that grants a stale claimant, accepts a write of a
// superseded generation (I3), or fences the current owner's write (I4); a correct array passes.
import { describe, expect, it } from 'vitest';
import { StorageFenceMonitor } from '../src/check/monitors/storage-fence-monitor.ts';
import type { MonitorSink, Violation } from '../src/check/monitors/violation.ts';
import type { Cluster } from '../src/cluster/cluster.ts';

function monitor() {
  const reports: Omit<Violation, 'timeUs' | 'tracePosition'>[] = [];
  const sink = {
    report: (v: (typeof reports)[number]) => reports.push(v),
    now: () => 0,
  } as unknown as MonitorSink;
  const cluster = { vms: [{ name: 'vm1', spec: { ft: true, primaryHost: 'h1' } }] } as unknown as Cluster;
  return { fence: new StorageFenceMonitor(sink, cluster), reports };
}

describe('storage fence monitor', () => {
  it('passes what a correct array does: a failover, a retried grant, a stale write fenced', () => {
    const { fence, reports } = monitor();
    fence.storageWrite('vm1', 'h1', 1, true);
    fence.storageLock('vm1', 'h2', 1, true, 2);
    fence.storageLock('vm1', 'h2', 1, true, 2); // the winner's retry after a lost reply
    fence.storageLock('vm1', 'h1', 1, false, 2); // the loser
    fence.storageWrite('vm1', 'h1', 1, false); // the old primary is fenced
    fence.storageWrite('vm1', 'h2', 2, true);
    expect(reports).toEqual([]);
  });

  it('reports a write of a superseded generation that the array accepted (I3)', () => {
    const { fence, reports } = monitor();
    fence.storageLock('vm1', 'h2', 1, true, 2);
    fence.storageWrite('vm1', 'h1', 1, true);
    expect(reports.map((r) => r.invariant)).toEqual(['I3']);
    expect(reports[0]!.message).toMatch(
      /accepted a write to vm1's disk from h1 at generation 1 after h2 had won generation 2/,
    );
  });

  it('reports a lock granted to a claimant with a stale generation (I3)', () => {
    const { fence, reports } = monitor();
    fence.storageLock('vm1', 'h2', 1, true, 2);
    fence.storageLock('vm1', 'h3', 1, true, 3);
    expect(reports.map((r) => r.invariant)).toEqual(['I3']);
  });

  it("reports the current owner's write fenced (I4)", () => {
    const { fence, reports } = monitor();
    fence.storageWrite('vm1', 'h1', 1, false);
    expect(reports.map((r) => r.invariant)).toEqual(['I4']);
  });
});
