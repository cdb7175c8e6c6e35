// Every bundled guest runs to its expected output on the standalone host, checked against
// TypeScript references: a CRC-32 of the same buffers, and the kvstore/ledger reference models.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeKvDisk,
  decodeKvReply,
  decodeKvStats,
  encodeKvReply,
  encodeKvRequest,
  KV_DISK_BYTES,
  type KvRequest,
  KvStatus,
  KvStoreModel,
  kvBytes,
} from '../src/cluster/protocol/kvstore.ts';
import {
  decodeLedgerDisk,
  decodeLedgerReply,
  encodeLedgerReply,
  encodeLedgerRequest,
  LEDGER_ACCOUNTS,
  LEDGER_DISK_BYTES,
  LEDGER_TOTAL,
  LedgerModel,
  type LedgerRequest,
  LedgerStatus,
} from '../src/cluster/protocol/ledger.ts';
import { runStandalone, type StandaloneResult, type TimedPacket } from '../src/vm/standalone-host.ts';

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../guests/${name}.elf`, import.meta.url)));
const crcElf = guest('crc');
const clockElf = guest('clock');
const kvstoreElf = guest('kvstore');
const ledgerElf = guest('ledger');
const DISK_LATENCY_MICROS = 200;

// --- crc -------------------------------------------------------------------------------------

const CRC_ROUNDS = 24;
const CRC_BUFFER_BYTES = 32 * 1024;
/** Pinned: crc has no nondeterministic input, so its length never varies. */
const CRC_INSTRUCTIONS = 37_399_055;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffff_ffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffff_ffff) >>> 0;
}

/** The guest's buffer for one round: xorshift32 words, little-endian. */
function crcBuffer(round: number): Uint8Array {
  const words = new Uint32Array(CRC_BUFFER_BYTES / 4);
  let s = (0x1234_5678 + Math.imul(round, 0x9e37_79b9)) >>> 0;
  for (let i = 0; i < words.length; i++) {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    words[i] = s;
  }
  return new Uint8Array(words.buffer);
}

function expectedCrcConsole(): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  let text = `crc: ${CRC_ROUNDS} rounds of CRC-32 over ${CRC_BUFFER_BYTES} bytes\n`;
  let combined = 0;
  for (let round = 0; round < CRC_ROUNDS; round++) {
    const crc = crc32(crcBuffer(round));
    combined = (combined ^ crc) >>> 0;
    text += `round ${round}: ${hex(crc)}\n`;
  }
  return `${text}crc: combined ${hex(combined)}\n`;
}

describe('crc', () => {
  it('prints the CRC-32 that TypeScript computes for the same buffers and exits 0', () => {
    const result = runStandalone(crcElf);
    expect(result.stop).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(result.console).toBe(expectedCrcConsole());
    expect(result.instructions).toBe(CRC_INSTRUCTIONS);
  });
});

// --- clock -----------------------------------------------------------------------------------

const CLOCK_TICKS = 40;
const CLOCK_PERIOD_MICROS = 1000;
const TICK_LINE =
  /^tick (\d+) time=([0-9a-f]+) cycle=([0-9a-f]+) mtime=([0-9a-f]+) entropy=([0-9a-f]{8}) work=([0-9a-f]{8})$/;

interface TickLine {
  tick: number;
  time: number;
  cycle: number;
  mtime: number;
  entropy: string;
}

function tickLines(console: string): TickLine[] {
  return console
    .split('\n')
    .filter((line) => line.startsWith('tick '))
    .map((line) => {
      const match = TICK_LINE.exec(line);
      expect(match, `malformed tick line: ${line}`).not.toBeNull();
      const [, tick, time, cycle, mtime, entropy] = match!;
      return {
        tick: Number(tick),
        time: Number.parseInt(time!, 16),
        cycle: Number.parseInt(cycle!, 16),
        mtime: Number.parseInt(mtime!, 16),
        entropy: entropy!,
      };
    });
}

describe('clock', () => {
  const run = (seed: number) => runStandalone(clockElf, { seed, instructionsPerMicrosecond: 50 });

  it('prints one line per tick, 40 ticks at least a period apart, then exits 0', () => {
    const result = run(7);
    expect(result.stop).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(
      result.console.startsWith(`clock: ${CLOCK_TICKS} ticks every ${CLOCK_PERIOD_MICROS} mtime units\n`),
    ).toBe(true);
    expect(result.console.endsWith(`clock: done after ${CLOCK_TICKS} ticks\n`)).toBe(true);
    const ticks = tickLines(result.console);
    expect(ticks.map((t) => t.tick)).toEqual(Array.from({ length: CLOCK_TICKS }, (_, i) => i + 1));
    for (let i = 1; i < ticks.length; i++) {
      expect(ticks[i]!.time - ticks[i - 1]!.time).toBeGreaterThanOrEqual(CLOCK_PERIOD_MICROS);
      expect(ticks[i]!.cycle).toBeGreaterThan(ticks[i - 1]!.cycle);
    }
    for (const t of ticks) expect(t.mtime).toBeGreaterThanOrEqual(t.time);
  });

  it('is a pure function of its inputs: same seed, same console; new seed, new entropy', () => {
    const first = run(7);
    expect(run(7).console).toBe(first.console);
    const entropy = (r: StandaloneResult) => tickLines(r.console).map((t) => t.entropy);
    expect(entropy(run(8))).not.toEqual(entropy(first));
  });
});

// --- kvstore ---------------------------------------------------------------------------------

/** All packets queued at time 0: the host delivers each as soon as the guest re-arms its buffer. */
const queued = (packets: Uint8Array[]): TimedPacket[] => packets.map((data) => ({ atMicros: 0, data }));

function runKvstore(
  packets: Uint8Array[],
  diskImage: Uint8Array = new Uint8Array(KV_DISK_BYTES),
): StandaloneResult {
  return runStandalone(kvstoreElf, {
    diskImage,
    packets: queued(packets),
    diskLatencyMicros: DISK_LATENCY_MICROS,
  });
}

function expectKvRepliesMatchModel(
  result: StandaloneResult,
  packets: Uint8Array[],
  model: KvStoreModel,
): void {
  expect(result.transmitted.length).toBe(packets.length);
  packets.forEach((packet, i) => {
    const expected = encodeKvReply(model.applyPacket(packet));
    expect(Array.from(result.transmitted[i]!.data), `reply to request #${i}`).toEqual(Array.from(expected));
  });
}

