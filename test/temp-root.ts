// Vitest global setup: every temporary folder the suite makes (os.tmpdir(), in test files and in
// the CLIs they start) goes under one root made here, removed when the run ends, so a run leaves
// nothing behind in the machine's temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'ftcheck-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
