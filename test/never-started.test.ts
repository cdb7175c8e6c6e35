// A VM that never starts owes its clients too (I7): an agent that ignores POWER_ON leaves no
// instance holding the VM, and a monitor that demands service only from a host holding the VM's
// state would see nobody able to serve. Found by `ftcheck mutate` (the retarget of idle's POWER_ON
// to idle survived a 100-run fuzz campaign): the host the VM was powered on at owes the answers
// while no instance has ever held it.
import { describe, expect, it } from 'vitest';
import { agentIgnoring, runScenario } from './ft-scenario.ts';

describe('a VM that never starts', () => {
  it('is an I7 violation naming the host it was powered on at', () => {
    const result = runScenario([], { agentMachine: agentIgnoring(['idle'], 'POWER_ON') });
    expect(result.violations[0]?.invariant).toBe('I7');
    expect(result.violations[0]?.message).toMatch(
      /c1's request #0 to vm1 .* was still unanswered .* although h1 could serve it \(up, a storage path, reachable by the clients, the host vm1 was powered on at, where it never started\)\. At [\d.]+ ms: no host holds vm1; the HA service is watching$/,
    );
  });

  it('the correct agent starts it and answers: no violation', () => {
    expect(runScenario([]).violations).toEqual([]);
  });
});
