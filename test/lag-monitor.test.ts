// I5 before the failure: an engaged secondary stays within what lag control allows. A secondary
// host slowed 200× (slower than the primary's least nonzero share, 1/64) is kept within its bound
// by a lag control that stops the primary at its last step; one that never stops it (its last
// share 1/64, a "never stop the primary completely" slip) lets the secondary fall behind without
// bound, and the monitor reports it with no crash needed to show it.
import { describe, expect, it } from 'vitest';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';
import { LAG_SHARES } from '../src/cluster/lag-marks.ts';
import { runScenario } from './ft-scenario.ts';

const slowSecondary = [{ at: '200ms', kind: 'slow', host: 'secondary', factor: 200 }];
const lagMessages = (result: ReturnType<typeof runScenario>) =>
  result.violations.filter((v) => /lag control lets a secondary fall/.test(v.message)).map((v) => v.message);

describe('lag monitor (I5 before the failure)', () => {
  it('a secondary slowed 200× stays within its bound under the shipped lag control', () => {
    const result = runScenario(slowSecondary);
    expect(result.violations.map((v) => v.message)).toEqual([]);
  });

  it('a lag control that never stops the primary is reported while the pair still runs', () => {
    const neverStops = { ...correctBehaviour, name: 'lag-never-stops', lagShares: LAG_SHARES.slice(0, -1) };
    const result = runScenario(slowSecondary, { behaviour: neverStops });
    const [message] = lagMessages(result);
    expect(message).toMatch(
      /^the secondary of vm1 on h\d replayed instruction \d+ [\d.]+ ms after its primary ran it/,
    );
    expect(result.violations.find((v) => v.message === message)?.invariant).toBe('I5');
  });

  it('judges nothing once another fault may have stalled the log (a delay on the logging network)', () => {
    const neverStops = { ...correctBehaviour, name: 'lag-never-stops', lagShares: LAG_SHARES.slice(0, -1) };
    const delayed = [{ at: '100ms', kind: 'delay', network: 'logging', ms: 1 }, ...slowSecondary];
    expect(lagMessages(runScenario(delayed, { behaviour: neverStops }))).toEqual([]);
  });
});