const key = kvBytes;
const SCRIPT: KvRequest[] = [
  { op: 'get', id: 1, key: key('alpha') },
  { op: 'put', id: 2, key: key('alpha'), value: key('one') },
  { op: 'put', id: 3, key: key('beta'), value: key('b'.repeat(400)) },
  { op: 'get', id: 4, key: key('alpha') },
  { op: 'put', id: 5, key: key('alpha'), value: key('uno') },
  { op: 'delete', id: 6, key: key('beta') },
  { op: 'delete', id: 7, key: key('beta') },
  { op: 'put', id: 8, key: key('k'.repeat(64)), value: new Uint8Array(0) },
  { op: 'stats', id: 9 },
  { op: 'shutdown', id: 0xffff_fffe },
];

describe('kvstore', () => {
  it('answers a scripted sequence as the reference model does, then shuts down', () => {
    const packets = SCRIPT.map(encodeKvRequest);
    const result = runKvstore(packets);
    expect(result.stop).toBe('exit');
    expect(result.exitCode).toBe(0);
    expectKvRepliesMatchModel(result, packets, new KvStoreModel());
    const get = decodeKvReply(result.transmitted[3]!.data);
    expect(get.ok && get.value.status === KvStatus.Ok && Buffer.from(get.value.value).toString()).toBe('one');
    expect(result.console).toBe('kvstore: recovered 0 keys\nkvstore: shutdown after 10 requests, 2 keys\n');
  });

  it('persists every PUT before replying, and a VM booted on that disk serves the values', () => {
    const first = runKvstore(SCRIPT.map(encodeKvRequest));
    const model = new KvStoreModel();
    for (const request of SCRIPT) model.apply(request);
    expect(decodeKvDisk(first.disk)).toEqual(model.pairs);
    // Each reply that needed a disk write left at least one disk latency after the previous one.
    const writes = new Set([1, 2, 4, 5, 7]);
    for (const i of writes) {
      const gap = first.transmitted[i]!.atMicros - first.transmitted[i - 1]!.atMicros;
      expect(gap, `reply #${i} came ${gap} µs after reply #${i - 1}`).toBeGreaterThanOrEqual(
        DISK_LATENCY_MICROS,
      );
    }
    const gets: KvRequest[] = [
      { op: 'get', id: 20, key: key('alpha') },
      { op: 'get', id: 21, key: key('beta') },
      { op: 'get', id: 22, key: key('k'.repeat(64)) },
      { op: 'stats', id: 23 },
      { op: 'shutdown', id: 24 },
    ];
    const second = runKvstore(gets.map(encodeKvRequest), first.disk);
    expect(second.console.startsWith('kvstore: recovered 2 keys\n')).toBe(true);
    expectKvRepliesMatchModel(second, gets.map(encodeKvRequest), new KvStoreModel(decodeKvDisk(first.disk)));
  });

  it('prints a stats line every 100 timer ticks while it idles', () => {
    const packets = [{ atMicros: 1_050_000, data: encodeKvRequest({ op: 'shutdown', id: 1 }) }];
    const result = runStandalone(kvstoreElf, { diskImage: new Uint8Array(KV_DISK_BYTES), packets });
    expect(result.exitCode).toBe(0);
    expect(result.console).toContain('kvstore: tick 100 keys=0 requests=0\n');
  });

  it('answers FULL for a new key once all 256 slots are used, but still updates existing keys', () => {
    const puts = Array.from(
      { length: 256 },
      (_, i): KvRequest => ({
        op: 'put',
        id: i,
        key: key(`key${i}`),
        value: key(`v${i}`),
      }),
    );
    const requests: KvRequest[] = [
      ...puts,
      { op: 'put', id: 300, key: key('one-too-many'), value: key('x') },
      { op: 'put', id: 301, key: key('key7'), value: key('seven') },
      { op: 'shutdown', id: 302 },
    ];
    const packets = requests.map(encodeKvRequest);
    const result = runKvstore(packets);
    expectKvRepliesMatchModel(result, packets, new KvStoreModel());
    expect(result.transmitted[256]!.data[1]).toBe(KvStatus.Full);
    expect(result.transmitted[257]!.data[1]).toBe(KvStatus.Ok);
  });

  const requestArb: fc.Arbitrary<Uint8Array> = fc.oneof(
    { weight: 8, arbitrary: kvRequestArb().map(encodeKvRequest) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }).filter((p) => p[0] !== 5) },
  );

  it('matches the model on random request sequences, malformed packets included', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { maxLength: 25 }), (packets) => {
        const all = [...packets, encodeKvRequest({ op: 'shutdown', id: 0 })];
        const result = runKvstore(all);
        const model = new KvStoreModel();
        expectKvRepliesMatchModel(result, all, model);
        expect(decodeKvDisk(result.disk)).toEqual(model.pairs);
      }),
      { seed: 20_261_125, numRuns: 12 },
    );
  });
});

