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

  it('a fault that carries neither heartbeats nor the log is no cause (client NICs, HBAs)', () => {
    // Heartbeats leave by any working NIC, the log by the logging NIC: losing both client NICs or
    // every HBA on the primary's host silences neither, so the same silent primary is reported.
    for (const fault of [
      { at: '1000ms', kind: 'nic-fail', host: 'primary', path: 'all', network: 'client' },
      { at: '1000ms', kind: 'hba-fail', host: 'secondary', path: 'all' },
    ]) {
      const result = run([fault], { agentMachine: agentIgnoring(['primary', 'engaged'], 'HEARTBEAT_DUE') });
      const violation = result.violations.find((v) => v.invariant === 'I8');
      expect(violation?.message).toMatch(/nothing in the environment silenced it/);
      // The failover 0.45 s after the fault already (the pairing at start excuses the first one).
      expect(violation?.timeUs).toBeLessThan(2_000_000);
    }
  });

  it('a secondary that sends no heartbeats: its fresh pairing excuses nothing', () => {
    // Each new secondary is declared failed one detection timeout after it paired; coming into
    // lockstep is no reason to fall silent (only leaving it is), so the failover is reported.
    const result = run([], { agentMachine: agentIgnoring(['secondary', 'engaged'], 'HEARTBEAT_DUE') });
    const violation = result.violations.find((v) => v.invariant === 'I8');
    expect(violation?.message).toMatch(
      /\(primary\.engaged\) declared h\d failed although h\d was up and running vm1 \(secondary\.engaged\)/,
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
