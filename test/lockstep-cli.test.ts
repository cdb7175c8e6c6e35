import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/context.ts';
import { runLockstepCommand } from '../src/cli/run-lockstep.ts';

function capture() {
  const out: string[] = [];
  return { out, io: { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) } };
}

describe('ftcheck run --lockstep', () => {
  it('prints one JSON object with the lockstep figures', async () => {
    const { out, io } = capture();
    const code = await runLockstepCommand(
      readFileSync('guests/ledger.elf'),
      { json: true, maxInstructions: 400_000 },
      io,
    );
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const report = JSON.parse(out[0]!);
    expect(report.instructions).toBe(400_000);
    expect(report.secondaryInstructions).toBe(400_000);
    expect(report.divergences).toBe(0);
    expect(report.logBytes).toBeGreaterThan(0);
    expect(report.heldOutputs).toBeGreaterThan(0);
    expect(report.mips).toBeGreaterThan(0);
    expect(report.console).toMatch(/^ledger: 16 accounts/);
  });

  it('prints the console and a summary without --json', async () => {
    const { out, io } = capture();
    const code = await runLockstepCommand(
      readFileSync('guests/crc.elf'),
      { json: false, maxInstructions: 3_000_000 },
      io,
    );
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^crc: 24 rounds/);
    expect(out.at(-1)).toBe('lockstep: no divergence');
  });

  it('rejects a malformed ELF as a usage error naming the problem', async () => {
    const { io } = capture();
    await expect(runLockstepCommand(Uint8Array.of(1, 2, 3), { json: true }, io)).rejects.toThrow(UsageError);
    await expect(runLockstepCommand(Uint8Array.of(1, 2, 3), { json: true }, io)).rejects.toThrow(
      /shorter than an ELF32 header/,
    );
  });
});
