// Lockstep across engines: a compiled primary replayed by an interpreting secondary (and the
// reverse) never diverges at any checked boundary, and the world sees the guest's normal output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualMachine, type VmEngine } from '../src/vm/machine.ts';
import { DEFAULT_TIMING, type GuestName, guestPair, SHAPE } from './lockstep-guest-fixtures.ts';

const elf = (guest: GuestName) =>
  new Uint8Array(readFileSync(new URL(`../guests/${guest}.elf`, import.meta.url)));

const CASES: { guest: GuestName; primary: VmEngine; secondary: VmEngine }[] = [
  { guest: 'ledger', primary: 'compiled', secondary: 'interpreter' },
  { guest: 'ledger', primary: 'interpreter', secondary: 'compiled' },
  { guest: 'clock', primary: 'compiled', secondary: 'interpreter' },
  { guest: 'kvstore', primary: 'interpreter', secondary: 'compiled' },
  { guest: 'crc', primary: 'compiled', secondary: 'interpreter' },
];

describe('lockstep between the compiled engine and the interpreter', () => {
  for (const { guest, primary, secondary } of CASES) {
    it(`${guest}: ${primary} primary, ${secondary} secondary, no divergence`, () => {
      const pair = guestPair(guest, DEFAULT_TIMING, {
        primary: VirtualMachine.fromElf(elf(guest), { engine: primary }),
        secondary: VirtualMachine.fromElf(elf(guest), { engine: secondary }),
      });
      const result = pair.run();
      expect(result.divergence?.message ?? null).toBeNull();
      expect(result.status).toBe('ok');
      expect(result.primaryStop).toBe(guest === 'crc' ? 'limit' : 'exit');
      expect(result.exitCode).toBe(0);
      expect(pair.replayer!.vm.instret).toBe(pair.primary.instret);
      expect(result.figures.samplesCompared).toBeGreaterThan(pair.primary.instret - SHAPE[guest].denseFrom);
    });
  }
});
