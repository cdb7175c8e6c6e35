// I3 on the world's outputs: a superseded primary that emits output past its successor's replayed
// history is a second execution speaking (split brain); an output the successor had already
// replayed (and suppressed) is the Output Rule's tail — acknowledged before the takeover, let out
// late by an old primary that has not noticed yet — and belongs to the one execution. Found by the
// gate on the correct system under a logging delay longer than the detection timeout.
import { describe, expect, it } from 'vitest';
import { SplitBrainMonitor } from '../src/check/monitors/split-brain-monitor.ts';
import type { WorldOutput } from '../src/cluster/observer.ts';

function monitor() {
  const reports: string[] = [];
  const sink = {
    now: () => 0,
    position: () => 0,
    report: (v: { message: string }) => reports.push(v.message),
  };
  return { reports, monitor: new SplitBrainMonitor(sink) };
}

const nic = (host: string, index: number): WorldOutput => ({
  vm: 'vm1',
  host,
  serial: 1,
  kind: 'nic',
  index,
  instret: index * 100,
  hash: index,
  acting: true,
});

const produced = { nic: 3, console: 0, disk: 0 };

describe('SplitBrainMonitor', () => {
  it('lets a superseded primary release an output its successor had replayed', () => {
    const { reports, monitor: m } = monitor();
    for (const i of [0, 1]) m.worldOutput(nic('h1', i));
    m.wentLive('vm1', 'h2', produced, true);
    m.worldOutput(nic('h2', 3));
    m.worldOutput(nic('h1', 2));
    m.worldOutput(nic('h2', 4));
    expect(reports).toEqual([]);
  });

  it('reports a superseded primary emitting past its successor’s replayed history', () => {
    const { reports, monitor: m } = monitor();
    for (const i of [0, 1]) m.worldOutput(nic('h1', i));
    m.wentLive('vm1', 'h2', produced, true);
    m.worldOutput(nic('h2', 3));
    m.worldOutput(nic('h1', 3));
    expect(reports).toEqual([
      'h1 emitted nic output #3 of vm1 after h2 had taken over as primary: two primaries were live',
    ]);
  });
});
