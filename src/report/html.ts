// index.html: the whole gate on one self-contained page (inline CSS, inline SVG, no script, no
// network). Every string that comes from results or traces is HTML-escaped.
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type { CounterexampleSummary, GateResults } from '../check/results.ts';
import { escapeHtml } from './escape.ts';
import {
  BUG_TABLE_COLUMNS,
  formatBytes,
  formatCoverage,
  formatFigure,
  formatNumber,
  formatSchedulesToFailure,
  formatSeconds,
} from './format.ts';
import { HTML_STYLE } from './html-style.ts';
import { mutationSectionHtml } from './mutation-html.ts';
import { isModelTimeline, stateTableHtml } from './state-table-html.ts';
import { type InlineSvg, prepareInlineSvg } from './svg-inline.ts';
import { timelineHtml, timelineLegendHtml } from './timeline-html.ts';
import {
  bugVerdictClass,
  bugVerdictHtmlText,
  COLUMN_HELP,
  foundBy,
  headline,
  INVARIANT_VERDICT_HTML,
  STAGE_STATUS_TEXT,
  violationText,
} from './verdict.ts';

/** What the page needs from disk: diagram SVG file texts by path (undefined: file missing). */
export interface HtmlAssets {
  diagramSvgs: Record<string, string | undefined>;
}

const e = escapeHtml;

function figureTable(rows: [string, string][]): string {
  const body = rows.map(
    ([name, value]) => `<tr><th scope="row">${e(name)}</th><td class="num">${e(value)}</td></tr>`,
  );
  return `<table>${body.join('')}</table>`;
}

