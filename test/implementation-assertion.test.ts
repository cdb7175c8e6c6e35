// I0: an exception escaping the system under test is a violation with its time and host, not a
// crash of the checker; an exception escaping a monitor is a CheckerError (exit 3 territory); a
// livelocked system stops at its event allowance and is reported too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { guardObserver } from '../src/check/monitors/checker-error.ts';
import { buildCluster, eventsAllowance, runCluster, runFt } from '../src/check/monitors/ft-run.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
const base = { seed: 3, elf: kvstore, guest: 'kvstore', durationUs: 600_000 } as const;

describe('I0 implementation assertions', () => {
  it('a protocol action that throws is an I0 violation naming the host, time and message', () => {
    const broken = agentMachine.provide({
      actions: {
        testAndSet: () => {
          throw new Error('lock generation went backwards');
        },
      },
    });
    const result = runFt({
      ...base,
      agentMachine: broken,
      schedule: parseFaultSchedule({ version: 1, faults: [{ at: '100ms', kind: 'crash', host: 'h1' }] }),
    });
    const violation = result.violations.find((v) => v.invariant === 'I0');
    expect(violation).toBeDefined();
    expect(violation!.message).toMatch(/lock generation went backwards/);
    expect(violation!.message).toMatch(/h2\/vm1/);
    expect(violation!.host).toBe('h2');
    expect(violation!.timeUs).toBeGreaterThan(100_000);
    expect(result.verdicts.I0).toBe('violated');
  });

  it('the correct system raises no I0', () => {
    const result = runFt({ ...base });
    expect(result.verdicts.I0).toBe('hold');
  });

  it('an exception from a monitor is a CheckerError, not a finding about the system', () => {
    const { cluster, monitors } = buildCluster({ ...base });
    const broken = {
      worldOutput: () => {
        throw new Error('monitor bug');
      },
    };
    cluster.observers.push(guardObserver(broken, 'BrokenMonitor'));
    expect(() => runCluster(cluster, monitors, base.durationUs)).toThrow(
      /monitor BrokenMonitor.worldOutput failed: monitor bug/,
    );
    expect(() => runFt({ ...base, agentMachine: undefined })).not.toThrow();
  });

  it('a livelock stops at the event allowance and is reported as I0', () => {
    const { cluster, monitors } = buildCluster({ ...base });
    const spin = (): void => {
      cluster.sim.after(0, spin);
    };
    cluster.sim.at(50_000, spin);
    const stop = runCluster(cluster, monitors, base.durationUs);
    expect(stop).toBe('events-max');
    const violation = monitors.violations().find((v) => v.invariant === 'I0');
    expect(violation?.message).toMatch(/livelocked/);
    expect(violation?.timeUs).toBe(50_000);
    expect(cluster.sim.eventsFired).toBe(eventsAllowance(base.durationUs));
  });
});
