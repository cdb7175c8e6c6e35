// The campaign never crashes on a broken system: a system that throws while its cluster is being
// built, or whose own validation refuses the generator's valid configurations, is an I0 finding
// with a trace file — not an exit 3 ("a failed search recorded its failure").
import { describe, expect, it } from 'vitest';
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import { runSpecChecked } from '../src/check/fuzz/run-checked.ts';
import type { RunSpec } from '../src/check/fuzz/run-spec.ts';
import { correctBehaviour } from '../src/cluster/cluster-context.ts';

const spec: RunSpec = {
  seed: 1,
  guest: 'kvstore',
  durationUs: 300_000,
  config: { hosts: 2 },
  clientsPerVm: 1,
  requestIntervalUs: 5_000,
  checkDeterminism: false,
  schedule: { version: 1, faults: [] },
};

describe('a broken system never crashes the campaign', () => {
  it('an exception while the cluster is built is an I0 finding', () => {
    const original = correctBehaviour.placementAllowed;
    // A system whose placement rule throws as soon as the HA service asks it.
    (correctBehaviour as { placementAllowed: unknown }).placementAllowed = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'rack')");
    };
    try {
      const result = runSpecChecked(spec, null);
      expect(result.verdicts.I0).toBe('violated');
      expect(result.violations[0]!.message).toMatch(/TypeError: Cannot read properties of undefined/);
      const campaign = fuzzCampaign({ seed: 1, bug: null, runs: 3, outDir: null, shrinkBudgetMs: 2_000 });
      expect(campaign.found).toBe(true);
      if (campaign.found) expect(campaign.violation.invariant).toBe('I0');
    } finally {
      (correctBehaviour as { placementAllowed: unknown }).placementAllowed = original;
    }
  });

  it('a configuration the system refuses although it is valid is an I0 finding, not an exit 3', () => {
    const result = runSpecChecked(
      { ...spec, config: { hosts: 2, networks: { storage: { latencyUs: -1 } } } },
      null,
    );
    expect(result.verdicts.I0).toBe('violated');
    expect(result.violations[0]!.message).toMatch(/failed to set up the run/);
  });
});