function kvRequestArb(): fc.Arbitrary<KvRequest> {
  const keyArb = fc.constantFrom('a', 'b', 'c', 'key-with-a-longer-name').map(kvBytes);
  const id = fc.nat();
  return fc.oneof(
    fc.record({ op: fc.constant('put' as const), id, key: keyArb, value: fc.uint8Array({ maxLength: 400 }) }),
    fc.record({ op: fc.constant('get' as const), id, key: keyArb }),
    fc.record({ op: fc.constant('delete' as const), id, key: keyArb }),
    fc.record({ op: fc.constant('stats' as const), id }),
  );
}

// --- ledger ----------------------------------------------------------------------------------

function runLedger(
  packets: Uint8Array[],
  diskImage: Uint8Array = new Uint8Array(LEDGER_DISK_BYTES),
): StandaloneResult {
  return runStandalone(ledgerElf, {
    diskImage,
    packets: queued(packets),
    diskLatencyMicros: DISK_LATENCY_MICROS,
  });
}

function expectLedgerRepliesMatchModel(
  result: StandaloneResult,
  packets: Uint8Array[],
  model: LedgerModel,
): void {
  expect(result.transmitted.length).toBe(packets.length);
  packets.forEach((packet, i) => {
    const expected = encodeLedgerReply(model.applyPacket(packet));
    expect(Array.from(result.transmitted[i]!.data), `reply to request #${i}`).toEqual(Array.from(expected));
  });
}

/** Accounts 0..16 (16 is out of range) and amounts up to 1500 (some exceed a balance). */
const transferArb: fc.Arbitrary<LedgerRequest> = fc.record({
  op: fc.constant('transfer' as const),
  id: fc.nat(),
  from: fc.nat({ max: LEDGER_ACCOUNTS }),
  to: fc.nat({ max: LEDGER_ACCOUNTS }),
  amount: fc.nat({ max: 1500 }),
});

const closing: LedgerRequest[] = [
  { op: 'audit', id: 900 },
  { op: 'shutdown', id: 901 },
];

