// Lockstep figures: pair efficiency = (2 × FT-VM guest instructions per second, primary and
// secondary both executed) ÷ (instructions per second of the same guest on one VM, same host and
// driver, no log), measured in the same run; log bandwidth per guest on the production path
// (digests compared at sampled boundaries only).
import { readFileSync } from 'node:fs';
import { encodeKvRequest, kvBytes } from '../src/cluster/protocol/kvstore.ts';
import { encodeLedgerRequest } from '../src/cluster/protocol/ledger.ts';
import { LockstepPair } from '../src/lockstep/lockstep-pair.ts';
import { PairHost, type ScheduledPacket } from '../src/lockstep/pair-host.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

type Guest = 'crc' | 'kvstore' | 'ledger' | 'clock';
const CHECK_EVERY = 1_000_000;
const SECONDS_MIN = 5;

function elf(guest: Guest): Uint8Array {
  return readFileSync(new URL(`../guests/${guest}.elf`, import.meta.url));
}

/** Client traffic: a steady stream of requests every `gapUs`, then a shutdown. */
function packets(guest: Guest): ScheduledPacket[] {
  const out: ScheduledPacket[] = [];
  const gapUs = 200;
  const count = 2000;
  for (let i = 1; i <= count; i++) {
    const atUs = 10_000 + i * gapUs;
    if (guest === 'kvstore') {
      const key = kvBytes(`key-${i % 64}`);
      const request =
        i % 3 === 0
          ? encodeKvRequest({ op: 'get', id: i, key })
          : encodeKvRequest({ op: 'put', id: i, key, value: kvBytes(`value-${i}-`.repeat(8)) });
      out.push({ atUs, data: request });
    } else if (guest === 'ledger') {
      const request = encodeLedgerRequest({
        op: 'transfer',
        id: i,
        from: i % 16,
        to: (i * 7 + 3) % 16,
        amount: i % 50,
      });
      out.push({ atUs, data: request });
    }
  }
  const endUs = 10_000 + (count + 1) * gapUs;
  if (guest === 'kvstore') out.push({ atUs: endUs, data: encodeKvRequest({ op: 'shutdown', id: 0 }) });
  if (guest === 'ledger') out.push({ atUs: endUs, data: encodeLedgerRequest({ op: 'shutdown', id: 0 }) });
  return out;
}

function runOnce(guest: Guest, paired: boolean) {
  const image = elf(guest);
  const host = new PairHost({ seed: 1, packets: packets(guest) });
  const pair = new LockstepPair({
    primary: VirtualMachine.fromElf(image),
    secondary: paired ? VirtualMachine.fromElf(image) : null,
    host,
    checkEvery: CHECK_EVERY,
  });
  const start = performance.now();
  const result = pair.run();
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 'ok')
    throw new Error(`${guest}: lockstep run ended ${result.status}: ${result.divergence?.message}`);
  if (result.exitCode !== 0) throw new Error(`${guest}: guest exited with ${result.exitCode}`);
  return { result, seconds, instructions: result.figures.primaryInstructions };
}

/** Alternates single-VM and pair runs until each has run `SECONDS_MIN` of wall time. */
function efficiency(guest: Guest): number {
  const solo = { instructions: 0, seconds: 0 };
  const ft = { instructions: 0, seconds: 0 };
  while (solo.seconds < SECONDS_MIN || ft.seconds < SECONDS_MIN) {
    const a = runOnce(guest, false);
    solo.instructions += a.instructions;
    solo.seconds += a.seconds;
    const b = runOnce(guest, true);
    ft.instructions += 2 * b.instructions;
    ft.seconds += b.seconds;
  }
  const soloRate = solo.instructions / solo.seconds;
  const pairRate = ft.instructions / ft.seconds;
  process.stderr.write(
    `lockstep ${guest}: single ${(soloRate / 1e6).toFixed(1)} MIPS, pair ${(pairRate / 1e6).toFixed(1)} MIPS (both VMs)\n`,
  );
  return round(pairRate / soloRate);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const pairEfficiency = {
    crc: efficiency('crc'),
    kvstore: efficiency('kvstore'),
    clock: efficiency('clock'),
  };
  const logBytesPerMInstr: Record<string, number> = {};
  const logMbitPerSimSecond: Record<string, number> = {};
  for (const guest of ['crc', 'kvstore', 'ledger', 'clock'] as const) {
    const { result } = runOnce(guest, true);
    const f = result.figures;
    logBytesPerMInstr[guest] = round(f.logBytes / (f.primaryInstructions / 1e6));
    logMbitPerSimSecond[guest] = round((f.logBytes * 8) / 1e6 / (f.simulatedUs / 1e6));
  }
  return { lockstep: { pairEfficiency, logBytesPerMInstr, logMbitPerSimSecond, checkEvery: CHECK_EVERY } };
}
