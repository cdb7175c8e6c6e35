// I5 starts with detection: a peer that really fell silent (nothing of the VM delivered from it on
// the heartbeat network or the logging channel for the detection timeout) must be declared failed
// within a heartbeat interval or two. An independent fault hunt wrote a primary that stamped its
// own log sends as "traffic from the peer", so it never noticed its logging channel was cut: the
// pair stayed half-dead with nothing in the failover records to show for it.
import { describe, expect, it } from 'vitest';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { agentIgnoring, runScenario as run } from './ft-scenario.ts';

const cutLogging = [
  { at: '500ms', kind: 'partition', network: 'logging', between: ['primary', 'secondary'] },
];
const UNDETECTED =
  /heard nothing of vm1 from its peer h\d on the logging channel for .* and still had not declared it failed: a silent peer went undetected/;

describe('failure detection is complete (I5)', () => {
  it('the correct system declares a peer cut off on the logging channel, with no finding', () => {
    const result = run(cutLogging);
    expect(result.violations).toEqual([]);
    const declared = result.trace.entries.filter(
      ([, kind, , data]) => kind === 'info' && data.note === 'peer-silent',
    );
    expect(declared.length).toBeGreaterThan(0);
  });

  it('a primary that does not watch its secondary stays engaged with a silent peer', () => {
    const result = run(cutLogging, {
      behaviour: { ...correctBehaviour, name: 'primary-deaf', watchesPeer: (i) => !i.isPrimary },
    });
    const violation = result.violations.find((v) => v.invariant === 'I5');
    expect(violation?.host).toBe('h1');
    expect(violation?.message).toMatch(UNDETECTED);
    // Reported at the deadline: the timeout and two heartbeat intervals after the cut.
    expect(violation?.timeUs).toBeLessThanOrEqual(500_000 + 400_000 + 2 * 50_000);
  });

  it('an agent that ignores PEER_SILENT while engaged is caught the same way', () => {
    const result = run(cutLogging, { agentMachine: agentIgnoring(['secondary', 'engaged'], 'PEER_SILENT') });
    const violation = result.violations.find((v) => v.invariant === 'I5' && v.host === 'h2');
    expect(violation?.message).toMatch(UNDETECTED);
  });

  it('a primary that lost its secondary and never ends its lock claim is caught (I5 going on alone)', () => {
    const result = run([{ at: '500ms', kind: 'crash', host: 'secondary' }], {
      agentMachine: agentIgnoring(['primary', 'acquiringLock'], 'LOCK_GRANTED'),
    });
    const violation = result.violations.find((v) => v.invariant === 'I5');
    expect(violation?.host).toBe('h1');
    expect(violation?.message).toMatch(
      /h1 declared its secondary of vm1 failed and was still claiming the lock 1000 ms later although it reaches storage/,
    );
    expect(run([{ at: '500ms', kind: 'crash', host: 'secondary' }]).violations).toEqual([]);
  });
});
