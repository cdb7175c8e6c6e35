// I5, the redundancy's substance: a role that holds the VM is taken up only with the VM's state.
// A secondary gets it only from its primary's snapshot (and replays its primary's log stream); a
// primary either was one, or went live from such a secondary, or powers the VM on. An agent that
// claims the role without the state stands for redundancy that is not there.
import { describe, expect, it } from 'vitest';
import { findModelMutant } from '../src/check/mutate/model-mutants.ts';
import { runScenario } from './ft-scenario.ts';

const claims = (result: ReturnType<typeof runScenario>) =>
  result.violations.filter((v) => /a role that holds the VM needs its state/.test(v.message));
const mutant = (id: string) => {
  const found = findModelMutant(id);
  if (found === undefined) throw new Error(`no model mutant ${id}`);
  return found.build();
};

describe('replica monitor (I5: a role that holds the VM holds its state)', () => {
  it('reports an agent that powers on as a secondary in lockstep, with no primary to clone', () => {
    const result = runScenario([], {
      agentMachine: mutant('agent~retarget~idle~POWER_ON.0~secondary.engaged'),
    });
    const [violation] = claims(result);
    expect(violation?.invariant).toBe('I5');
    expect(violation?.message).toMatch(
      /^h\d became secondary\.engaged of vm1 \(from idle on POWER_ON\) with no VM/,
    );
  });

  // The logging link from the primary to its first secondary is cut from the start: the snapshot
  // never arrives, the spawn times out, and the syncing secondary is told its primary is silent.
  const snapshotLost = [
    { at: '0ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
  ];

  it('reports a spawned secondary that engages although its snapshot never came', () => {
    const result = runScenario(snapshotLost, {
      agentMachine: mutant('agent~retarget~secondary.syncing~PEER_SILENT.0~secondary.engaged'),
    });
    const [violation] = claims(result);
    expect(violation?.invariant).toBe('I5');
    expect(violation?.message).toMatch(
      /^h\d became secondary\.engaged of vm1 \(from secondary\.syncing on PEER_SILENT\) with no VM restored/,
    );
  });

  it('reports a spawned secondary that tries the lock as a primary with no VM on its host', () => {
    const result = runScenario(snapshotLost, {
      agentMachine: mutant('agent~retarget~secondary.syncing~PEER_SILENT.0~primary.acquiringLock'),
    });
    const [violation] = claims(result);
    expect(violation?.message).toMatch(
      /became primary\.acquiringLock of vm1 .* without the VM's state on its host/,
    );
  });

  it('reports a primary that lost the lock race and turns into a secondary going live', () => {
    // Both halves, cut from each other, race for the lock: the primary loses and, mutated, goes
    // on as a secondary going live, with no log stream of a primary to replay.
    const cut = [
      { at: '300ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
      { at: '300ms', kind: 'partition', network: 'heartbeat', between: ['primary', 'secondary'] },
      // The primary's storage is slow: the secondary wins the race.
      { at: '300ms', kind: 'delay', network: 'storage', host: 'primary', ms: 100 },
    ];
    const result = runScenario(cut, {
      agentMachine: mutant('agent~retarget~primary.acquiringLock~LOCK_DENIED.0~secondary.goingLive.draining'),
    });
    const [violation] = claims(result);
    expect(violation?.invariant).toBe('I5');
    expect(violation?.message).toMatch(/from primary\.acquiringLock on LOCK_DENIED\) with no log stream/);
  });

  it('passes the correct protocol through a lost snapshot, a lock race and a failover', () => {
    expect(claims(runScenario(snapshotLost))).toEqual([]);
    const failover = runScenario([{ at: '300ms', kind: 'crash', host: 'primary' }]);
    expect(failover.failovers).toBe(1);
    expect(claims(failover)).toEqual([]);
  });
});
