// Reports are replaced atomically: a reader (CI uploading artifacts, a person refreshing the page)
// sees either the old file or the new one, never half of one.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let tmpCounter = 0;

/** Writes `text` (or bytes) to `path` through a temporary file in the same directory and a rename. */
export async function writeFileAtomic(path: string, text: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  tmpCounter += 1;
  const tmpPath = `${path}.tmp-${process.pid}-${tmpCounter}`;
  try {
    await writeFile(tmpPath, text, typeof text === 'string' ? 'utf8' : undefined);
    await rename(tmpPath, path);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
}
