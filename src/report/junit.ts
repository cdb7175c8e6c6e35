// junit.xml: one test case per invariant and per seeded bug, with names that never change between
// runs, so CI systems can track them over time. Plus one case saying whether the gate completed.
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type { BugResult, GateResults, InvariantResult } from '../check/results.ts';
import { escapeXml } from './escape.ts';

interface TestCase {
  name: string;
  seconds: number;
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
  if (invariant.verdict === 'hold') return { name, seconds: 0, outcome: { kind: 'pass' } };
  if (invariant.verdict === 'not-checked') {
    return {
      name,
      seconds: 0,
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
  return { name, seconds: 0, outcome: { kind: 'failure', type: 'violated', message, detail } };
}

function bugCase(bug: BugResult): TestCase {
  const name = bugCaseName(bug.name);
  if (bug.caught) return { name, seconds: bug.seconds, outcome: { kind: 'pass' } };
  const message = `seeded bug ${bug.name} (${bug.level}) was not caught; it should break ${bug.breaks.join(', ')}`;
  const detail = 'A checker that no longer catches its seeded bug has lost its power to fail.';
  return { name, seconds: bug.seconds, outcome: { kind: 'failure', type: 'escaped', message, detail } };
}

function gateCase(results: GateResults): TestCase {
  const name = 'gate completes';
  if (results.verdict === 'error') {
    return {
      name,
      seconds: results.durationSeconds,
      outcome: {
        kind: 'error',
        type: 'error',
        message: 'the gate stopped with an internal error',
        detail: '',
      },
    };
  }
  if (results.verdict === 'interrupted') {
    return {
      name,
      seconds: results.durationSeconds,
      outcome: {
        kind: 'error',
        type: 'interrupted',
        message: 'the gate was interrupted; results are partial',
        detail: '',
      },
    };
  }
  return { name, seconds: results.durationSeconds, outcome: { kind: 'pass' } };
}

function seconds(value: number): string {
  return value.toFixed(3);
}

function renderCase(suite: string, testCase: TestCase): string {
  const open = `    <testcase classname="${escapeXml(suite)}" name="${escapeXml(testCase.name)}" time="${seconds(testCase.seconds)}"`;
  const outcome = testCase.outcome;
  if (outcome.kind === 'pass') return `${open}/>`;
  const attributes = `message="${escapeXml(outcome.message)}" type="${escapeXml(outcome.type)}"`;
  const body = outcome.detail === '' ? '/>' : `>${escapeXml(outcome.detail)}</${outcome.kind}>`;
  return `${open}>\n      <${outcome.kind} ${attributes}${body}\n    </testcase>`;
}

function countOf(suite: TestSuite, kind: TestCase['outcome']['kind']): number {
  return suite.cases.filter((testCase) => testCase.outcome.kind === kind).length;
}

function suiteAttributes(name: string, cases: number, suites: TestSuite[], time: number): string {
  const sum = (kind: TestCase['outcome']['kind']) =>
    suites.reduce((total, suite) => total + countOf(suite, kind), 0);
  return `name="${escapeXml(name)}" tests="${cases}" failures="${sum('failure')}" errors="${sum('error')}" skipped="${sum('skipped')}" time="${seconds(time)}"`;
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
    `<testsuites ${suiteAttributes('ftcheck', total, suites, results.durationSeconds)}>`,
  ];
  for (const suite of suites) {
    const time = suite.cases.reduce((sum, testCase) => sum + testCase.seconds, 0);
    lines.push(`  <testsuite ${suiteAttributes(suite.name, suite.cases.length, [suite], time)}>`);
    for (const testCase of suite.cases) lines.push(renderCase(suite.name, testCase));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
