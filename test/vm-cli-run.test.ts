import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { RAM_BASE, TEST_DEVICE_BASE } from '../src/vm/api.ts';
import { elfOf } from './elf-build.ts';
import { Asm, Reg } from './rv32-asm.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), 'ftcheck-run-'));
function guestFile(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

describe('ftcheck run', () => {
  it('prints the console and a summary for a guest that exits 0', async () => {
    const c = capture();
    expect(await main(['run', 'guests/clock.elf'], c.io)).toBe(0);
    const out = c.out.join('');
    expect(out).toContain('tick 40 ');
    expect(out).toMatch(/guests\/clock\.elf: exited with code 0 after \d+ instructions/);
  });
  it('--json prints one object with the required fields', async () => {
    const c = capture();
    expect(await main(['run', 'guests/crc.elf', '--json', '--max-instructions', '1000000'], c.io)).toBe(0);
    expect(c.out.length).toBe(1);
    const report = JSON.parse(c.out[0]!);
    expect(report).toMatchObject({ stop: 'budget', instructions: 1_000_000, exitCode: 0 });
    expect(typeof report.console).toBe('string');
    expect(typeof report.seconds).toBe('number');
    expect(typeof report.mips).toBe('number');
  });
  it('exits 1 for a guest that fails or halts', async () => {
    const failing = new Asm(RAM_BASE)
      .li(Reg.t6, TEST_DEVICE_BASE)
      .li(Reg.t0, (3 << 16) | 0x3333)
      .sw(Reg.t0, 0, Reg.t6);
    const c = capture();
    expect(await main(['run', guestFile('fail.elf', elfOf(failing.assemble()))], c.io)).toBe(1);
    expect(c.out.join('')).toContain('exited with code 3');
    const halting = capture();
    expect(
      await main(['run', guestFile('halt.elf', elfOf(new Asm(RAM_BASE).word(0).assemble()))], halting.io),
    ).toBe(1);
    expect(halting.out.join('')).toMatch(/halted: trap/);
  });
  it('bad arguments, unreadable and malformed files are usage errors (exit 2)', async () => {
    for (const [args, message] of [
      [['run', join(scratch, 'missing.elf')], /cannot read guest/],
      [['run', 'package.json'], /not a loadable guest: not an ELF file/],
      [
        ['run', 'guests/crc.elf', '--max-instructions', '-5'],
        /--max-instructions must be a positive integer/,
      ],
      [['run'], /missing required argument/],
    ] as const) {
      const c = capture();
      expect(await main([...args], c.io)).toBe(2);
      expect(c.err.join('')).toMatch(message);
    }
  });
});
