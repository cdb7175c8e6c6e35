// `npm run bench`: runs every bench/*.bench.ts (sorted by name, or those named on the command
// line) and merges their figures into reports/bench.json. Each module exports
// `run(): Promise<Record<string, unknown>>`, whose top-level keys are sections (`emulator`, ...).
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const outPath = join(benchDir, '..', 'reports', 'bench.json');

type Figures = Record<string, Record<string, unknown>>;

function readExisting(): Figures {
  try {
    return JSON.parse(readFileSync(outPath, 'utf8')) as Figures;
  } catch {
    return {};
  }
}

const wanted = process.argv.slice(2);
const modules = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const figures = readExisting();
for (const file of modules) {
  process.stderr.write(`bench: ${file}\n`);
  const mod = (await import(join(benchDir, file))) as { run(): Promise<Figures> };
  const result = await mod.run();
  for (const [section, values] of Object.entries(result)) {
    figures[section] = { ...(figures[section] ?? {}), ...values };
  }
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(`${outPath}.tmp`, `${JSON.stringify(figures, null, 2)}\n`);
  renameSync(`${outPath}.tmp`, outPath);
}
process.stderr.write(`bench: wrote ${outPath}\n`);