describe('ledger', () => {
  it('conserves the total across random transfers, and AUDIT agrees with the model', () => {
    fc.assert(
      fc.property(fc.array(transferArb, { maxLength: 30 }), (transfers) => {
        const packets = [...transfers, ...closing].map(encodeLedgerRequest);
        const result = runLedger(packets);
        const model = new LedgerModel();
        expectLedgerRepliesMatchModel(result, packets, model);
        const audit = result.transmitted[transfers.length]!.data;
        expect(audit[1]).toBe(LedgerStatus.Ok);
        expect(new DataView(audit.buffer, audit.byteOffset).getUint32(8, true)).toBe(LEDGER_TOTAL);
        expect(result.exitCode).toBe(0);
        expect(result.console.endsWith(`total ${LEDGER_TOTAL} (conserved)\n`)).toBe(true);
        expect(decodeLedgerDisk(result.disk)).toEqual(model.state);
      }),
      { seed: 20_261_126, numRuns: 12 },
    );
  });

  const transfers: LedgerRequest[] = [
    { op: 'transfer', id: 1, from: 0, to: 1, amount: 300 },
    { op: 'transfer', id: 2, from: 1, to: 2, amount: 1300 },
    { op: 'transfer', id: 3, from: 2, to: 3, amount: 5000 },
    { op: 'transfer', id: 4, from: 15, to: 0, amount: 1 },
  ];

  it('recovers its balances from the disk on the next boot', () => {
    const first = runLedger([...transfers, ...closing].map(encodeLedgerRequest));
    const model = new LedgerModel();
    for (const request of transfers) model.apply(request);
    const balances: LedgerRequest[] = Array.from({ length: LEDGER_ACCOUNTS }, (_, account) => ({
      op: 'balance',
      id: 100 + account,
      account,
    }));
    const packets = [...balances, ...closing].map(encodeLedgerRequest);
    const second = runLedger(packets, first.disk);
    expect(
      second.console.startsWith('ledger: 16 accounts, 3 transfers applied, 0 redone from the journal\n'),
    ).toBe(true);
    expectLedgerRepliesMatchModel(second, packets, new LedgerModel(model.state));
  });

  it('redoes a journaled transfer whose balances write was lost in a crash', () => {
    const before = runLedger([...transfers.slice(0, 2), ...closing].map(encodeLedgerRequest)).disk;
    const after = runLedger(
      [...transfers.slice(0, 3), transfers[3]!, ...closing].map(encodeLedgerRequest),
    ).disk;
    // The crash image: balances after 2 transfers, journal record #3 already on disk.
    const crashed = before.slice();
    const journalSector = 1 + (3 % 255); // journal record seq 3
    crashed.set(after.subarray(journalSector * 512, (journalSector + 1) * 512), journalSector * 512);
    const expected = new LedgerModel();
    for (const request of transfers.slice(0, 2)) expected.apply(request);
    expected.apply(transfers[3]!); // transfer #3 (id 3) overdrew and was refused; journal #3 is id 4
    expect(decodeLedgerDisk(crashed)).toEqual(expected.state);
    const result = runLedger(closing.map(encodeLedgerRequest), crashed);
    expect(
      result.console.startsWith('ledger: 16 accounts, 3 transfers applied, 1 redone from the journal\n'),
    ).toBe(true);
    expectLedgerRepliesMatchModel(result, closing.map(encodeLedgerRequest), new LedgerModel(expected.state));
    expect(decodeLedgerDisk(result.disk)).toEqual(expected.state);
  });
});

// --- codecs ----------------------------------------------------------------------------------

describe('protocol codecs', () => {
  it('kvstore: decodes what it encodes and names what is wrong with a bad reply', () => {
    const reply = { op: 1, status: KvStatus.Ok, id: 0xdead_beef, value: kvBytes('value') };
    expect(decodeKvReply(encodeKvReply(reply))).toEqual({ ok: true, value: reply });
    expect(decodeKvReply(new Uint8Array(7))).toEqual({
      ok: false,
      error: expect.stringContaining('7 bytes'),
    });
    const truncated = encodeKvReply(reply).subarray(0, 10);
    expect(decodeKvReply(truncated)).toEqual({
      ok: false,
      error: expect.stringContaining('says 5 value bytes'),
    });
    const stats = new KvStoreModel().apply({ op: 'stats', id: 1 });
    expect(decodeKvStats(stats.value)).toEqual({ keys: 0, gets: 0, puts: 0, deletes: 0, requests: 1 });
    expect(() => encodeKvRequest({ op: 'get', id: -1, key: kvBytes('a') })).toThrow(/u32/);
  });

  it('ledger: decodes what it encodes and rejects a reply of the wrong size', () => {
    const reply = {
      op: 1,
      status: LedgerStatus.InsufficientFunds,
      id: 7,
      values: [1, 2] as [number, number],
    };
    expect(decodeLedgerReply(encodeLedgerReply(reply))).toEqual({ ok: true, value: reply });
    expect(decodeLedgerReply(new Uint8Array(15))).toEqual({
      ok: false,
      error: expect.stringContaining('15 bytes'),
    });
    expect(encodeLedgerRequest({ op: 'balance', id: 1, account: 3 }).length).toBe(20);
    expect(decodeLedgerDisk(new Uint8Array(LEDGER_DISK_BYTES))).toBeNull();
  });
});
