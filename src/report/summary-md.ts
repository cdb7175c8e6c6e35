// summary.md: the gate's result for a CI job summary (GitHub's $GITHUB_STEP_SUMMARY renders it).
// It leads with the verdict, then the tables, then each counterexample with how to reproduce it.
// It shows no wall-clock figure (durations, rates, memory: those are in results.json `timing` and
// index.html), so the same gate writes the same bytes on every machine.
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type { CounterexampleSummary, GateResults } from '../check/results.ts';
import { escapeMarkdownCell, escapeMarkdownInline, markdownCode, markdownFence } from './escape.ts';
import {
  BUG_TABLE_COLUMNS,
  formatCoverage,
  formatFigure,
  formatNumber,
  formatSchedulesToFailure,
  formatSeconds,
} from './format.ts';
import { mutationMarkdown } from './mutation-md.ts';
import { timelineToMermaid } from './timeline-mermaid.ts';
import {
  bugVerdictText,
  COLUMN_HELP,
  headline as failureHeadline,
  foundBy,
  INVARIANT_VERDICT_ICON,
  STAGE_STATUS_TEXT,
  VERDICT_ICON,
  violationText,
} from './verdict.ts';

/** GitHub refuses step summaries over 1 MiB; Mermaid blocks past this size are linked instead. */
const MERMAID_CHARS_MAX = 40_000;

const cell = escapeMarkdownCell;

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** A relative link to a file in the reports folder (text and target escaped). */
function fileLink(path: string): string {
  return `[${escapeMarkdownInline(path)}](${encodeURI(path).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)})`;
}

/** What a table's columns mean, under it. */
function columnHelp(rows: readonly (readonly [string, string])[]): string {
  return `_${rows.map(([name, meaning]) => `${name}: ${escapeMarkdownInline(meaning)}`).join('. ')}._`;
}

function headline(results: GateResults): string {
  const invariants = Object.values(results.invariants);
  const held = invariants.filter((invariant) => invariant.verdict === 'hold').length;
  const bugs = results.bugs ?? [];
  const parts = [
    `${held} of ${invariants.length} invariants hold`,
    ...(bugs.length > 0
      ? [`${bugs.filter((bug) => bug.caught).length} of ${bugs.length} seeded bugs caught`]
      : []),
    `${results.counterexamples.length} counterexample${results.counterexamples.length === 1 ? '' : 's'}`,
    `ftcheck ${escapeMarkdownInline(results.tool.version)}`,
  ];
  const shard = results.config.shard;
  if (shard !== undefined) parts.push(`shard ${shard.index}/${shard.count}`);
  const stages = results.stages.map(
    (stage) => `${escapeMarkdownInline(stage.name)} ${STAGE_STATUS_TEXT[stage.status]}`,
  );
  const stagesLine = stages.length === 0 ? '' : `\n\nStages: ${stages.join(' · ')}`;
  return `# ${VERDICT_ICON[results.verdict]} ftcheck ${escapeMarkdownInline(failureHeadline(results))}\n\n${parts.join(' · ')}${stagesLine}`;
}

function invariantsSection(results: GateResults): string {
  const rows = (Object.keys(INVARIANTS) as InvariantId[]).map((id) => {
    const invariant = results.invariants[id];
    return [
      id,
      cell(INVARIANTS[id]),
      INVARIANT_VERDICT_ICON[invariant.verdict],
      cell(invariant.checkedBy.join(', ')),
      invariant.counterexamples
        .map((path) => {
          const example = results.counterexamples.find((c) => c.path === path);
          return `${fileLink(path)}${example === undefined ? '' : ` (${foundBy(example)})`}`;
        })
        .join(', '),
      cell(invariant.message ?? ''),
    ];
  });
  return `## Invariants\n\n${table(['Id', 'Invariant', 'Verdict', 'Checked by', 'Counterexamples', 'Note'], rows)}\n\n${columnHelp(COLUMN_HELP.invariants)}`;
}

function exploreSection(results: GateResults): string[] {
  const explore = results.explore;
  if (explore === undefined) return [];
  const rows = [
    ['Hosts', formatNumber(explore.hosts)],
    ['States', formatNumber(explore.states)],
    ['Transitions', formatNumber(explore.transitions)],
    ['Deadlocks', formatNumber(explore.deadlocks)],
    ['Liveness', explore.liveness === 'hold' ? '✅ holds' : '❌ violated'],
  ];
  const violations = explore.violations.map((violation) => [
    cell(violation.invariant),
    cell(violation.message),
    formatNumber(violation.steps),
    violation.counterexample === undefined ? '' : fileLink(violation.counterexample),
  ]);
  return [
    `## State space (exhaustive model check)\n\n${table(['Figure', 'Value'], rows)}`,
    ...(violations.length > 0
      ? [`### Model violations\n\n${table(['Invariant', 'Message', 'Steps', 'Trace'], violations)}`]
      : []),
  ];
}

