import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { GateResults } from '../src/check/results.ts';
import { renderHtml } from '../src/report/html.ts';
import { renderJunit } from '../src/report/junit.ts';
import {
  type gateResultsSchema,
  parseResults,
  ResultsError,
  readResults,
} from '../src/report/results-schema.ts';
import { renderSummaryMarkdown } from '../src/report/summary-md.ts';
import { prepareInlineSvg } from '../src/report/svg-inline.ts';
import { TIMELINE_EVENTS_MAX, timelineRows } from '../src/report/timeline.ts';
import { timelineToMermaid } from '../src/report/timeline-mermaid.ts';
import { writeReports } from '../src/report/write-reports.ts';
import { HOSTILE, hostileFixture, loadFixture } from './report-fixture.ts';

const SVG =
  '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="80" height="40" fill="#ccc"/></svg>\n';

describe('results.json schema', () => {
  it('infers exactly the GateResults type', () => {
    expectTypeOf<z.infer<typeof gateResultsSchema>>().toEqualTypeOf<GateResults>();
  });

  it('accepts the fixture and round-trips it through JSON', () => {
    const results = loadFixture();
    expect(parseResults(JSON.parse(JSON.stringify(results)), 'x')).toEqual(results);
  });

  it('names the bad field of a malformed file', () => {
    const bad = JSON.parse(JSON.stringify(loadFixture()));
    bad.invariants.I3.verdict = 'broken';
    expect(() => parseResults(bad, 'shard-2.json')).toThrow(/shard-2\.json: field 'invariants\.I3\.verdict'/);
    const missing = JSON.parse(JSON.stringify(loadFixture()));
    delete missing.counterexamples[0].timeline[2].lane;
    expect(() => parseResults(missing, 'f')).toThrow(/field 'counterexamples\.0\.timeline\.2\.lane'/);
  });

  it('refuses another results version by name', () => {
    const future = { ...loadFixture(), version: 99 };
    expect(() => parseResults(future, 'f')).toThrow(/field 'version': unsupported results version 99/);
  });

  it('reports unreadable and non-JSON files with the file name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftcheck-schema-'));
    await writeFile(join(dir, 'r.json'), '{ not json');
    await expect(readResults(join(dir, 'r.json'))).rejects.toThrow(/r\.json: not valid JSON/);
    await expect(readResults(join(dir, 'absent.json'))).rejects.toThrow(
      /absent\.json: cannot read the file \(ENOENT\)/,
    );
    await expect(readResults(join(dir, 'absent.json'))).rejects.toBeInstanceOf(ResultsError);
    await rm(dir, { recursive: true });
  });
});

