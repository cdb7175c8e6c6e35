// Every guest on both engines under the same deterministic standalone host: the state digests
// must be equal at every scheduling boundary and at extra seeded stop points between them, and
// both runs must produce the same outputs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Prng } from '../src/base/prng.ts';
import { encodeKvRequest, kvBytes } from '../src/cluster/protocol/kvstore.ts';
import { encodeLedgerRequest } from '../src/cluster/protocol/ledger.ts';
import { StandaloneHost, type StandaloneOptions, type StandaloneStop } from '../src/vm/standalone-host.ts';

const elf = (name: string) => new Uint8Array(readFileSync(new URL(`../guests/${name}.elf`, import.meta.url)));
const at = (atMicros: number, data: Uint8Array) => ({ atMicros, data });

const GUESTS: { name: string; options: StandaloneOptions; maxInstructions: number }[] = [
  { name: 'crc', options: {}, maxInstructions: 3_000_000 },
  { name: 'clock', options: { seed: 3, instructionsPerMicrosecond: 5 }, maxInstructions: 5_000_000 },
  {
    name: 'kvstore',
    options: {
      packets: [
        at(100, encodeKvRequest({ op: 'put', id: 1, key: kvBytes('alpha'), value: kvBytes('one') })),
        at(900, encodeKvRequest({ op: 'put', id: 2, key: kvBytes('beta'), value: kvBytes('two') })),
        at(950, encodeKvRequest({ op: 'get', id: 3, key: kvBytes('alpha') })),
        at(2000, encodeKvRequest({ op: 'delete', id: 4, key: kvBytes('beta') })),
        at(4000, encodeKvRequest({ op: 'shutdown', id: 5 })),
      ],
    },
    maxInstructions: 5_000_000,
  },
  {
    name: 'ledger',
    options: {
      packets: [
        at(100, encodeLedgerRequest({ op: 'transfer', id: 1, from: 0, to: 1, amount: 5 })),
        at(500, encodeLedgerRequest({ op: 'transfer', id: 2, from: 3, to: 2, amount: 2000 })),
        at(600, encodeLedgerRequest({ op: 'balance', id: 3, account: 1 })),
        at(3000, encodeLedgerRequest({ op: 'audit', id: 4 })),
        at(5000, encodeLedgerRequest({ op: 'shutdown', id: 5 })),
      ],
    },
    maxInstructions: 5_000_000,
  },
];

describe('every guest on both engines', () => {
  for (const guest of GUESTS) {
    it(`${guest.name}: same digest at every boundary, same outputs`, () => {
      const options = { ...guest.options, maxInstructions: guest.maxInstructions };
      const reference = new StandaloneHost(elf(guest.name), { ...options, engine: 'interpreter' });
      const compiled = new StandaloneHost(elf(guest.name), { ...options, engine: 'compiled' });
      expect([reference.vm.engine, compiled.vm.engine]).toEqual(['interpreter', 'compiled']);
      const prng = new Prng(0x5eed);
      let boundaries = 0;
      let stop: StandaloneStop | null = null;
      while (stop === null) {
        // An extra stop point inside the next slice, the same on both.
        const extra = reference.vm.instret + 1 + prng.nextInt(2000);
        if (!reference.vm.exited && !reference.vm.hart.fatal && extra <= guest.maxInstructions) {
          const a = reference.vm.run(extra);
          const b = compiled.vm.run(extra);
          expect(b).toBe(a);
          expect(compiled.vm.digest()).toBe(reference.vm.digest());
        }
        stop = reference.step();
        expect(compiled.step()).toBe(stop);
        expect(compiled.vm.digest()).toBe(reference.vm.digest());
        boundaries++;
      }
      const expected = reference.result(stop);
      const actual = compiled.result(stop);
      expect(actual.console).toBe(expected.console);
      expect(actual.transmitted).toEqual(expected.transmitted);
      expect(actual.instructions).toBe(expected.instructions);
      expect(Buffer.from(actual.disk).equals(Buffer.from(expected.disk))).toBe(true);
      expect(boundaries).toBeGreaterThan(5);
      if (guest.name !== 'crc') expect(stop).toBe('exit');
    });
  }
});
