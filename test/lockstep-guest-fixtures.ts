// Shared by the lockstep tests on real guests: ELFs, request packets, per-guest shapes and a
// randomised input timing, and a pair built from them.
import { readFileSync } from 'node:fs';
import { fc } from '@fast-check/vitest';
import { encodeKvRequest, kvBytes } from '../src/cluster/protocol/kvstore.ts';
import { encodeLedgerRequest } from '../src/cluster/protocol/ledger.ts';
import { LockstepPair, type LockstepPairOptions } from '../src/lockstep/lockstep-pair.ts';
import { PairHost } from '../src/lockstep/pair-host.ts';
import { describeDifferences } from '../src/vm/differences.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

export type GuestName = 'crc' | 'kvstore' | 'ledger' | 'clock';

const ELF: Record<GuestName, Uint8Array> = {
  crc: readFileSync(new URL('../guests/crc.elf', import.meta.url)),
  kvstore: readFileSync(new URL('../guests/kvstore.elf', import.meta.url)),
  ledger: readFileSync(new URL('../guests/ledger.elf', import.meta.url)),
  clock: readFileSync(new URL('../guests/clock.elf', import.meta.url)),
};

const REQUESTS: Record<GuestName, Uint8Array[]> = {
  crc: [],
  clock: [],
  kvstore: [
    encodeKvRequest({ op: 'put', id: 1, key: kvBytes('alpha'), value: kvBytes('one') }),
    encodeKvRequest({ op: 'put', id: 2, key: kvBytes('beta'), value: kvBytes('two') }),
    encodeKvRequest({ op: 'get', id: 3, key: kvBytes('alpha') }),
    encodeKvRequest({ op: 'delete', id: 4, key: kvBytes('beta') }),
    encodeKvRequest({ op: 'shutdown', id: 5 }),
  ],
  ledger: [
    encodeLedgerRequest({ op: 'transfer', id: 1, from: 0, to: 1, amount: 5 }),
    encodeLedgerRequest({ op: 'transfer', id: 2, from: 3, to: 2, amount: 2000 }),
    encodeLedgerRequest({ op: 'balance', id: 3, account: 1 }),
    encodeLedgerRequest({ op: 'audit', id: 4 }),
    encodeLedgerRequest({ op: 'shutdown', id: 5 }),
  ],
};

/** Per guest: instructions per µs of the host clock, run bound, and the densely checked window. */
export const SHAPE: Record<
  GuestName,
  { ipu: number; maxInstructions: number; every: number; denseFrom: number }
> = {
  crc: { ipu: 100, maxInstructions: 60_000, every: 1, denseFrom: 0 },
  ledger: { ipu: 100, maxInstructions: 5_000_000, every: 1, denseFrom: 0 },
  clock: { ipu: 5, maxInstructions: 5_000_000, every: 1, denseFrom: 0 },
  kvstore: { ipu: 100, maxInstructions: 5_000_000, every: 4096, denseFrom: 760_000 },
};

export interface Timing {
  seed: number;
  packetGapsUs: number[];
  diskLatencyUs: { min: number; max: number };
  timerJitterUsMax: number;
  channelDelaySteps: number;
  sliceInstructions: number;
  secondarySpeed: number;
  /** The replayer's lookahead: small ones compact it at every few entries. */
  lookaheadEntries: number;
}

export const timingArb: fc.Arbitrary<Timing> = fc.record({
  seed: fc.nat(),
  packetGapsUs: fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 6, maxLength: 6 }),
  diskLatencyUs: fc
    .tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }))
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
  timerJitterUsMax: fc.integer({ min: 0, max: 300 }),
  channelDelaySteps: fc.integer({ min: 0, max: 3 }),
  sliceInstructions: fc.integer({ min: 500, max: 30_000 }),
  secondarySpeed: fc.constantFrom(0.5, 1, 1.5),
  lookaheadEntries: fc.constantFrom(2, 3, 5, 4096),
});

export const DEFAULT_TIMING: Timing = {
  seed: 1,
  packetGapsUs: [2000, 300, 0, 1500, 40, 10],
  diskLatencyUs: { min: 50, max: 300 },
  timerJitterUsMax: 50,
  channelDelaySteps: 1,
  sliceInstructions: 10_000,
  secondarySpeed: 1,
  lookaheadEntries: 4096,
};

export function guestPair(
  guest: GuestName,
  timing: Timing,
  extra: Partial<LockstepPairOptions> = {},
): LockstepPair {
  const shape = SHAPE[guest];
  let atUs = 0;
  const packets = REQUESTS[guest].map((data, i) => ({ atUs: (atUs += timing.packetGapsUs[i]!), data }));
  const host = new PairHost({
    seed: timing.seed,
    instructionsPerUs: shape.ipu,
    packets,
    diskLatencyUs: timing.diskLatencyUs,
    timerJitterUsMax: timing.timerJitterUsMax,
  });
  return new LockstepPair({
    primary: VirtualMachine.fromElf(ELF[guest]),
    secondary: VirtualMachine.fromElf(ELF[guest]),
    host,
    sliceInstructions: timing.sliceInstructions,
    secondarySpeed: timing.secondarySpeed,
    channelDelaySteps: timing.channelDelaySteps,
    lookaheadEntries: timing.lookaheadEntries,
    checkEvery: shape.every,
    checkEveryBoundaryFrom: shape.denseFrom,
    maxInstructions: shape.maxInstructions,
    describeDifferences,
    keepTranscript: true,
    ...extra,
  });
}

export function freshVm(guest: GuestName): VirtualMachine {
  return VirtualMachine.fromElf(ELF[guest]);
}