function dataTable(header: string[], rows: string[][]): string {
  const head = header.map((cell) => `<th>${e(cell)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** What a table's columns mean, under it. */
function columnHelp(rows: readonly (readonly [string, string])[]): string {
  return `<p class="muted cols">${rows.map(([name, meaning]) => `<strong>${e(name)}</strong>: ${e(meaning)}`).join('. ')}.</p>`;
}

function fileLink(path: string): string {
  return `<a href="${e(encodeURI(path))}">${e(path)}</a>`;
}

function banner(results: GateResults): string {
  const held = Object.values(results.invariants).filter((invariant) => invariant.verdict === 'hold').length;
  const bugs = results.bugs ?? [];
  const shard = results.config.shard;
  const facts = [
    `${held} of ${Object.keys(results.invariants).length} invariants hold`,
    ...(bugs.length > 0
      ? [`${bugs.filter((bug) => bug.caught).length} of ${bugs.length} seeded bugs caught`]
      : []),
    `${results.counterexamples.length} counterexample(s)`,
    `ftcheck ${results.tool.version}`,
    ...(shard === undefined ? [] : [`shard ${shard.index}/${shard.count}`]),
  ];
  const stages = results.stages.map((stage) => `${stage.name} ${STAGE_STATUS_TEXT[stage.status]}`);
  const stagesLine = stages.length === 0 ? '' : `<p>Stages: ${e(stages.join(' · '))}</p>`;
  return `<header class="banner banner-${results.verdict}" id="verdict"><h1>ftcheck: ${e(headline(results))}</h1><p>${e(facts.join(' · '))}</p>${stagesLine}</header>`;
}

function invariantsSection(results: GateResults): string {
  const rows = (Object.keys(INVARIANTS) as InvariantId[]).map((id) => {
    const invariant = results.invariants[id];
    return [
      e(id),
      e(INVARIANTS[id]),
      `<span class="v-${invariant.verdict}">${e(INVARIANT_VERDICT_HTML[invariant.verdict])}</span>`,
      e(invariant.checkedBy.join(', ')),
      invariant.counterexamples
        .map((path) => {
          const example = results.counterexamples.find((c) => c.path === path);
          return `${fileLink(path)}${example === undefined ? '' : ` (${e(foundBy(example))})`}`;
        })
        .join('<br>'),
      e(invariant.message ?? ''),
    ];
  });
  return `<section id="invariants"><h2>Invariants</h2>${dataTable(['Id', 'Invariant', 'Verdict', 'Checked by', 'Counterexamples', 'Note'], rows)}${columnHelp(COLUMN_HELP.invariants)}</section>`;
}

function bugsSection(results: GateResults): string {
  const bugs = results.bugs ?? [];
  if (bugs.length === 0)
    return '<section id="bugs"><h2>Bug catalog self-test</h2><p class="muted">Not run.</p></section>';
  const rows = bugs.map((bug) => [
    e(bug.name),
    e(bug.level),
    e(bug.breaks.join(', ')),
    `<span class="${bugVerdictClass(bug)}">${e(bugVerdictHtmlText(bug))}</span>`,
    e(bug.invariant ?? ''),
    e(formatSchedulesToFailure(bug)),
    bug.size === undefined ? '' : e(formatNumber(bug.size)),
    bug.counterexample === undefined ? '' : fileLink(bug.counterexample),
  ]);
  return `<section id="bugs"><h2>Bug catalog self-test</h2>${dataTable(BUG_TABLE_COLUMNS, rows)}${columnHelp(COLUMN_HELP.bugs)}</section>`;
}

function counterexampleHtml(example: CounterexampleSummary, index: number): string {
  const title = `${index + 1}. ${violationText(example.invariant, example)}`;
  const mermaid =
    example.mermaid.trim() === ''
      ? ''
      : `<details><summary>Mermaid sequence diagram source</summary><pre>${e(example.mermaid)}</pre></details>`;
  return `<article class="cx" id="cx-${index + 1}"><h3>${e(title)}</h3><p>${e(example.message)}</p><p>Reproduce:</p><pre class="reproduce">${e(example.reproduce)}</pre><p>Trace: ${fileLink(example.path)}</p>${isModelTimeline(example.timeline) ? stateTableHtml(example.timeline) : timelineHtml(example.timeline, index + 1)}${mermaid}</article>`;
}

function counterexamplesSection(results: GateResults): string {
  const body =
    results.counterexamples.length === 0
      ? '<p class="muted">None: no run violated an invariant.</p>'
      : `${timelineLegendHtml()}${results.counterexamples.map(counterexampleHtml).join('')}`;
  return `<section id="counterexamples"><h2>Counterexamples</h2>${body}</section>`;
}

function diagramHtml(name: string, svgPath: string, svgFile: string | undefined): string {
  const prepared: InlineSvg =
    svgFile === undefined ? { ok: false, reason: `file ${svgPath} not found` } : prepareInlineSvg(svgFile);
  const body = prepared.ok ? prepared.svg : `<p class="muted">Diagram not shown: ${e(prepared.reason)}.</p>`;
  return `<figure class="diagram"><figcaption>${e(name)}</figcaption>${body}</figure>`;
}

function diagramsSection(results: GateResults, assets: HtmlAssets): string {
  const body =
    results.diagrams.length === 0
      ? '<p class="muted">No protocol diagrams were generated in this run.</p>'
      : `<div class="diagrams">${results.diagrams.map((diagram) => diagramHtml(diagram.name, diagram.svg, assets.diagramSvgs[diagram.svg])).join('')}</div>`;
  return `<section id="diagrams"><h2>Protocol diagrams</h2>${body}</section>`;
}

function stateSpaceSection(results: GateResults): string {
  const explore = results.explore;
  if (explore === undefined)
    return '<section id="state-space"><h2>State space</h2><p class="muted">Not run.</p></section>';
  const figures = figureTable([
    ['Hosts', formatNumber(explore.hosts)],
    ['States', formatNumber(explore.states)],
    ['Transitions', formatNumber(explore.transitions)],
    ['Deadlocks', formatNumber(explore.deadlocks)],
    ['Liveness', explore.liveness],
  ]);
  const violations =
    explore.violations.length === 0
      ? ''
      : dataTable(
          ['Invariant', 'Message', 'Steps', 'Trace'],
          explore.violations.map((v) => [
            e(v.invariant),
            e(v.message),
            e(formatNumber(v.steps)),
            v.counterexample === undefined ? '' : fileLink(v.counterexample),
          ]),
        );
  return `<section id="state-space"><h2>State space (exhaustive model check)</h2>${figures}${violations}</section>`;
}

function campaignSection(results: GateResults): string {
  const parts: string[] = [];
  const conformance = results.conformance;
  if (conformance !== undefined) {
    parts.push(
      '<h3>Conformance: model paths on the emulator</h3>',
      figureTable([
        ['Paths run', formatNumber(conformance.paths)],
        ['Paths passed', formatNumber(conformance.passed)],
        ['Model states covered', formatCoverage(conformance.states)],
        ['Model transitions covered', formatCoverage(conformance.transitions)],
      ]),
    );
    if (conformance.failures.length > 0) {
      parts.push(
        dataTable(
          ['Path', 'Message'],
          conformance.failures.map((f) => [e(f.path), e(f.message)]),
        ),
      );
    }
  }
  const fuzz = results.fuzz;
  if (fuzz !== undefined) {
    parts.push(
      '<h3>Fault-fuzzing campaign</h3>',
      figureTable([
        [
          'Runs',
          `${formatNumber(fuzz.runs)} of ${formatNumber(fuzz.planned.seeds * fuzz.planned.runsPerSeed)}`,
        ],
        [
          'Campaign',
          `${formatNumber(fuzz.planned.seeds)} seeds × ${formatNumber(fuzz.planned.runsPerSeed)} schedules`,
        ],
        ['Seeds', `${fuzz.seeds.first} … ${fuzz.seeds.last}`],
        ['Model states reached', formatCoverage(fuzz.modelStates)],
        ['Model transitions reached', formatCoverage(fuzz.modelTransitions)],
        ['Counterexamples', formatNumber(fuzz.counterexamples.length)],
      ]),
    );
  }
  const body = parts.length === 0 ? '<p class="muted">Not run.</p>' : parts.join('');
  return `<section id="campaign"><h2>Campaign results</h2>${body}</section>`;
}

function detailsSection(results: GateResults): string {
  const config = results.config;
  const rows: [string, string][] = [
    ['Hosts', String(config.hosts)],
    ['Guests', config.guests.join(', ')],
    ['Wall-clock ceiling', config.budgetSeconds === undefined ? 'none' : formatSeconds(config.budgetSeconds)],
    ['Seed', String(config.seed)],
    [
      'Campaign',
      `${config.campaign.fuzzSeeds} seeds × ${config.campaign.fuzzRuns} schedules; ${config.campaign.bugRuns} schedules per seeded bug at seed ${config.campaign.bugSeed}`,
    ],
    ['Seeded bugs enabled', config.bugs.join(', ') || 'none'],
    ...Object.keys(results.figures)
      .sort()
      .map((name): [string, string] => [name, formatFigure(results.figures[name]!)]),
  ];
  return `<section id="details"><h2>Configuration and figures</h2>${figureTable(rows)}</section>`;
}

/** Wall-clock and machine figures: shown here, marked as such; never part of the verdict. */
function timingSection(results: GateResults): string {
  const timing = results.timing;
  const rows: [string, string][] = [
    ...(timing.startedAt === undefined ? [] : [['Started (UTC)', timing.startedAt] as [string, string]]),
    ['Whole gate', formatSeconds(timing.totalSeconds)],
    ...Object.entries(timing.stages).map(([name, seconds]): [string, string] => [
      `Stage ${name}`,
      formatSeconds(seconds),
    ]),
  ];
  if (timing.explore !== undefined) {
    rows.push(
      ['Model check: states per second', formatNumber(timing.explore.statesPerSecond)],
      ['Model check: peak memory (RSS)', formatBytes(timing.explore.peakRssBytes)],
    );
  }
  if (timing.fuzz !== undefined) {
    rows.push(['Fuzz: schedules per second', formatNumber(timing.fuzz.schedulesPerSecond, 1)]);
  }
  for (const [name, seconds] of Object.entries(timing.bugs ?? {}))
    rows.push([`Bug ${name}`, formatSeconds(seconds)]);
  return `<section id="timing"><h2>Timing on this machine</h2><p class="muted">Wall-clock figures of this run: they differ between machines and runs and decide nothing (the verdict is a function of the fixed campaign).</p>${figureTable(rows)}</section>`;
}

/** The self-contained HTML report of a gate run. */
export function renderHtml(results: GateResults, assets: HtmlAssets): string {
  const sections = ['invariants', 'bugs', 'counterexamples', 'diagrams', 'state-space', 'campaign'];
  const nav = [...sections, ...(results.mutation ? ['mutation'] : []), 'details', 'timing']
    .map((id) => `<a href="#${id}">${id.replace('-', ' ')}</a>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>ftcheck: ${e(results.verdict)}</title><style>${HTML_STYLE}</style></head>
<body>${banner(results)}<main><nav>${nav}</nav>${invariantsSection(results)}${bugsSection(results)}${counterexamplesSection(results)}${diagramsSection(results, assets)}${stateSpaceSection(results)}${campaignSection(results)}${mutationSectionHtml(results.mutation)}${detailsSection(results)}${timingSection(results)}</main></body></html>
`;
}
