// Files that ship with ftcheck (package.json, guests/*.elf), found from this module's own location
// so the same code works from the sources (src/base/) and from the build (dist/src/base/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'ftcheck';
/** Folders between this file and the package root: src/base/ or dist/src/base/, with room to spare. */
const LEVELS_MAX = 6;

let root: string | null = null;

/** The folder holding ftcheck's package.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < LEVELS_MAX; level++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === PACKAGE_NAME) {
      root = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error(`ftcheck's package.json was not found above ${fileURLToPath(import.meta.url)}`);
}

/** A path inside the package, e.g. `packagePath('guests', 'crc.elf')`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

/** The version in ftcheck's package.json. */
export function toolVersion(): string {
  return readManifest(packagePath('package.json')).version ?? '0.0.0';
}

function readManifest(path: string): { name?: string; version?: string } {
  return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
}