describe('summary.md', () => {
  it('leads with the verdict and lists every invariant, bug and counterexample', () => {
    const md = renderSummaryMarkdown(loadFixture());
    // The headline names what failed, where, when and which stage found it.
    expect(md.split('\n')[0]).toBe(
      '# ❌ ftcheck FAIL: I3 no split-brain violated on h2 at 1,200.410 ms (fuzzing); stale-primary-resumes escaped',
    );
    expect(md).toContain('_Verdict: holds: every stage');
    expect(md).toContain('Size: faults in the shrunk schedule, or steps of the model trace');
    expect(md).toContain('(counterexamples/I3-seed-20261391.json) (fuzzing)');
    expect(md).toContain('| I3 | no split-brain | ❌ violated |');
    expect(md).toContain('| I6 | determinism | ⚪ not checked |');
    expect(md).toMatch(
      /\| stale-primary-resumes \| cluster \| I3 \| ❌ escaped: caught by I2, declared I3 \| {2}\| none of 300 \|/,
    );
    expect(md).toMatch(/\| output-before-ack \| data-plane \| I2, I4 \| ✅ caught \| I4 \| 14 of 300 \|/);
    expect(md).toContain('| States | 144,213 |');
    expect(md).toContain('| Model transitions covered | 77 / 85 (90.6%) |');
    expect(md).toContain('Reproduce: `ftcheck replay reports/counterexamples/I3-seed-20261391.json`');
    expect(md).toContain('[counterexamples/I3-seed-20261391.json](counterexamples/I3-seed-20261391.json)');
    expect(md.match(/```mermaid\nsequenceDiagram/g)).toHaveLength(2);
    expect(md).toContain('shard 2/4');
    expect(md).toContain('Stages: diagrams complete · explore complete');
    expect(md).toContain('ceiling 5 min 0 s');
  });

  it('shows no wall-clock figure: the same gate writes the same bytes on every machine', () => {
    const results = loadFixture();
    const md = renderSummaryMarkdown(results);
    results.timing = { totalSeconds: 1, stages: {}, fuzz: { seconds: 1, schedulesPerSecond: 999 } };
    expect(renderSummaryMarkdown(results)).toBe(md);
    expect(renderJunit(results)).toBe(renderJunit(loadFixture()));
    expect(md).not.toMatch(/per second|Peak memory/);
  });

  it('leads an inconclusive gate with its own verdict', () => {
    const results = loadFixture();
    results.verdict = 'inconclusive';
    expect(renderSummaryMarkdown(results).split('\n')[0]).toMatch(
      /^# ⏳ ftcheck INCONCLUSIVE: the wall-clock ceiling/,
    );
  });

  it('keeps hostile text inert and the tables intact', () => {
    const md = renderSummaryMarkdown(hostileFixture());
    // Inside a code span markup is literal text (the reproduce command must stay copyable).
    expect(md).toContain("Reproduce: `ftcheck replay '<script>alert(1)</script>'`");
    expect(md.replace(/`[^`\n]*`/g, '')).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const invariantRow = md.split('\n').find((line) => line.startsWith('| I3 |'))!;
    expect(invariantRow.split(/(?<!\\)\|/).length).toBe(8);
  });
});

describe('junit.xml', () => {
  it('has one stable test case per invariant and per seeded bug', () => {
    const xml = renderJunit(loadFixture());
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ftcheck" tests="13" failures="2" errors="0" skipped="1"',
      ),
    ).toBe(true);
    const names = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map(
      (m) => `${m[1]}/${m[2]}`,
    );
    expect(names).toEqual([
      'ftcheck.invariants/I0 implementation assertion',
      'ftcheck.invariants/I1 lockstep',
      'ftcheck.invariants/I2 single output',
      'ftcheck.invariants/I3 no split-brain',
      'ftcheck.invariants/I4 no data loss',
      'ftcheck.invariants/I5 recovery',
      'ftcheck.invariants/I6 determinism',
      'ftcheck.invariants/I7 availability',
      'ftcheck.invariants/I8 proportionate response',
      'ftcheck.bugs/bug skip-test-and-set is caught',
      'ftcheck.bugs/bug output-before-ack is caught',
      'ftcheck.bugs/bug stale-primary-resumes is caught',
      'ftcheck.gate/gate completes',
    ]);
    expect(xml).toContain(
      '<failure message="h1 and h2 both emitted output as primary at t=1200.410 ms" type="violated">',
    );
    expect(xml).toContain('reproduce: ftcheck replay reports/counterexamples/I3-seed-20261391.json');
    expect(xml).toMatch(
      /name="bug stale-primary-resumes is caught" time="0">\n\s+<failure message="seeded bug stale-primary-resumes \(cluster\) was caught by I2, declared I3: that does not count"/,
    );
    expect(xml.match(/\btime="[^"]*"/g)!.every((time) => time === 'time="0"')).toBe(true);
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const results = hostileFixture();
    results.invariants.I3.message = `bad\u0000byte\u001b[0m ${HOSTILE}`;
    const xml = renderJunit(results);
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain(String.fromCharCode(0));
    expect(xml).not.toContain(String.fromCharCode(0x1b));
    expect(xml).toContain('bad\ufffdbyte\ufffd[0m &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(xml).toContain('name="bug &lt;script&gt;alert(1)&lt;/script&gt;]]&gt; is caught"');
    // Every element opened is closed: a cheap well-formedness check (Chromium parses it for real).
    const tags = [
      ...xml.matchAll(/<(\/?)(testsuites|testsuite|testcase|failure|error|skipped)\b[^>]*?(\/?)>/g),
    ];
    const stack: string[] = [];
    for (const [, closing, name, selfClosing] of tags) {
      if (selfClosing) continue;
      if (closing) expect(stack.pop()).toBe(name);
      else stack.push(name!);
    }
    expect(stack).toEqual([]);
  });

  it('reports an interrupted or inconclusive gate as an error case, and unfinished bugs as skipped', () => {
    const results = loadFixture();
    results.verdict = 'interrupted';
    results.bugs![2] = { ...results.bugs![2]!, status: 'not-run', caught: false };
    const xml = renderJunit(results);
    expect(xml).toContain(
      '<error message="the gate was interrupted by a signal; results are partial" type="interrupted">',
    );
    expect(xml).toContain('<skipped message="not run: the gate was stopped before it" type="not-run"/>');
    results.verdict = 'inconclusive';
    expect(renderJunit(results)).toContain('type="inconclusive">');
  });
});

describe('index.html', () => {
  it('escapes every hostile string and contains no script at all', () => {
    const html = renderHtml(hostileFixture(), { diagramSvgs: { 'diagrams/agent.svg': SVG } });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-lane="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"');
  });

  it('inlines safe diagrams and refuses unsafe or missing ones', () => {
    const results = loadFixture();
    const html = renderHtml(results, {
      diagramSvgs: {
        'diagrams/agent.svg': SVG,
        'diagrams/failover.svg': '<svg><script>alert(1)</script></svg>',
      },
    });
    expect(html).toContain(
      '<figcaption>hypervisor agent</figcaption><svg xmlns="http://www.w3.org/2000/svg"',
    );
    expect(html).not.toContain('<?xml');
    expect(html).toContain('Diagram not shown: contains script or external references.');
    expect(renderHtml(results, { diagramSvgs: {} })).toContain(
      'Diagram not shown: file diagrams/agent.svg not found.',
    );
    expect(prepareInlineSvg('<svg><image href="https://x.example/a.png"/></svg>').ok).toBe(false);
    expect(prepareInlineSvg('<svg onload="x()"></svg>').ok).toBe(false);
    expect(prepareInlineSvg('<html></html>').ok).toBe(false);
  });

  it('draws a space-time diagram per counterexample: lanes, arrows, violation, inspector', () => {
    const results = loadFixture();
    const example = results.counterexamples[0]!;
    example.timeline.splice(
      3,
      0,
      { atMicros: 900_000, lane: 'h1', kind: 'message', text: 'log 0–36', msg: 1, to: 'h2' },
      {
        atMicros: 900_100,
        lane: 'h2',
        kind: 'message',
        text: 'log 0–36',
        msg: 1,
        from: 'h1',
        state: { 'h2/vm1': { 'log received': 36 } },
      },
      {
        atMicros: 900_200,
        lane: 'h1',
        kind: 'message',
        text: 'heartbeat',
        msg: 2,
        to: 'h2',
        lost: 'partition',
      },
    );
    const html = renderHtml(results, { diagramSvgs: {} });
    const lanes = [...html.matchAll(/class="st-lane" data-lane="([^"]+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual(['h1', 'h2', 'storage', 'client', 'network', 'h1', 'h2', 'client']);
    expect(html.match(/<strong>VIOLATION<\/strong> [a-z0-9]+: I/g)).toHaveLength(2);
    expect(html.match(/<line class="arrow" [^>]*marker-end="url\(#ah1\)"/g)).toHaveLength(1);
    expect(html.match(/<line class="arrow lost"/g)).toHaveLength(1);
    // One radio group per counterexample, the violation checked, a state panel per event.
    expect(html.match(/<input type="radio" name="cx1"/g)).toHaveLength(example.timeline.length);
    expect(html).toMatch(/<input type="radio" name="cx2" value="\d+" checked>/);
    expect(html).toContain('<span class="sf chg"><span class="sk">log received</span> 36</span>');
    expect(html).toContain(
      '<pre class="reproduce">ftcheck replay reports/counterexamples/I3-seed-20261391.json</pre>',
    );
  });
});

describe('timelines', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({
    atMicros: 1000 - i,
    lane: `h${(i % 3) + 1}`,
    kind: i === 500 ? ('violation' as const) : ('message' as const),
    text: `event ${i}`,
  }));

  it('orders events by time and cuts long ones without losing the violation', () => {
    const rows = timelineRows(many);
    expect(rows.length).toBe(TIMELINE_EVENTS_MAX + 2);
    const events = rows.flatMap((row) => ('event' in row ? [row.event] : []));
    expect(events.some((event) => event.kind === 'violation')).toBe(true);
    expect(rows.find((row) => 'omitted' in row)).toEqual({ omitted: 1000 - TIMELINE_EVENTS_MAX - 1 });
    expect(events[0]!.atMicros).toBe(1);
  });

  it('renders a Mermaid sequence diagram with syntax characters encoded', () => {
    const mermaid = timelineToMermaid([
      { atMicros: 0, lane: 'h2', kind: 'role', text: 'primary' },
      { atMicros: 10, lane: 'h1', kind: 'violation', text: 'a;b #c: <d>' },
    ]);
    expect(mermaid).toBe(
      [
        'sequenceDiagram',
        '  participant L1 as h1',
        '  participant L2 as h2',
        '  rect rgb(200, 230, 255)',
        '    Note over L2: t=0.000 ms ROLE primary',
        '  end',
        '  rect rgb(255, 190, 190)',
        '    Note over L1: t=0.010 ms VIOLATION a#59;b #35;c#58; #60;d#62;',
        '  end',
        '',
      ].join('\n'),
    );
  });
});

