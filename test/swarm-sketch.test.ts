// The swarm's coverage counting: state fingerprints that mean the same in every search (by value,
// and up to symmetry), and sketches whose union is exact while members keep their lists and a
// HyperLogLog estimate within its stated error after.
import { describe, expect, it } from 'vitest';
import { toyModel } from '../bench/spin/model.ts';
import { Prng } from '../src/base/prng.ts';
import { compileMachine } from '../src/check/explorer/compile.ts';
import { compiledEngine } from '../src/check/explorer/compiledEngine.ts';
import { StateFingerprint } from '../src/check/explorer/fingerprint.ts';
import {
  CoverageSketch,
  decodeSketch,
  EXACT_FINGERPRINTS_MAX,
  HLL_RELATIVE_ERROR,
  unionCoverage,
} from '../src/check/explorer/swarmSketch.ts';
import type { ExplorerModel } from '../src/check/explorer/types.ts';

const decoded = (sketch: CoverageSketch) => {
  const result = decodeSketch(sketch.encode());
  if (!result.ok) throw new Error(result.reason);
  return result.sketch;
};

/**
 * Fingerprints of every state of a model. `reversed`: the engine's value tables are first filled
 * with every value in reverse order, so codes (and, under symmetry, which representative of an
 * orbit is stored) differ from a search that numbers values as it meets them.
 */
function fingerprints(model: ExplorerModel<unknown>, symmetry: boolean, reversed: boolean) {
  const spec = symmetry && typeof model.symmetry === 'object' ? model.symmetry : undefined;
  const compiled = compileMachine(model.machine, model.input, spec);
  if (reversed) {
    const values = compiledEngine(model, { symmetry });
    values.start();
    for (let i = 0; i < values.count(); i++) values.expand(i, () => {});
    const tables = values.machine.layout.tableSeeds();
    const layout = compiled.layout;
    for (let f = 0; f < layout.count; f++) {
      for (const value of [...tables[layout.tableOf[f]!]!].reverse()) layout.code(f, value);
    }
  }
  const engine = compiledEngine(model, { symmetry, compiled });
  const fingerprint = new StateFingerprint(engine.machine, spec);
  engine.start();
  for (let i = 0; i < engine.count(); i++) engine.expand(i, () => {});
  const row = new Int32Array(engine.machine.width);
  const seen = new Set<string>();
  const rows = new Set<string>();
  for (let i = 0; i < engine.count(); i++) {
    engine.packer.unpack(engine.table.rows, engine.table.offsetOf(i), row);
    fingerprint.of(row);
    seen.add(`${fingerprint.hi}:${fingerprint.lo}`);
    rows.add(JSON.stringify(engine.state(i)));
  }
  return { count: engine.count(), seen, rows };
}

describe('state fingerprints', () => {
  it('are the same in searches that code values differently, and tell states apart', () => {
    const model = toyModel(3, 2, 3) as ExplorerModel<unknown>;
    const a = fingerprints(model, false, false);
    const b = fingerprints(model, false, true);
    expect(a.count).toBe(4_392);
    expect(a.seen.size).toBe(4_392);
    expect([...a.seen].sort()).toEqual([...b.seen].sort());
  });

  it('under symmetry, are one per orbit whichever representative a search stored', () => {
    // The toy's hosts own regions, records and the lock (a value field): every kind of slice.
    const model = toyModel(3, 2, 3, { symmetry: true }) as ExplorerModel<unknown>;
    const a = fingerprints(model, true, false);
    const b = fingerprints(model, true, true);
    expect([a.count, b.count]).toEqual([2_646, 2_646]);
    expect(a.seen.size).toBe(2_646);
    // The two searches stored different representatives of some orbits …
    expect([...a.rows].filter((r) => !b.rows.has(r)).length).toBeGreaterThan(100);
    // … and fingerprinted every orbit alike.
    expect([...a.seen].sort()).toEqual([...b.seen].sort());
  });
});

describe('coverage sketches', () => {
  const random = (prng: Prng, n: number, sketch: CoverageSketch) => {
    for (let i = 0; i < n; i++) sketch.add(prng.nextU32(), prng.nextU32());
  };

  it('count the union exactly while every member keeps its fingerprints', () => {
    const a = new CoverageSketch();
    const b = new CoverageSketch();
    for (let i = 0; i < 1000; i++) a.add(i, i * 7);
    for (let i = 500; i < 1500; i++) b.add(i, i * 7);
    expect(unionCoverage([decoded(a), decoded(b)])).toEqual({ states: 1500, exact: true, relativeError: 0 });
    expect(unionCoverage([decoded(b), decoded(a)])).toEqual(unionCoverage([decoded(a), decoded(b)]));
  });

  it('estimate within three standard errors past the exact limit, whatever the grouping', () => {
    const prng = new Prng(42);
    const big = new CoverageSketch();
    random(prng, EXACT_FINGERPRINTS_MAX + 50_000, big);
    const small = new CoverageSketch();
    random(prng, 30_000, small);
    const union = unionCoverage([decoded(big), decoded(small)]);
    const truth = EXACT_FINGERPRINTS_MAX + 80_000;
    expect(union.exact).toBe(false);
    expect(union.relativeError).toBeCloseTo(0.0081, 4);
    expect(Math.abs(union.states - truth) / truth).toBeLessThan(3 * HLL_RELATIVE_ERROR);
    expect(decoded(big).exact).toBeNull();
    expect(unionCoverage([decoded(small), decoded(big)])).toEqual(union);
  });

  it('refuse encodings that are not what a member writes', () => {
    const sketch = new CoverageSketch();
    for (let i = 0; i < 10; i++) sketch.add(i + 1, i);
    const good = sketch.encode();
    const registers = Buffer.from(good.hll, 'base64');
    registers[0] = 99;
    expect(decodeSketch({ ...good, hll: registers.toString('base64') })).toMatchObject({
      ok: false,
      field: 'hll',
      reason: 'a register is above 51',
    });
    expect(decodeSketch({ ...good, hll: Buffer.alloc(10).toString('base64') })).toMatchObject({
      ok: false,
      field: 'hll',
    });
    expect(decodeSketch({ ...good, states: 11 })).toMatchObject({ ok: false, field: 'exact' });
    expect(decodeSketch({ ...good, exact: null })).toMatchObject({ ok: false, field: 'exact' });
    const other = new CoverageSketch();
    for (let i = 0; i < 10; i++) other.add(i + 100, i);
    // Another member's fingerprints under this member's registers: they do not match.
    expect(decodeSketch({ ...good, exact: other.encode().exact })).toMatchObject({
      ok: false,
      field: 'hll',
      reason: 'the registers do not match the fingerprints',
    });
  });
});
