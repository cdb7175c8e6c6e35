import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayTraceFile } from '../src/check/fuzz/replay.ts';
import { GATE_CAMPAIGN_DEFAULT } from '../src/check/gate/campaign-plan.ts';
import { type GateOptions, runGate } from '../src/check/gate/gate.ts';
import { readTraceFile } from '../src/check/trace-file.ts';
import { gateOptions } from '../src/cli/commands/gate.ts';
import { parseConfig } from '../src/cli/config.ts';
import { UsageError } from '../src/cli/context.ts';
import { conformanceStage, exploreStage, fuzzStage } from '../src/cli/gate/stages.ts';
import { headline } from '../src/report/verdict.ts';

const io = { out: () => {}, err: () => {} };

function options(overrides: Partial<GateOptions>): GateOptions {
  return {
    ...gateOptions(parseConfig({}, 'test'), {}, io, false),
    reportsDir: mkdtempSync(join(tmpdir(), 'ftcheck-gate-')),
    ...overrides,
  };
}

describe('gate options', () => {
  it('lets flags override the configuration file', () => {
    const config = parseConfig(
      { hosts: 2, seed: 5, budget: '2m', bugs: ['ha-same-rack'], campaign: { fuzzSeeds: 3 } },
      'cfg',
    );
    const fromConfig = gateOptions(config, {}, io, false);
    expect([fromConfig.hosts, fromConfig.seed, fromConfig.budgetSeconds, fromConfig.bugs]).toEqual([
      2,
      5,
      120,
      ['ha-same-rack'],
    ]);
    expect(fromConfig.campaign).toEqual({ ...GATE_CAMPAIGN_DEFAULT, fuzzSeeds: 3 });
    const overridden = gateOptions(
      config,
      {
        hosts: '4',
        seed: '9',
        budget: '30s',
        bug: ['interrupt-late'],
        shard: '2/3',
        fuzzSeeds: '7',
        fuzzRuns: '11',
        bugRuns: '13',
      },
      io,
      false,
    );
    expect([overridden.hosts, overridden.seed, overridden.budgetSeconds, overridden.bugs]).toEqual([
      4,
      9,
      30,
      ['interrupt-late'],
    ]);
    expect(overridden.shard).toEqual({ index: 2, count: 3 });
    expect(overridden.campaign).toEqual({
      ...GATE_CAMPAIGN_DEFAULT,
      fuzzSeeds: 7,
      fuzzRuns: 11,
      bugRuns: 13,
    });
  });

  it('has no wall-clock ceiling unless one is asked for: the default campaign decides', () => {
    const defaults = gateOptions(parseConfig({}, 'cfg'), {}, io, false);
    expect(defaults.budgetSeconds).toBeUndefined();
    expect(defaults.campaign).toEqual(GATE_CAMPAIGN_DEFAULT);
  });
  it('rejects unknown bugs, bad shards and bad budgets with a usage error naming them', () => {
    const config = parseConfig({}, 'cfg');
    expect(() => gateOptions(config, { bug: ['no-such-bug'] }, io, false)).toThrow(
      /unknown bug 'no-such-bug'/,
    );
    expect(() => gateOptions(config, { shard: '4/3' }, io, false)).toThrow(UsageError);
    expect(() => gateOptions(config, { budget: 'soon' }, io, false)).toThrow(/--budget/);
    expect(() => gateOptions(config, { budget: '0s' }, io, false)).toThrow(
      /--budget must be a duration between 1s and 24h/,
    );
    expect(() => gateOptions(config, { fuzzRuns: '0' }, io, false)).toThrow(/--fuzz-runs/);
  });
});

