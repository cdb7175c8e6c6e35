// junit.xml: one test case per invariant and per seeded bug, with names that never change between
// runs, so CI systems can track them over time. Plus one case saying whether the gate completed.
// Every `time` attribute is 0: a real one would be wall-clock, and this file is the same bytes on
// every machine for the same gate (durations are in results.json `timing` and index.html). Readers
// such as dorny/test-reporter need the attribute to be there and a number.
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type { BugResult, GateResults, InvariantResult } from '../check/results.ts';
import { escapeXml } from './escape.ts';

interface TestCase {
  name: string;
  outcome:
    | { kind: 'pass' }
    | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; detail: string };
}

interface TestSuite {
  name: string;
  cases: TestCase[];
}

/** Stable test-case name of an invariant, e.g. `I3 no split-brain`. */
export function invariantCaseName(id: InvariantId): string {
  return `${id} ${INVARIANTS[id]}`;
}

/** Stable test-case name of a seeded bug, e.g. `bug skip-test-and-set is caught`. */
export function bugCaseName(name: string): string {
  return `bug ${name} is caught`;
}

function invariantCase(results: GateResults, id: InvariantId, invariant: InvariantResult): TestCase {
  const name = invariantCaseName(id);
  if (invariant.verdict === 'hold') return { name, outcome: { kind: 'pass' } };
  if (invariant.verdict === 'not-checked') {
    return {
      name,
      outcome: { kind: 'skipped', type: 'not-checked', message: 'not checked in this run', detail: '' },
    };
  }
  const examples = results.counterexamples.filter((example) => example.invariant === id);
  const detail = [
    ...(invariant.message === undefined ? [] : [invariant.message]),
    ...examples.map((example) => `${example.path}: ${example.message}\n  reproduce: ${example.reproduce}`),
    ...invariant.counterexamples
      .filter((path) => !examples.some((example) => example.path === path))
      .map((path) => `counterexample: ${path}`),
  ].join('\n');
  const message = invariant.message ?? examples[0]?.message ?? `${name} is violated`;
  return { name, outcome: { kind: 'failure', type: 'violated', message, detail } };
}

function bugCase(bug: BugResult): TestCase {
  const name = bugCaseName(bug.name);
  if (bug.status === 'caught') return { name, outcome: { kind: 'pass' } };
  if (bug.status !== 'escaped') {
    const runs =
      bug.runsPlanned === undefined ? '' : ` (${bug.runs ?? 0} of ${bug.runsPlanned} schedules run)`;
    const message =
      bug.status === 'not-run'
        ? 'not run: the gate was stopped before it'
        : `inconclusive: the gate was stopped before its fixed count${runs}`;
    return { name, outcome: { kind: 'skipped', type: bug.status, message, detail: '' } };
  }
  const others = [...new Set((bug.otherInvariants ?? []).map((other) => other.invariant))];
  const message =
    others.length > 0
      ? `seeded bug ${bug.name} (${bug.level}) was caught by ${others.join(', ')}, declared ${bug.breaks.join(', ')}: that does not count`
      : `seeded bug ${bug.name} (${bug.level}) was not caught; it should break ${bug.breaks.join(', ')}`;
  const detail = [
    'A checker that no longer catches its seeded bug has lost its power to fail.',
    ...(bug.otherInvariants ?? []).map((other) => `schedule ${other.run}: ${other.message}`),
  ].join('\n');
  return { name, outcome: { kind: 'failure', type: 'escaped', message, detail } };
}

const STOPPED_MESSAGE: Partial<Record<GateResults['verdict'], string>> = {
  error: 'the gate stopped with an internal error',
  interrupted: 'the gate was interrupted by a signal; results are partial',
  inconclusive:
    'the wall-clock ceiling (--budget) stopped the gate before its fixed campaign was done; nothing failed',
};

function gateCase(results: GateResults): TestCase {
  const name = 'gate completes';
  const message = STOPPED_MESSAGE[results.verdict];
  if (message === undefined) return { name, outcome: { kind: 'pass' } };
  const detail = results.stages.map((stage) => `${stage.name}: ${stage.status}`).join('\n');
  return { name, outcome: { kind: 'error', type: results.verdict, message, detail } };
}

function renderCase(suite: string, testCase: TestCase): string {
  const open = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(testCase.name)}" ${NO_TIME}`;
  const outcome = testCase.outcome;
  if (outcome.kind === 'pass') return `${open}/>`;
  const attributes = `message="${escapeXml(outcome.message)}" type="${escapeXml(outcome.type)}"`;
  const body = outcome.detail === '' ? '/>' : `>${escapeXml(outcome.detail)}</${outcome.kind}>`;
  return `${open}>\n      <${outcome.kind} ${attributes}${body}\n    </testcase>`;
}

function countOf(suite: TestSuite, kind: TestCase['outcome']['kind']): number {
  return suite.cases.filter((testCase) => testCase.outcome.kind === kind).length;
}

/** The `time` of every element: wall-clock has no place in a file that must not depend on the machine. */
const NO_TIME = 'time="0"';

function suiteAttributes(name: string, cases: number, suites: TestSuite[]): string {
  const sum = (kind: TestCase['outcome']['kind']) =>
    suites.reduce((total, suite) => total + countOf(suite, kind), 0);
  return `name="${escapeXml(name)}" tests="${cases}" failures="${sum('failure')}" errors="${sum('error')}" skipped="${sum('skipped')}" ${NO_TIME}`;
}

/** The JUnit XML report of a gate run. */
export function renderJunit(results: GateResults): string {
  const suites: TestSuite[] = [
    {
      name: 'ftcheck.invariants',
      cases: (Object.keys(INVARIANTS) as InvariantId[]).map((id) =>
        invariantCase(results, id, results.invariants[id]),
      ),
    },
    { name: 'ftcheck.bugs', cases: (results.bugs ?? []).map(bugCase) },
    { name: 'ftcheck.gate', cases: [gateCase(results)] },
  ];
  const total = suites.reduce((sum, suite) => sum + suite.cases.length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${suiteAttributes('ftcheck', total, suites)}>`,
  ];
  for (const suite of suites) {
    lines.push(`  <testsuite ${suiteAttributes(suite.name, suite.cases.length, [suite])}>`);
    for (const testCase of suite.cases) lines.push(renderCase(suite.name, testCase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
