// The trace digest's step (src/sim/entry-hash.ts) hashes an entry without building its JSON text:
// it must give exactly FNV-1a over `JSON.stringify(entry)` for any entry, including the strings
// that need escapes, lone surrogates, non-integer and huge numbers and undefined fields (the
// digest is stored in trace files and compared across versions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashTraceEntry } from '../src/sim/entry-hash.ts';

function hashOfJson(hash: number, entry: unknown): number {
  const json = JSON.stringify(entry);
  let h = hash;
  for (let i = 0; i < json.length; i++) h = Math.imul(h ^ json.charCodeAt(i), 0x01000193);
  return (h ^ 0x0a) >>> 0;
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('h1>h2', 'a"b', 'a\\b', '\n', '\ud800'),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(-0, 1e21, 2 ** 60, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const detail = fc.dictionary(fc.oneof(text, fc.constantFrom('0', '12', 'id', 'net')), value, { maxKeys: 6 });

describe('trace entry hash', () => {
  it('equals FNV-1a over the JSON text of the entry', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.maxSafeInteger(),
        text,
        text,
        detail,
        (hash, timeUs, kind, subject, fields) => {
          const time = Math.abs(timeUs);
          expect(hashTraceEntry(hash, time, kind, subject, fields)).toBe(
            hashOfJson(hash, [time, kind, subject, fields]),
          );
        },
      ),
      { seed: 12, numRuns: 5_000 },
    );
  });

  it('hashes details that are not plain objects as JSON does', () => {
    class Detail {
      own = 1;
      get hidden(): number {
        return 2;
      }
    }
    const details: unknown[] = [
      new Detail(),
      [1, 'a'],
      Object.create({ inherited: 1 }),
      { toJSON: () => 'x' },
    ];
    for (const fields of details) {
      const record = fields as Record<string, unknown>;
      expect(hashTraceEntry(7, 3, 'vm', 'h1', record)).toBe(hashOfJson(7, [3, 'vm', 'h1', fields]));
    }
  });

  it('hashes a detail with integer-like keys in JSON order', () => {
    const fields = { b: 1, '2': 'x', a: null, '1': true };
    expect(hashTraceEntry(7, 3, 'send', 'h1>h2', fields)).toBe(hashOfJson(7, [3, 'send', 'h1>h2', fields]));
  });
});
