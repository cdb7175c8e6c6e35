// Shared by the report tests: the realistic fixture, deep copies of it, and a hostile variant.
import { readFileSync } from 'node:fs';
import type { GateResults } from '../src/check/results.ts';
import { parseResults } from '../src/report/results-schema.ts';

export const FIXTURE_PATH = new URL('./fixtures/results-fail.json', import.meta.url).pathname;

/** A fresh, validated copy of test/fixtures/results-fail.json. */
export function loadFixture(): GateResults {
  return parseResults(JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')), FIXTURE_PATH);
}

export const HOSTILE = '<script>alert(1)</script>';

/** The fixture with markup planted in every string a trace or a result can carry. */
export function hostileFixture(): GateResults {
  const results = loadFixture();
  const example = results.counterexamples[0]!;
  example.timeline.push(
    { atMicros: 1_250_000, lane: 'h2', kind: 'note', text: HOSTILE },
    {
      atMicros: 1_260_000,
      lane: `"><img src=x onerror=alert(2)>`,
      kind: 'fault',
      text: `a & b ' " ${HOSTILE}`,
    },
  );
  example.message = `${HOSTILE} message`;
  example.reproduce = `ftcheck replay '${HOSTILE}'`;
  example.host = HOSTILE;
  results.invariants.I3.message = HOSTILE;
  results.bugs![2]!.name = `${HOSTILE}]]>`;
  results.figures[HOSTILE] = HOSTILE;
  results.tool.version = HOSTILE;
  return results;
}
