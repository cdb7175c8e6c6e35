// Mutation results in the gate and its reports: the fixed sample the gate runs, --min-score and
// crashes in the verdict, summary.md / index.html / results.json sections, merge, and how a
// Stryker report is judged (a kill is the detector's exit 1, FTCHECK-CRASH a crash, Timeout
// inconclusive).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATE_CAMPAIGN_DEFAULT } from '../src/check/gate/campaign-plan.ts';
import { decideVerdict, emptyResults, type GateOptions } from '../src/check/gate/gate.ts';
import { StopFlag } from '../src/check/gate/stop-flag.ts';
import type { MutantEntry, MutationReport } from '../src/check/mutate/report.ts';
import { levelReport } from '../src/check/mutate/report.ts';
import { judgeReport, mutatePatterns, scopeFiles } from '../src/check/mutate/stryker-runner.ts';
import { GATE_MUTANTS, mutateStage } from '../src/cli/gate/mutate-stage.ts';
import { renderHtml } from '../src/report/html.ts';
import { mergeResults } from '../src/report/merge.ts';
import { gateResultsSchema } from '../src/report/results-schema.ts';
import { renderSummaryMarkdown } from '../src/report/summary-md.ts';

const options = (overrides: Partial<GateOptions> = {}): GateOptions => ({
  hosts: 2,
  guests: ['kvstore'],
  seed: 1,
  campaign: GATE_CAMPAIGN_DEFAULT,
  workers: 1,
  bugs: [],
  reportsDir: mkdtempSync(join(tmpdir(), 'ftcheck-mutate-gate-')),
  toolVersion: 'test',
  tty: false,
  log: () => {},
  ...overrides,
});

const survivor: MutantEntry = {
  id: 'agent~drop-entry~primary.alone~takeClientAddress',
  level: 'model',
  status: 'survived',
  operator: 'drop-entry',
  location: 'models/agent.ts primary.alone entry',
  diff: '  primary.alone:\n-   entry: takeClientAddress <script>',
  changes: [
    'secondary.goingLive.reissuingIo on IO_REISSUED: → primary.alone / takeClientAddress ⇒ → primary.alone',
  ],
  wouldBreak: 'clients keep talking to the old host after go-live (I7 availability)',
};
const killed: MutantEntry = {
  ...survivor,
  id: 'k',
  status: 'killed',
  diff: undefined,
  wouldBreak: undefined,
};

function withMutation(mutants: MutantEntry[]) {
  const results = emptyResults(options());
  const report: MutationReport = { version: 1, model: levelReport(mutants, { hosts: 2, 'fuzz runs': 10 }) };
  results.mutation = report;
  return results;
}

describe('mutation in the gate', () => {
  it('runs the fixed sample: every mutant decided, the equivalent one left out, nothing crashes', async () => {
    const o = options();
    const results = emptyResults(o);
    await mutateStage.run({ options: o, results, stop: new StopFlag() });
    const model = results.mutation!.model!;
    expect(model.mutants.map((m) => m.id)).toEqual([...GATE_MUTANTS]);
    expect(model.score).toMatchObject({
      total: 7,
      killed: 6,
      equivalent: 1,
      survived: 0,
      crashed: 0,
      score: 1,
    });
    const byId = Object.fromEntries(model.mutants.map((m) => [m.id, m]));
    expect(byId['agent~negate-guard~primary.engaged~OUTPUT_READY.0']!.killedBy).toMatchObject({
      detector: 'explore',
      invariant: 'I2',
    });
    const fuzzKill = byId['agent~drop-action~primary.engaged~HEARTBEAT_DUE.0~sendHeartbeat']!;
    expect(fuzzKill.killedBy?.detector).toBe('fuzz');
    // Named relative to the reports folder, so the command works where the reports are downloaded.
    expect(fuzzKill.reproduce).toMatch(
      /^npx ftcheck replay counterexamples\/mutants\/agent~drop-action~.+\.json$/,
    );
    expect(gateResultsSchema.parse(results).mutation).toEqual(results.mutation);
  });

  it('--min-score fails the gate below the threshold; a mutant that crashed ftcheck is an error', () => {
    const results = withMutation([survivor, killed]);
    expect(decideVerdict(results)).toBe('pass');
    expect(decideVerdict(results, 0.5)).toBe('pass');
    expect(decideVerdict(results, 0.95)).toBe('fail');
    const crashed = withMutation([{ ...killed, status: 'crashed', crash: 'fuzz: AssertionError: x' }]);
    expect(decideVerdict(crashed)).toBe('error');
  });

  it('summary.md and index.html show the score and each survivor with its diff; merge keeps it', () => {
    const results = withMutation([survivor, killed]);
    const md = renderSummaryMarkdown(results);
    expect(md).toContain('## Mutation testing');
    expect(md).toContain('Score: **50.0% of 2 non-equivalent (1 killed, 1 survived, 0 equivalent)**');
    expect(md).toContain('would break: clients keep talking to the old host');
    expect(md).toContain('```diff\n  primary.alone:\n-   entry: takeClientAddress <script>\n```');
    const html = renderHtml(results, { diagramSvgs: {} });
    expect(html).toContain('<section id="mutation">');
    expect(html).toContain('<a href="#mutation">');
    expect(html).toContain('takeClientAddress &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(mergeResults([results, { ...results, config: { ...results.config } }]).mutation).toEqual(
      results.mutation,
    );
    expect(renderSummaryMarkdown(emptyResults(options()))).not.toContain('Mutation testing');
  });
});

