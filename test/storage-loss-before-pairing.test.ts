// A primary that loses every storage path while it is still alone has nobody to fail over to and
// carries on; once a secondary pairs with it, the host still has no storage and must act on it
// (halt, so the secondary goes live). Found by an independent fault hunt: the correct system
// stalled for good after `hba-fail primary all` at 0 ms, and I7 never looked again once the
// secondary learned its lock generation (no observer event): it now re-evaluates who can serve
// every 10 ms of simulated time. I5's resumption clock, too, starts from the pairing (the
// primary's loss is a state, not only a fault's instant).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { type FtRunOptions, runFt } from '../src/check/monitors/ft-run.ts';
import { cloneConfig, rebuild, type StateConfig, stateAt } from '../src/check/mutate/machine-config.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function run(behaviour = correctBehaviour, options: Partial<FtRunOptions> = {}) {
  return runFt({
    ...options,
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 4_000_000,
    config: { hosts: 3 },
    behaviour,
    schedule: parseFaultSchedule({
      version: 1,
      faults: [{ at: '0ms', kind: 'hba-fail', host: 'primary', path: 'all' }],
    }),
  });
}

describe('storage lost before the pair forms', () => {
  it('the primary halts once paired; the secondary serves and is protected again', () => {
    const result = run();
    expect(result.violations).toEqual([]);
    expect(result.failovers).toBe(1);
    expect(result.vms[0]).toMatchObject({ primary: 'h2', protected: true });
  });

  it('a host that never reports its storage lost owes a go-live from the pairing (I5) and leaves the clients unanswered (I7)', () => {
    const result = run({ ...correctBehaviour, name: 'storage-never-lost', storageLost: () => false });
    const [i5, i7] = ['I5', 'I7'].map((id) => result.violations.find((v) => v.invariant === id));
    expect(i5?.message).toMatch(/vm1 had no live primary 1000 ms after losing it on h1/);
    expect(i7?.message).toMatch(/c1's request #0 to vm1 .* although h2 could serve it/);
  });

  it('an agent that halts its only copy (primary alone) on the storage loss destroys the VM: I8', () => {
    const config = cloneConfig(agentMachine.config as StateConfig);
    const alone = stateAt(config, ['primary', 'alone']);
    alone.on = { ...alone.on, STORAGE_LOST: { target: '#agent.halted', actions: 'halt' } };
    const result = run(correctBehaviour, { agentMachine: rebuild(agentMachine, config) });
    expect(result.violations[0]?.invariant).toBe('I8');
    expect(result.violations[0]?.message).toMatch(
      /h1 halted vm1 \(primary\.alone\) on STORAGE_LOST with no engaged secondary to take over: the VM's only copy is lost/,
    );
  });
});
