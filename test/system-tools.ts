// System tools some tests need (not a test file itself). `test/setup/ensure-test-tools.sh` installs
// them before `npm test`; a test that needs one is skipped only when its opt-out variable is 1,
// and otherwise fails with how to get the tool — a silently skipped test is a test that never runs.
import { spawnSync } from 'node:child_process';

export interface SystemTool {
  /** The opt-out variable is set to 1: skip on purpose. */
  skip: boolean;
  /** Why the tool is unusable (to throw from `beforeAll`), or null when every command answers. */
  missing: string | null;
}

export function systemTool(commands: readonly string[], debianPackages: string, optOut: string): SystemTool {
  if (process.env[optOut] === '1') return { skip: true, missing: null };
  const absent = commands.filter(
    (command) => spawnSync(command, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status !== 0,
  );
  if (absent.length === 0) return { skip: false, missing: null };
  return {
    skip: false,
    missing: `${absent.join(', ')} not found: install Debian's ${debianPackages} (npm test's pretest does it as root) or set ${optOut}=1 to skip these tests on purpose`,
  };
}

export const QEMU = systemTool(['qemu-system-riscv32'], 'qemu-system-misc', 'FTCHECK_SKIP_QEMU');
export const CLANG = systemTool(['clang', 'ld.lld'], 'clang and lld', 'FTCHECK_SKIP_CLANG');
