import { describe, expect, it } from 'vitest';
import {
  checkScheduleAgainstCluster,
  parseFaultSchedule,
  parseFaultScheduleText,
} from '../src/sim/fault-schedule.ts';

function errorOf(json: unknown): string {
  try {
    parseFaultSchedule(json);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the schedule to be rejected');
}

const fault = (f: Record<string, unknown>) => ({ version: 1, faults: [f] });

describe('fault schedule', () => {
  it('accepts every kind and sorts by time, ties in file order', () => {
    const schedule = parseFaultSchedule({
      version: 1,
      faults: [
        { at: '2s', kind: 'repair', host: 'h1' },
        { at: '250ms', kind: 'crash', host: 'primary' },
        { at: '250ms', kind: 'power-off-rack', rack: 'r2' },
        { at: '1s', kind: 'partition', network: 'logging', between: ['h1', 'h2'] },
        { at: '1s', kind: 'heal', network: 'logging' },
        { at: '1s', kind: 'hba-fail', host: 'h2', path: 'all' },
        { at: '1s', kind: 'nic-fail', host: 'h2', path: 0, network: 'logging' },
        { at: '1s', kind: 'slow', host: 'secondary', vm: 'vm2', factor: 4 },
        { at: '500us', kind: 'delay', network: 'client', host: 'h3', ms: 20 },
        { at: '1s', kind: 'loss', network: 'heartbeat', rate: 0.5 },
        { at: '1s', kind: 'duplicate', network: 'client', rate: 0.1 },
      ],
    });
    expect(schedule.faults.map((f) => `${f.atUs}:${f.kind}`)).toEqual([
      '500:delay',
      '250000:crash',
      '250000:power-off-rack',
      '1000000:partition',
      '1000000:heal',
      '1000000:hba-fail',
      '1000000:nic-fail',
      '1000000:slow',
      '1000000:loss',
      '1000000:duplicate',
      '2000000:repair',
    ]);
  });
  it('names the bad field', () => {
    expect(
      errorOf({
        version: 1,
        faults: [
          { at: '1s', kind: 'crash', host: 'h1' },
          { at: '1s', kind: 'crash', host: 'h2' },
          { at: '1s', kind: 'partition', network: 'disk', host: 'h1' },
        ],
      }),
    ).toBe('faults[2].network: expected one of logging|heartbeat|client|storage');
    expect(errorOf({ version: 2, faults: [] })).toBe('version: expected 1');
    expect(errorOf(fault({ at: '1 s', kind: 'crash', host: 'h1' }))).toMatch(
      /^faults\[0\]\.at: expected a duration/,
    );
    expect(errorOf(fault({ at: '1s', kind: 'boom', host: 'h1' }))).toMatch(
      /^faults\[0\]\.kind: expected one of crash\|/,
    );
    expect(errorOf(fault({ at: '1s', kind: 'crash' }))).toBe('faults[0].host: missing (expected string)');
    expect(errorOf(fault({ at: '1s', kind: 'crash', host: 'x1' }))).toMatch(
      /^faults\[0\]\.host: expected h1…hN/,
    );
    expect(errorOf(fault({ at: '1s', kind: 'crash', host: 'h1', extra: 1 }))).toBe(
      "faults[0]: unknown field 'extra'",
    );
    expect(errorOf(fault({ at: '1s', kind: 'hba-fail', host: 'h1', path: 2 }))).toBe(
      'faults[0].path: expected 0, 1 or "all"',
    );
    expect(errorOf(fault({ at: '1s', kind: 'slow', host: 'h1', factor: 'x' }))).toBe(
      'faults[0].factor: expected number, got string',
    );
    expect(errorOf(fault({ at: '1s', kind: 'loss', network: 'client', rate: 2 }))).toMatch(
      /^faults\[0\]\.rate: /,
    );
    expect(errorOf(fault({ at: '1s', kind: 'partition', network: 'client' }))).toMatch(
      /^faults\[0\]\.between: /,
    );
    expect(errorOf(fault({ at: '1s', kind: 'heal', network: 'client', between: ['h1', 'h1'] }))).toMatch(
      /^faults\[0\]\.between: the two hosts must differ/,
    );
    expect(errorOf([])).toBe('schedule: expected object, got array');
    expect(() => parseFaultScheduleText('{')).toThrow(/^schedule: not valid JSON/);
  });
  it('checks host and rack names against the cluster', () => {
    const schedule = parseFaultSchedule({
      version: 1,
      faults: [{ at: '1s', kind: 'partition', network: 'logging', between: ['h1', 'h4'] }],
    });
    expect(() => checkScheduleAgainstCluster(schedule, 3, 1, ['vm1'])).toThrow(
      'faults[0].between[1]: h4 does not exist (the cluster has 3 hosts)',
    );
    expect(() => checkScheduleAgainstCluster(schedule, 4, 1, ['vm1'])).not.toThrow();
    const racks = parseFaultSchedule(fault({ at: '1s', kind: 'power-off-rack', rack: 'r3' }));
    expect(() => checkScheduleAgainstCluster(racks, 4, 2, ['vm1'])).toThrow(
      /faults\[0\]\.rack: r3 does not exist/,
    );
  });
  it('refuses a fault naming a VM the cluster does not run', () => {
    const schedule = parseFaultSchedule(fault({ at: '1s', kind: 'crash', host: 'primary', vm: 'vm99' }));
    expect(() => checkScheduleAgainstCluster(schedule, 3, 1, ['vm1', 'vm2'])).toThrow(
      'faults[0].vm: vm99 does not exist (the cluster runs vm1, vm2)',
    );
    const ok = parseFaultSchedule(fault({ at: '1s', kind: 'crash', host: 'primary', vm: 'vm2' }));
    expect(() => checkScheduleAgainstCluster(ok, 3, 1, ['vm1', 'vm2'])).not.toThrow();
  });
  it('names an unknown field a typo left, with the field it was meant to be', () => {
    expect(errorOf(fault({ at: '1s', kind: 'crash', hots: 'h1' }))).toBe(
      "faults[0].host: missing (expected string); faults[0]: unknown field 'hots' (did you mean 'host'?)",
    );
  });
  it('tolerates a byte-order mark before the JSON', () => {
    const text = `\ufeff${JSON.stringify(fault({ at: '1s', kind: 'crash', host: 'h1' }))}`;
    expect(parseFaultScheduleText(text).faults).toHaveLength(1);
  });
});
