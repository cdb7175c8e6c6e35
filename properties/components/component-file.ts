// A component check's counterexample on disk: what failed, and the seed and fast-check path that
// replay its shrunk input exactly (`ftcheck replay`). Written atomically beside the cluster's
// trace files; read back with a clear error for anything malformed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { INVARIANTS, type InvariantId } from '../../src/base/invariants.ts';
import { writeTextAtomic } from '../../src/check/trace-file.ts';
import type { ComponentFinding } from './component-check.ts';

export const COMPONENT_FILE_FORMAT = 'ftcheck-component-counterexample';

const fileSchema = z.strictObject({
  format: z.literal(COMPONENT_FILE_FORMAT),
  version: z.literal(1),
  check: z.string().min(1),
  component: z.string(),
  invariant: z.enum(Object.keys(INVARIANTS) as [InvariantId, ...InvariantId[]]),
  message: z.string(),
  seed: z.number().int(),
  path: z.string(),
  counterexample: z.string(),
  runsToFailure: z.number().int().nonnegative(),
  shrinks: z.number().int().nonnegative(),
  reproduce: z.string(),
});

export type ComponentFile = z.infer<typeof fileSchema>;

export class ComponentFileError extends Error {
  override name = 'ComponentFileError';
}

export function componentFilePath(outDir: string, finding: ComponentFinding): string {
  return join(outDir, `component-${finding.check}-seed${finding.seed}.json`);
}

/** Writes the finding's file into `outDir`; returns its path. */
export function writeComponentFile(outDir: string, finding: ComponentFinding): string {
  const path = componentFilePath(outDir, finding);
  const file: ComponentFile = {
    format: COMPONENT_FILE_FORMAT,
    version: 1,
    ...finding,
    reproduce: `ftcheck replay ${path}`,
  };
  writeTextAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** Whether parsed JSON claims to be a component counterexample (then it must be a valid one). */
export function isComponentFile(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    (json as { format?: unknown }).format === COMPONENT_FILE_FORMAT
  );
}

export function parseComponentFile(json: unknown, source: string): ComponentFile {
  const parsed = fileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ComponentFileError(`${source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}

export function readComponentFile(path: string): ComponentFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ComponentFileError(
      `${path}: cannot read a component counterexample (${(error as Error).message})`,
    );
  }
  return parseComponentFile(json, path);
}
