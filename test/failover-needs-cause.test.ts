// I8: a failover needs a cause in the environment. A primary whose agent forgets to send its
// heartbeats (a model mutant the gate's fuzz sample once killed only by luck, through a split
// brain) falls silent on a perfectly healthy cluster: the secondary's detector is right to fire,
// and the failover is still the implementation's own doing. A partition of the pair is a cause.
import { describe, expect, it } from 'vitest';
import { agentIgnoring, runScenario as run } from './ft-scenario.ts';

describe('a failover needs a cause in the environment (I8)', () => {
  it('a healthy primary that sends no heartbeats: the failover is reported', () => {
    const result = run([], { agentMachine: agentIgnoring(['primary', 'engaged'], 'HEARTBEAT_DUE') });
    const violation = result.violations.find((v) => v.invariant === 'I8');
    expect(violation?.message).toMatch(
      /declared h\d failed although h\d was up and running vm1 \(primary\.engaged\) and nothing in the environment silenced it/,
    );
  });

  it("a partition of the pair is a cause: the correct system's detector fires without a finding", () => {
    const result = run([
      { at: '500ms', kind: 'partition', network: 'heartbeat', between: ['primary', 'secondary'] },
      { at: '500ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
    ]);
    const declared = result.trace.entries.filter(
      ([, kind, , data]) => kind === 'info' && data.note === 'peer-silent',
    );
    expect(declared.length).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});
