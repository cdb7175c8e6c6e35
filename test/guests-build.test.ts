// The committed guest ELFs are exactly what the sources build to (when clang is installed), and
// QEMU's `virt` board runs crc.elf to the same console output as ftcheck's emulator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStandalone } from '../src/vm/standalone-host.ts';

const GUESTS_DIR = join(import.meta.dirname, '..', 'guests');
const GUEST_NAMES = ['crc', 'kvstore', 'ledger', 'clock'] as const;
const QEMU_TIMEOUT_MS = 30_000;

function toolPresent(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

const haveClang = toolPresent('clang') && toolPresent('ld.lld');
const haveQemu = toolPresent('qemu-system-riscv32');

describe.skipIf(!haveClang)('guest build (needs clang and ld.lld on PATH, else skipped)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'ftcheck-guests-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('rebuilds every guest to the committed bytes', () => {
    const build = spawnSync('bash', [join(GUESTS_DIR, 'build.sh'), outDir], { encoding: 'utf8' });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    for (const name of GUEST_NAMES) {
      const committed = readFileSync(join(GUESTS_DIR, `${name}.elf`));
      const rebuilt = readFileSync(join(outDir, `${name}.elf`));
      expect(rebuilt.equals(committed), `${name}.elf differs from a fresh build: run guests/build.sh`).toBe(
        true,
      );
    }
  });
});

function runCrcInQemu(): { console: string; status: number | null } {
  const qemu = spawnSync(
    'qemu-system-riscv32',
    ['-machine', 'virt', '-bios', 'none', '-kernel', join(GUESTS_DIR, 'crc.elf'), '-nographic'],
    { encoding: 'latin1', timeout: QEMU_TIMEOUT_MS, input: '' },
  );
  return { console: qemu.stdout, status: qemu.status };
}

describe.skipIf(!haveQemu)('crc under QEMU (needs qemu-system-riscv32 on PATH, else skipped)', () => {
  it('prints what the ftcheck emulator prints, and exits through the test device with 0x5555', () => {
    const qemu = runCrcInQemu();
    expect(qemu.status).toBe(0);
    expect(qemu.console).toMatch(
      /^crc: 24 rounds of CRC-32 over 32768 bytes\n(round \d+: [0-9a-f]{8}\n){24}crc: combined [0-9a-f]{8}\n$/,
    );
    const ours = runStandalone(new Uint8Array(readFileSync(join(GUESTS_DIR, 'crc.elf'))));
    expect(ours.exitCode).toBe(0);
    expect(ours.console).toBe(qemu.console);
  });
});
