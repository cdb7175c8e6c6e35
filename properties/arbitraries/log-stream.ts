// Generators of well-formed log streams, for the codec's tests and the monitors' own reader.
import fc from 'fast-check';
import type { LogEntry } from '../../src/lockstep/log-entry.ts';
import type { Nondet, VmInput } from '../../src/vm/api.ts';

const bytesArb = fc.uint8Array({ maxLength: 300 });
const inputArb: fc.Arbitrary<VmInput> = fc.oneof(
  fc.constant<VmInput>({ kind: 'timer' }),
  bytesArb.map((data): VmInput => ({ kind: 'nic-rx', data })),
  fc.record({ id: fc.nat(1e6), data: fc.option(bytesArb, { nil: undefined }), error: fc.boolean() }).map(
    ({ id, data, error }): VmInput => ({
      kind: 'disk-done',
      id,
      ...(data ? { data } : {}),
      ...(error ? { error: true } : {}),
    }),
  ),
);
const entryArb = (instret: number): fc.Arbitrary<LogEntry> =>
  fc.oneof(
    fc.constant<LogEntry>({ kind: 'progress', instret }),
    fc
      .record({ source: fc.integer({ min: 0, max: 6 }), value: fc.nat(0xffffffff) })
      .map(({ source, value }): LogEntry => ({ kind: 'nondet', instret, source: source as Nondet, value })),
    inputArb.map((input): LogEntry => ({ kind: 'input', instret, input })),
    fc
      .integer({ min: 0, max: 2 })
      .map((o): LogEntry => ({ kind: 'output', instret, output: o as 0 | 1 | 2 })),
  );
export const logArb = fc
  .tuple(fc.nat(2 ** 40), fc.array(fc.nat(100_000), { maxLength: 60, size: 'max' }))
  .chain(([base, steps]) => {
    let instret = base;
    const stamps = steps.map((delta) => (instret += delta));
    return fc
      .tuple(...stamps.map((s) => entryArb(s)))
      .map((entries): LogEntry[] => [{ kind: 'start', instret: base }, ...entries]);
  });
