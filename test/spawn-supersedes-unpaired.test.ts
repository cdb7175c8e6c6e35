// A new spawn supersedes a stream that never paired (FtVm.spawnSecondary). Found by a sweep of
// runs forced to be quiet services with creeping delays: HA gave up on a spawn whose target had
// engaged but whose acknowledgement was still crossing a 308 ms logging delay, and placed the next
// secondary on h5 while the primary still held the first stream. The snapshot transfer to h5 was
// then a silent no-op, h5 waited out its watchdog for nothing, and re-protection came late (I5).
import { describe, expect, it } from 'vitest';
import { runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { keepsUnpairedStreams, supersedeSpec } from './fixtures/supersede-spec.ts';

describe('a new spawn supersedes a stream that never paired', () => {
  it('sends the snapshot to the next target and re-protects in time', () => {
    const result = runFt(runOptionsOf(supersedeSpec, null, 'events'));
    expect(result.violations).toEqual([]);
    const snapshots = result.trace.entries.filter(
      ([, kind, , detail]) => kind === 'vm' && detail.op === 'snapshot' && detail.to === 'h5',
    );
    expect(snapshots.length).toBeGreaterThan(0);
  });

  it('without that rule the next spawn waits out its watchdog: I5', () => {
    const result = runFt({ ...runOptionsOf(supersedeSpec, null), behaviour: keepsUnpairedStreams });
    expect(result.violations[0]?.invariant).toBe('I5');
    expect(result.violations[0]?.message).toMatch(
      /vm1 was not protected again within 2500 ms although a spare host exists/,
    );
  });
});
