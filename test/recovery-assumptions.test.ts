// I5's stated environment properties must not excuse a re-protection that never happens: with a
// healthy spare in place for longer than the bound, an HA service that never uses it is reported —
// also when the spare's logging link is slower, but still inside the stated property.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haMachine } from '../models/haService.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
const neverSpawns = haMachine.provide({ guards: { hostEligible: () => false } });

function run(faults: unknown[], haMachineOption = neverSpawns) {
  return runFt({
    seed: 5,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 2_500_000,
    config: { hosts: 3, reprotectBoundUs: 800_000 },
    haMachine: haMachineOption,
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
}

describe('I5 assumptions do not excuse a missing re-protection', () => {
  it('an HA service that never uses a healthy spare is reported', () => {
    const result = run([]);
    const violation = result.violations.find((v) => v.invariant === 'I5');
    expect(violation?.message).toMatch(/was not protected again within 800 ms although a spare host exists/);
  });

  it('also after a failure, with the spare on a logging link slower but inside the stated property', () => {
    // 80 ms each way: a 160 ms round trip, under half the 400 ms detection timeout.
    const result = run([
      { at: '0ms', kind: 'delay', network: 'logging', between: ['h1', 'h3'], ms: 80 },
      { at: '0ms', kind: 'delay', network: 'logging', between: ['h2', 'h3'], ms: 80 },
    ]);
    expect(result.violations.map((v) => v.invariant)).toContain('I5');
  });

  it('the correct HA service re-protects under the same schedule', () => {
    const result = run(
      [
        { at: '0ms', kind: 'delay', network: 'logging', between: ['h1', 'h3'], ms: 80 },
        { at: '300ms', kind: 'crash', host: 'h2' },
      ],
      haMachine,
    );
    expect(result.violations).toEqual([]);
    expect(result.vms[0]!.protected).toBe(true);
  });

  it('does not charge the time no spare existed to a re-protection a repair makes possible', () => {
    // Two hosts, no clients (no outputs that would make the monitor look in between): h1 is down
    // from 460 ms to 1760 ms, so there is no spare until the repair; the bound starts there.
    const result = runFt({
      seed: 0,
      elf: kvstore,
      guest: 'kvstore',
      durationUs: 3_760_000,
      clientsPerVm: 0,
      config: { hosts: 2, reprotectBoundUs: 800_000 },
      schedule: parseFaultSchedule({
        version: 1,
        faults: [
          { at: '10ms', kind: 'crash', host: 'h1' },
          { at: '110ms', kind: 'repair', host: 'h1' },
          { at: '460ms', kind: 'crash', host: 'h1' },
          { at: '1760ms', kind: 'repair', host: 'h1' },
        ],
      }),
    });
    expect(result.violations).toEqual([]);
  });
});
