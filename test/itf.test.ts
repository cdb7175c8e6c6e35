// ITF counterexamples as Quint and Apalache read them, checked with a real consumer: Quint's own
// ITF reader (@informalsystems/quint, dist/src/itf.js) decodes every value, and Quint's writer
// gives the same JSON back (so every value is in Quint's canonical form: integers only as
// #bigint, booleans as JSON booleans, state names as strings, the mbt:: variables as Quint's
// model-based tests write them).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { findModelBug } from '../models/bugs.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { ACTION_TAKEN, NONDET_PICKS, toItf } from '../src/check/explorer/itf.ts';
import { stepTimeline } from '../src/check/explorer/stepTable.ts';
import { isModelTimeline, stateTableHtml } from '../src/report/state-table-html.ts';

interface QuintEx {
  kind: string;
  value?: unknown;
  opcode?: string;
  args?: QuintEx[];
}
interface Either<L, R> {
  isRight(): boolean;
  value: L | R;
}
const quint = createRequire(import.meta.url)('@informalsystems/quint/dist/src/itf.js') as {
  ofItf(itf: unknown): QuintEx[];
  toItf(
    vars: string[],
    states: QuintEx[],
    mbtMetadata?: boolean,
  ): Either<string, { vars: string[]; states: unknown[] }>;
};

/** A record's fields as name → expression (Quint's Rec: name, value, name, value, …). */
function fields(record: QuintEx): Map<string, QuintEx> {
  expect(record).toMatchObject({ kind: 'app', opcode: 'Rec' });
  const map = new Map<string, QuintEx>();
  const args = record.args!;
  for (let i = 0; i < args.length; i += 2) map.set(String(args[i]!.value), args[i + 1]!);
  return map;
}

describe('ITF counterexamples', () => {
  const model = createClusterModel({ hosts: 2, bug: findModelBug('go-live-without-test-and-set') });
  const violation = explore(model, { engine: 'auto' }).violations[0]!;
  const itf = JSON.parse(
    JSON.stringify(toItf(violation.trace, model.machine.id, violation.description, { vars: model.itfVars })),
  );

  it('load in Quint’s ITF reader with readable names, booleans and integers', () => {
    const states = quint.ofItf(itf);
    expect(states).toHaveLength(violation.trace.length);
    const last = fields(states.at(-1)!);
    const hosts = last.get('hosts')!;
    expect(hosts).toMatchObject({ kind: 'app', opcode: 'List' });
    const host = fields(hosts.args![0]!);
    expect(host.get('agent')).toMatchObject({ kind: 'str' });
    expect(String(host.get('agent')!.value)).toMatch(/^(idle|primary|secondary|halted|failed)/);
    expect(host.get('up')).toMatchObject({ kind: 'bool' });
    expect(host.get('hist')).toMatchObject({ kind: 'int' });
    expect(last.get('ha')).toMatchObject({ kind: 'str' });
    expect(last.get('partitioned')).toMatchObject({ kind: 'bool' });
    expect(last.get(ACTION_TAKEN)).toMatchObject({ kind: 'str', value: violation.trace.at(-1)!.event!.type });
    expect(fields(states[0]!).get(ACTION_TAKEN)).toMatchObject({ kind: 'str', value: 'init' });
    // A parameterised event's picks are Some(value), as Quint's nondet picks.
    const withHost = violation.trace.findIndex((step) => step.event !== null && 'host' in step.event);
    expect(withHost).toBeGreaterThan(0);
    const picks = fields(fields(states[withHost]!).get(NONDET_PICKS)!);
    expect(picks.get('host')).toMatchObject({ kind: 'app', opcode: 'variant' });
    expect(picks.get('host')!.args![0]).toMatchObject({ kind: 'str', value: 'Some' });
  });

  it('are in Quint’s canonical form: Quint writes the same JSON back', () => {
    const names = itf.vars.filter((name: string) => name !== ACTION_TAKEN && name !== NONDET_PICKS);
    const again = quint.toItf(names, quint.ofItf(itf), true);
    expect(again.isRight()).toBe(true);
    const written = again.value as { vars: string[]; states: unknown[] };
    expect(written.vars).toEqual(itf.vars);
    expect(written.states).toEqual(itf.states);
  });

  it('use #bigint for integers only, never for a boolean flag or a state', () => {
    const text = JSON.stringify(itf);
    expect(text).not.toMatch(/"(up|storage|current|ioOut|partitioned|colocated|durable)":\{"#bigint"/);
    expect(text).not.toMatch(/"(agent|ha|req)":\{"#bigint"/);
  });

  it('render in index.html as a TLC-style state table: a row per step, a column per variable', () => {
    const timeline = stepTimeline(violation.trace, model.view, 'I3 noSplitBrain: two primaries');
    expect(isModelTimeline(timeline)).toBe(true);
    const html = stateTableHtml(timeline);
    const header = [...html.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(header.slice(0, 4)).toEqual(['step (event)', 'h0', 'h1', 'ha']);
    const rows = html.match(/<tr[ >]/g)!.length - 1;
    expect(rows).toBe(violation.trace.length);
    // Every cell is filled with a state name, and only what a step changed is highlighted.
    expect(html).toMatch(/<td class="chg">primary\.alone/);
    expect(html).not.toMatch(/<td( class="chg")?><\/td>/);
    const changedPerRow = html
      .split('<tr')
      .slice(2)
      .map((row) => (row.match(/class="chg"/g) ?? []).length);
    expect(changedPerRow[0]).toBe(header.length - 1); // the initial state: all of it
    expect(Math.min(...changedPerRow.slice(1))).toBeGreaterThan(0);
    expect(html).toMatch(/<tr class="tlc-violation"><th scope="row">step \d+: [^<]* — I3/);
  });
});
