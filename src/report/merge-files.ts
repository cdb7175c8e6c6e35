// The files a merged report links to: every counterexample a shard's results name is copied from
// the shard's folder (the folder of its results.json) into the merged reports folder, and every
// link to it is rewritten, so the merged report opens with working links wherever it is copied.
// Shards are untrusted: a path must be a plain relative path (results-schema.ts), the file a
// regular file inside the shard's folder (no symlink out of it), of bounded size. A file that two
// shards hold with the same content is copied once; different files of the same name go to
// `counterexamples/<shard>/…`. Reproduce commands are rebuilt from the copied path, relative to
// the reports folder (`npx ftcheck replay counterexamples/…`).
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { GateResults } from '../check/results.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { REPRODUCE_COMMAND } from './results-schema.ts';
import { insideReports } from './write-reports.ts';

/** Largest counterexample file a merge copies. */
export const COPIED_FILE_BYTES_MAX = 64 * 1024 * 1024;

/** A shard file that cannot be copied: names the results file and the field that points at it. */
export class ShardFileError extends Error {
  override name = 'ShardFileError';
}

export interface ShardPart {
  results: GateResults;
  /** Path of the shard's results.json (its folder holds the files it names). */
  file: string;
  /** Folder name for its files when a name is taken: "shard-2" (or "part-3" when unsharded). */
  label: string;
}

/** Every place a results file names a counterexample file, as [field, path] pairs. */
function referencedPaths(results: GateResults): [string, string][] {
  const refs: [string, string][] = [];
  for (const [i, c] of results.counterexamples.entries()) refs.push([`counterexamples.${i}.path`, c.path]);
  for (const [id, invariant] of Object.entries(results.invariants)) {
    for (const [i, p] of invariant.counterexamples.entries())
      refs.push([`invariants.${id}.counterexamples.${i}`, p]);
  }
  (results.bugs ?? []).forEach((b, i) => {
    if (b.counterexample !== undefined) refs.push([`bugs.${i}.counterexample`, b.counterexample]);
  });
  (results.explore?.violations ?? []).forEach((v, i) => {
    if (v.counterexample !== undefined)
      refs.push([`explore.violations.${i}.counterexample`, v.counterexample]);
  });
  for (const [i, p] of (results.fuzz?.counterexamples ?? []).entries())
    refs.push([`fuzz.counterexamples.${i}`, p]);
  return refs;
}

async function readShardFile(part: ShardPart, field: string, path: string): Promise<Buffer> {
  const folder = dirname(part.file);
  const fail = (why: string) => new ShardFileError(`${part.file}: field '${field}': ${path}: ${why}`);
  const source = insideReports(folder, path);
  if (source === undefined) throw fail('not inside the shard folder');
  const info = await lstat(source).catch(() => null);
  if (info === null) throw fail(`no such file beside ${part.file}`);
  if (!info.isFile()) throw fail('not a regular file (a symlink or a folder is never copied)');
  if (info.size > COPIED_FILE_BYTES_MAX) throw fail(`larger than ${COPIED_FILE_BYTES_MAX} bytes`);
  const real = await realpath(source);
  const realFolder = await realpath(folder);
  if (relative(realFolder, real).startsWith(`..${sep}`)) throw fail('resolves outside the shard folder');
  return readFile(source);
}

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The reproduce command of a counterexample file relative to the reports folder. */
function reproduceFor(path: string, shardCommand: string): string {
  if (!path.endsWith('.itf.json') && path.endsWith('.json')) return `npx ftcheck replay ${path}`;
  // A model counterexample is re-found by the explorer: keep the shard's (validated) command.
  const command = REPRODUCE_COMMAND.test(shardCommand) ? shardCommand : 'ftcheck explore';
  return command.startsWith('npx ') ? command : `npx ${command}`;
}

/**
 * Copies every file the parts name into `outDir` and returns the parts with their links rewritten
 * to the copies. Throws ShardFileError (bad input) naming the results file and field.
 */
export async function copyShardFiles(parts: readonly ShardPart[], outDir: string): Promise<GateResults[]> {
  const written = new Map<string, string>(); // target path → content digest
  const rewritten: GateResults[] = [];
  for (const part of parts) {
    const mapping = new Map<string, string>();
    for (const [field, path] of referencedPaths(part.results)) {
      if (mapping.has(path)) continue;
      const bytes = await readShardFile(part, field, path);
      const hash = digest(bytes);
      let target = path;
      if (written.has(target) && written.get(target) !== hash) {
        const rest = path.startsWith('counterexamples/') ? path.slice('counterexamples/'.length) : path;
        target = `counterexamples/${part.label}/${rest}`;
      }
      if (!written.has(target)) {
        const file = join(outDir, target);
        await mkdir(dirname(file), { recursive: true });
        await writeFileAtomic(file, bytes);
        written.set(target, hash);
      }
      mapping.set(path, target);
    }
    rewritten.push(rewriteLinks(part.results, (path) => mapping.get(path) ?? path));
  }
  return rewritten;
}

function rewriteLinks(results: GateResults, to: (path: string) => string): GateResults {
  const copy: GateResults = structuredClone(results);
  for (const example of copy.counterexamples) {
    example.path = to(example.path);
    example.reproduce = reproduceFor(example.path, example.reproduce);
  }
  for (const invariant of Object.values(copy.invariants))
    invariant.counterexamples = invariant.counterexamples.map(to);
  for (const bug of copy.bugs ?? [])
    if (bug.counterexample !== undefined) bug.counterexample = to(bug.counterexample);
  for (const v of copy.explore?.violations ?? [])
    if (v.counterexample !== undefined) v.counterexample = to(v.counterexample);
  if (copy.fuzz !== undefined) copy.fuzz.counterexamples = copy.fuzz.counterexamples.map(to);
  return copy;
}
