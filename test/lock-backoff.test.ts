// I5, the lock claim's pace (src/check/monitors/lock-backoff-monitor.ts): each claim starts its
// test-and-set backoff afresh. Fault hunt 14 wrote a claim backoff never reset by a reply: the
// first claim, through a slow array, backed off to 800 ms; the second, through a 300 ms storage
// cut, then waited 800 ms for its first lost request — a go-live 700 ms late, inside the 1 s
// failover bound, so nothing else saw it.
import { describe, expect, it } from 'vitest';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { runScenario as run } from './ft-scenario.ts';

// The primary crashes: h2 claims the lock through a slow array (round trips of 800 ms: timeouts of
// 100, 200 and 400 ms, then 800 ms gets the reply). Re-protected, its secondary crashes: h2 claims
// again to go on alone, and its first request is lost in a storage cut.
const twoClaims = [
  { at: '500ms', kind: 'crash', host: 'primary' },
  { at: '600ms', kind: 'delay', network: 'storage', ms: 400 },
  { at: '2000ms', kind: 'delay', network: 'storage', ms: 0 },
  { at: '3500ms', kind: 'crash', host: 'secondary' },
  { at: '3800ms', kind: 'partition', network: 'storage', host: 'h2' },
  { at: '4100ms', kind: 'heal', network: 'storage' },
];
const options = { durationUs: 6_000_000 };

describe('a lock claim starts its backoff afresh (I5)', () => {
  it('the correct system backs off within one claim and starts the next from one timeout', () => {
    const result = run(twoClaims, options);
    expect(result.violations).toEqual([]);
    const claims = result.trace.entries.filter(
      ([, kind, , data]) => kind === 'state' && String(data.to).endsWith('acquiringLock'),
    );
    expect(claims.length).toBe(2);
  });

  it('a backoff carried into the next claim is reported at its first lost request', () => {
    const result = run(twoClaims, {
      ...options,
      behaviour: { ...correctBehaviour, name: 'lock-backoff-kept', resetsLockBackoff: false },
    });
    const violation = result.violations.find((v) => v.invariant === 'I5');
    expect(violation?.host).toBe('h2');
    expect(violation?.message).toMatch(
      /h2's test-and-set attempt 1 of its claim of vm1's lock \(sent at 3900\.0 ms\) was followed by the next 850\.0 ms later; with at most 0 timeouts before it in this claim it may be waited for 100\.0 ms/,
    );
  });
});