describe('writeReports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ftcheck-reports-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every report atomically and results.json reads back equal', async () => {
    const results = loadFixture();
    await mkdir(join(dir, 'reports', 'diagrams'), { recursive: true });
    await writeFile(join(dir, 'reports', 'diagrams', 'agent.svg'), SVG);
    const written = await writeReports(results, join(dir, 'reports'));
    expect(written.map((file) => file.slice(dir.length + 9))).toEqual([
      'summary.md',
      'junit.xml',
      'results.json',
      'index.html',
      'counterexamples/I3-seed-20261391.mmd',
      'counterexamples/bug-output-before-ack.mmd',
    ]);
    expect(await readResults(join(dir, 'reports', 'results.json'))).toEqual({
      ...results,
      $schema: expect.stringMatching(/schema\/results\.schema\.json$/),
    });
    expect(await readFile(join(dir, 'reports', 'index.html'), 'utf8')).toContain('<rect width="80"');
    expect(await readFile(join(dir, 'reports', 'counterexamples', 'bug-output-before-ack.mmd'), 'utf8')).toBe(
      results.counterexamples[1]!.mermaid,
    );
    const leftovers = (await readdir(join(dir, 'reports'), { recursive: true })).filter((f) =>
      f.includes('.tmp-'),
    );
    expect(leftovers).toEqual([]);
  });

  it('never writes outside the reports folder', async () => {
    const results = loadFixture();
    results.counterexamples[0]!.path = '../../escaped.json';
    results.diagrams[0]!.svg = '../../../etc/passwd';
    const written = await writeReports(results, join(dir, 'reports'));
    expect(written.every((file) => file.startsWith(join(dir, 'reports')))).toBe(true);
    expect(written).toHaveLength(5);
  });
});