describe('implementation mutants (Stryker)', () => {
  const source = 'export function f(a: number) {\n  return a > 1 ? a : 0;\n}\n';
  const at = (line: number, column: number, endColumn: number) => ({
    start: { line, column },
    end: { line, column: endColumn },
  });
  const report = {
    files: {
      'src/lockstep/x.ts': {
        source,
        mutants: [
          {
            id: '1',
            mutatorName: 'EqualityOperator',
            replacement: 'a >= 1',
            status: 'Killed',
            statusReason:
              'FTCHECK-DETECT killed {"invariant":"I1","message":"I1 (lockstep) violated at 3ms on h2"}',
            location: at(2, 10, 15),
          },
          {
            id: '2',
            mutatorName: 'ConditionalExpression',
            replacement: 'true',
            status: 'Survived',
            location: at(2, 10, 15),
          },
          {
            id: '3',
            mutatorName: 'ConditionalExpression',
            replacement: 'false',
            status: 'Timeout',
            location: at(2, 10, 15),
          },
          {
            id: '4',
            mutatorName: 'BlockStatement',
            replacement: '{}',
            status: 'Killed',
            statusReason: 'FTCHECK-CRASH ftcheck fuzz ended with exit 3\nftcheck: internal error: boom',
            location: at(2, 10, 15),
          },
          {
            id: '5',
            mutatorName: 'StringLiteral',
            replacement: '""',
            status: 'Killed',
            statusReason: 'npm ERR',
            location: at(2, 10, 15),
          },
          {
            id: '6',
            mutatorName: 'StringLiteral',
            replacement: '"x"',
            status: 'Ignored',
            location: at(2, 10, 15),
          },
        ],
      },
    },
  };

  it('judges kills by the detector, crashes and timeouts apart, with a diff for each non-kill', () => {
    const entries = judgeReport(report, '/repo');
    expect(entries.map((e) => e.status)).toEqual([
      'killed',
      'survived',
      'inconclusive',
      'crashed',
      'crashed',
    ]);
    expect(entries[0]!.killedBy).toEqual({
      detector: 'fuzz',
      invariant: 'I1',
      property: 'I1 (lockstep) violated at 3ms on h2',
    });
    expect(entries[1]!.diff).toBe(
      ['--- src/lockstep/x.ts:2', '-   return a > 1 ? a : 0;', '+   return true ? a : 0;'].join('\n'),
    );
    expect(entries[1]!.wouldBreak).toContain('`a > 1` → `true`');
    expect(entries[3]!.crash).toContain('ftcheck fuzz ended with exit 3 ftcheck: internal error: boom');
    expect(entries[4]!.crash).toMatch(/the detector gave no verdict/);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
  });

  it('scopes src/lockstep and src/cluster without the seeded-bug strategies; samples lines with the seed', () => {
    const root = join(import.meta.dirname, '..');
    const files = scopeFiles(root);
    expect(files.every((f) => /^src\/(lockstep|cluster)\/.+\.ts$/.test(f))).toBe(true);
    expect(files).not.toContain('src/lockstep/bugs.ts');
    expect(files).not.toContain('src/cluster/cluster-bugs.ts');
    const sample = mutatePatterns(root, { seed: 3, sampleLines: 5 });
    expect(sample).toEqual(mutatePatterns(root, { seed: 3, sampleLines: 5 }));
    expect(sample).toHaveLength(5);
    for (const p of sample) expect(p).toMatch(/^src\/(lockstep|cluster)\/[\w/.-]+\.ts:(\d+)-\2$/);
    const shards = [1, 2].map((index) => mutatePatterns(root, { seed: 1, shard: { index, count: 2 } }));
    expect([...shards[0]!, ...shards[1]!].sort()).toEqual([...files].sort());
  });
});
