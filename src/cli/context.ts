// What every subcommand gets: where to write, and the exit codes of the contract.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;
/** The wall-clock ceiling (`--budget`) stopped the work before its fixed campaign was done. */
export const EXIT_INCONCLUSIVE = 4;
/** A signal (Ctrl-C, SIGTERM) stopped the work; 128 + SIGINT, what shells expect. */
export const EXIT_INTERRUPTED = 130;

/** An error caused by the user's input (flags, files): reported in one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** An inclusive integer range a flag and its config field share (config.ts: `RANGES`). */
export interface IntRange {
  min: number;
  max: number;
}

/** Parses a decimal integer flag within `range`, or throws a UsageError naming the flag and range. */
export function parseIntInRange(flag: string, value: string, range: IntRange): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < range.min || number > range.max) {
    throw new UsageError(`${flag} must be an integer in ${range.min}..${range.max}, got '${value}'`);
  }
  return number;
}

/** Parses a positive integer flag, or throws a UsageError naming the flag. */
export function parsePositiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  }
  return Number(value);
}

/** Why the file system refused, in words (the code too, for searching). */
const FS_REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EISDIR: 'it is a folder',
  ENOENT: 'no such file or folder',
  ENAMETOOLONG: 'the name is too long',
};

/** A Node file-system error (it carries `code`, `syscall` and `path`). */
export function isFsError(error: unknown): error is NodeJS.ErrnoException & { path: string; code: string } {
  const e = error as NodeJS.ErrnoException | null;
  return (
    e instanceof Error &&
    typeof e.code === 'string' &&
    typeof e.path === 'string' &&
    typeof e.syscall === 'string'
  );
}

export function fsReason(error: unknown): string {
  if (!isFsError(error)) return String(error);
  return `${FS_REASONS[error.code] ?? 'refused'}, ${error.code}`;
}

/**
 * Creates an output folder the user named, before any work starts, so a path that cannot be one
 * (`--out /dev/null/x`) is a usage error naming the flag and the path. Returns it absolute.
 */
export function prepareOutputDir(flag: string, dir: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new UsageError(`${flag}: cannot create the folder '${dir}' (${fsReason(error)})`);
  }
  return path;
}

/**
 * Checks, without creating anything, that an output folder the user named can be made: its
 * nearest existing ancestor must be a writable folder. For commands that write only on a finding.
 */
export function checkOutputDir(flag: string, dir: string): void {
  let path = resolve(dir);
  while (!existsSync(path) && dirname(path) !== path) path = dirname(path);
  const refuse = (reason: string) => {
    throw new UsageError(`${flag}: cannot create the folder '${dir}' (${reason})`);
  };
  if (!statSync(path).isDirectory()) refuse(`${path} is not a folder, ENOTDIR`);
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    refuse(fsReason(error));
  }
}