function conformanceSection(results: GateResults): string[] {
  const conformance = results.conformance;
  if (conformance === undefined) return [];
  const rows = [
    ['Paths run on the emulator', formatNumber(conformance.paths)],
    ['Paths passed', formatNumber(conformance.passed)],
    ['Model states covered', formatCoverage(conformance.states)],
    ['Model transitions covered', formatCoverage(conformance.transitions)],
  ];
  const failures = conformance.failures.map((failure) => [cell(failure.path), cell(failure.message)]);
  return [
    `## Conformance (model paths on the emulator)\n\n${table(['Figure', 'Value'], rows)}`,
    ...(failures.length > 0 ? [`### Conformance failures\n\n${table(['Path', 'Message'], failures)}`] : []),
  ];
}

function fuzzSection(results: GateResults): string[] {
  const fuzz = results.fuzz;
  if (fuzz === undefined) return [];
  const rows = [
    ['Runs', `${formatNumber(fuzz.runs)} of ${formatNumber(fuzz.planned.seeds * fuzz.planned.runsPerSeed)}`],
    [
      'Campaign',
      `${formatNumber(fuzz.planned.seeds)} seeds × ${formatNumber(fuzz.planned.runsPerSeed)} schedules`,
    ],
    ['Seeds', `${fuzz.seeds.first} … ${fuzz.seeds.last}`],
    ['Model states reached', formatCoverage(fuzz.modelStates)],
    ['Model transitions reached', formatCoverage(fuzz.modelTransitions)],
    ['Counterexamples', formatNumber(fuzz.counterexamples.length)],
  ];
  return [`## Fault-fuzzing campaign\n\n${table(['Figure', 'Value'], rows)}`];
}

function bugsSection(results: GateResults): string[] {
  const bugs = results.bugs;
  if (bugs === undefined || bugs.length === 0) return [];
  const rows = bugs.map((bug) => [
    cell(bug.name),
    bug.level,
    bug.breaks.join(', '),
    bugVerdictText(bug),
    cell(bug.invariant ?? ''),
    formatSchedulesToFailure(bug),
    bug.size === undefined ? '' : formatNumber(bug.size),
    bug.counterexample === undefined ? '' : fileLink(bug.counterexample),
  ]);
  return [`## Bug catalog self-test\n\n${table(BUG_TABLE_COLUMNS, rows)}\n\n${columnHelp(COLUMN_HELP.bugs)}`];
}

function counterexampleBlock(example: CounterexampleSummary, index: number): string {
  const mermaid = example.mermaid.trim() !== '' ? example.mermaid : timelineToMermaid(example.timeline);
  const diagram =
    mermaid.length <= MERMAID_CHARS_MAX
      ? markdownFence('mermaid', mermaid)
      : `_Sequence diagram too large for the job summary (${formatNumber(mermaid.length)} characters); see index.html._`;
  return [
    `### ${index + 1}. ${escapeMarkdownInline(violationText(example.invariant, example))}`,
    escapeMarkdownInline(example.message),
    `Reproduce: ${markdownCode(example.reproduce)} · trace: ${fileLink(example.path)}`,
    diagram,
  ].join('\n\n');
}

function counterexamplesSection(results: GateResults): string[] {
  if (results.counterexamples.length === 0) return [];
  return [`## Counterexamples\n\n${results.counterexamples.map(counterexampleBlock).join('\n\n')}`];
}

function figuresSection(results: GateResults): string[] {
  const names = Object.keys(results.figures).sort();
  const rows = names.map((name) => [cell(name), cell(formatFigure(results.figures[name]!))]);
  const diagrams = results.diagrams.map((diagram) => [
    cell(diagram.name),
    fileLink(diagram.svg),
    fileLink(diagram.mermaid),
  ]);
  return [
    ...(rows.length > 0 ? [`## Figures\n\n${table(['Figure', 'Value'], rows)}`] : []),
    ...(diagrams.length > 0
      ? [`## Protocol diagrams\n\n${table(['Diagram', 'SVG', 'Mermaid'], diagrams)}`]
      : []),
  ];
}

function configLine(results: GateResults): string {
  const config = results.config;
  const parts = [
    `hosts ${config.hosts}`,
    `guests ${config.guests.map(markdownCode).join(', ') || 'none'}`,
    config.budgetSeconds === undefined ? 'no ceiling' : `ceiling ${formatSeconds(config.budgetSeconds)}`,
    `seed ${config.seed}`,
    `campaign ${config.campaign.fuzzSeeds} seeds × ${config.campaign.fuzzRuns} schedules, ${config.campaign.bugRuns} schedules per seeded bug (seed ${config.campaign.bugSeed})`,
    ...(config.bugs.length > 0 ? [`seeded bugs enabled: ${config.bugs.map(markdownCode).join(', ')}`] : []),
  ];
  return `_Configuration: ${parts.join(' · ')}. Full report: index.html._`;
}

/** The Markdown job summary of a gate run. */
export function renderSummaryMarkdown(results: GateResults): string {
  const sections = [
    headline(results),
    invariantsSection(results),
    ...bugsSection(results),
    ...counterexamplesSection(results),
    ...exploreSection(results),
    ...conformanceSection(results),
    ...fuzzSection(results),
    ...(results.mutation ? [mutationMarkdown(results.mutation).join('\n').trim()] : []),
    ...figuresSection(results),
    configLine(results),
  ];
  return `${sections.join('\n\n')}\n`;
}
