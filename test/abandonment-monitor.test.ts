// I5, the survivor's half: the last copy of a VM is never dropped by choice. A survivor whose
// test-and-set goes unanswered (its storage path cut for a while) that gives up instead of
// retrying loses the VM, and no other check demands service from a VM nobody holds.
import { describe, expect, it } from 'vitest';
import { findModelMutant } from '../src/check/mutate/model-mutants.ts';
import { runScenario } from './ft-scenario.ts';

// The primary dies while its secondary's storage path is cut; the cut heals half a second later.
const survivorCut = [
  { at: '300ms', kind: 'partition', network: 'storage', host: 'secondary' },
  { at: '310ms', kind: 'crash', host: 'primary' },
  { at: '800ms', kind: 'heal', network: 'storage' },
];
const dropped = (result: ReturnType<typeof runScenario>) =>
  result.violations.filter((v) => /while it held the VM's last copy/.test(v.message));

describe('abandonment monitor (I5: the last copy is never dropped by choice)', () => {
  it('reports a survivor that gives up when its test-and-set goes unanswered', () => {
    const givesUp = findModelMutant(
      'agent~retarget~secondary.goingLive.acquiringLock~STORAGE_UNREACHABLE.0~idle',
    );
    const [violation] = dropped(runScenario(survivorCut, { agentMachine: givesUp!.build() }));
    expect(violation?.invariant).toBe('I5');
    expect(violation?.message).toMatch(
      /^h\d dropped vm1 \(secondary\.goingLive\.acquiringLock → idle\) while it held the VM's last copy/,
    );
  });

  it('reports a primary that gives up when its secondary fails while its own storage is cut', () => {
    // The fuzz campaign's shrunk counterexample of this mutant (a survivor's storage cut as its
    // peer fails): the primary, alone now, cannot reach the array and drops the VM.
    const givesUp = findModelMutant('agent~retarget~primary.acquiringLock~STORAGE_UNREACHABLE.0~idle');
    const faults = [
      { at: '0ms', kind: 'partition', network: 'storage', host: 'primary' },
      { at: '10ms', kind: 'crash', host: 'secondary' },
    ];
    const [violation] = dropped(runScenario(faults, { agentMachine: givesUp!.build() }));
    expect(violation?.message).toMatch(
      /^h\d dropped vm1 \(primary\.acquiringLock → idle\) while it held the VM's last copy/,
    );
    expect(dropped(runScenario([...faults, { at: '900ms', kind: 'heal', network: 'storage' }]))).toEqual([]);
  });

  it('passes the correct survivor, which keeps trying and goes live once the cut heals', () => {
    const result = runScenario(survivorCut);
    expect(result.violations).toEqual([]);
    expect(result.failovers).toBe(1);
  });

  it('lets the loser of a lock race give way (the array refused it) without a report', () => {
    // Both halves of a pair cut from each other race for the lock: one wins, the other halts.
    const result = runScenario([
      { at: '300ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
      { at: '300ms', kind: 'partition', network: 'heartbeat', between: ['primary', 'secondary'] },
    ]);
    expect(dropped(result)).toEqual([]);
  });
});
