// The committed guest ELFs are exactly what the sources build to (Debian 12's clang 14 and lld), and
// QEMU's `virt` board runs crc.elf to the same console output as ftcheck's emulator.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStandalone } from '../src/vm/standalone-host.ts';
import { CLANG, QEMU } from './system-tools.ts';

const GUESTS_DIR = join(import.meta.dirname, '..', 'guests');
const GUEST_NAMES = ['crc', 'kvstore', 'ledger', 'clock', 'kvstore-quiet'] as const;
const QEMU_TIMEOUT_MS = 30_000;

describe.skipIf(CLANG.skip)('guest build (clang and ld.lld; FTCHECK_SKIP_CLANG=1 skips)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'ftcheck-guests-'));
  beforeAll(() => {
    if (CLANG.missing) throw new Error(CLANG.missing);
  });
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

describe.skipIf(QEMU.skip)('crc under QEMU (qemu-system-riscv32; FTCHECK_SKIP_QEMU=1 skips)', () => {
  beforeAll(() => {
    if (QEMU.missing) throw new Error(QEMU.missing);
  });
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