describe('gate stages', () => {
  it('the model check stage fails the gate on a seeded model bug with a shortest counterexample', async () => {
    const results = await runGate(
      [exploreStage],
      options({ hosts: 2, bugs: ['go-live-without-test-and-set'] }),
      new AbortController().signal,
    );
    expect(results.verdict).toBe('fail');
    expect(results.invariants.I3.verdict).toBe('violated');
    expect(results.counterexamples[0]!.path).toMatch(
      /^counterexamples\/explore-h2-go-live-without-test-and-set-.*\.itf\.json$/,
    );
    expect(results.counterexamples[0]!.mermaid).toContain('sequenceDiagram');
    expect(results.counterexamples[0]!.reproduce).toBe(
      'npx ftcheck explore --hosts 2 --bug go-live-without-test-and-set',
    );
  });

  it('the fuzz stage fails the gate on a seeded data-plane bug, and its trace file replays', async () => {
    const gate = options({
      bugs: ['output-released-before-ack'],
      // Seed 7 finds it at its third schedule (test/minimal-counterexamples.test.ts).
      seed: 7,
      campaign: { ...GATE_CAMPAIGN_DEFAULT, fuzzSeeds: 2, fuzzRuns: 5, shrinkRuns: 0 },
    });
    const results = await runGate([fuzzStage], gate, new AbortController().signal);
    expect(results.verdict).toBe('fail');
    const found = results.counterexamples[0]!;
    expect(found.reproduce).toBe(`npx ftcheck replay ${found.path}`); // relative to the reports folder
    const replay = replayTraceFile(readTraceFile(join(gate.reportsDir, found.path)));
    expect(replay.reproduced).toBe(true);
    expect(replay.violation?.invariant).toBe(found.invariant);
    expect(results.stages).toEqual([{ name: 'fuzz', status: 'complete' }]);
  });

  it('runs the fuzz campaign on worker threads with --workers, with the same results as one', async () => {
    const campaign = { ...GATE_CAMPAIGN_DEFAULT, fuzzSeeds: 3, fuzzRuns: 2, shrinkRuns: 5 };
    const run = (workers: number) =>
      runGate(
        [fuzzStage],
        options({ workers, bugs: ['time-unlogged'], campaign }),
        new AbortController().signal,
      );
    const [two, one] = [await run(2), await run(1)];
    expect(two.verdict).toBe('fail');
    expect(two.invariants.I1.verdict).toBe('violated');
    expect(two.fuzz).toEqual(one.fuzz);
    // Each run writes to its own folder: only the reproduce command names it.
    const withoutFolder = (results: typeof one) =>
      results.counterexamples.map(({ reproduce, ...rest }) => ({
        ...rest,
        reproduce: reproduce.split('/').pop(),
      }));
    expect(withoutFolder(two)).toEqual(withoutFolder(one));
  });

  it('the conformance stage passes the system as shipped, with every monitored invariant checked', async () => {
    const results = await runGate([conformanceStage], options({}), new AbortController().signal);
    expect(results.conformance?.failures).toEqual([]);
    expect(results.counterexamples).toEqual([]);
    expect(results.verdict).toBe('pass');
    expect(results.invariants.I5.checkedBy).toContain('conformance');
    expect(results.invariants.I7.checkedBy).toContain('conformance');
  });

  it('the conformance stage fails the gate on a path the emulator does not follow and on a violation in its runs', async () => {
    // The primary never watches its secondary: it cannot walk primary.engaged → primary.alone on
    // PEER_SILENT, and the paths that kill the secondary leave the service stalled (I5/I7).
    const gate = options({ bugs: ['primary-ignores-silent-secondary'] });
    const results = await runGate([conformanceStage], gate, new AbortController().signal);
    expect(results.verdict).toBe('fail');
    expect(results.conformance!.failures.map((f) => f.path).join('\n')).toMatch(/PEER_SILENT/);
    expect(headline(results)).toMatch(/did not follow \d+ paths? of its protocol model \(conformance\)/);
    const found = results.counterexamples[0]!;
    expect(found.path).toMatch(/^counterexamples\/conformance\/path\d+-/);
    expect(['I5', 'I7']).toContain(found.invariant);
    expect(results.invariants[found.invariant].checkedBy).toContain('conformance');
    const file = readTraceFile(join(gate.reportsDir, found.path));
    expect(file.search.minimal).toBe(true);
    expect(file.bug).toBe('primary-ignores-silent-secondary');
    expect(replayTraceFile(file).reproduced).toBe(true);
  });
});
