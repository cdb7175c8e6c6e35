// Loading `ftcheck.config.ts` from the user's folder, with or without a package.json. Node with
// built-in TypeScript (22.18+, 24: `process.features.typescript`) imports it as it is. Older Node
// (20) has none, so the file is transpiled with the `typescript` package — the user's project's,
// or the one installed beside ftcheck — to a temporary `.mjs` next to it (its relative imports
// resolve as written), imported, and removed. Every failure is a UsageError naming the file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { UsageError } from './context.ts';

interface TypeScriptApi {
  transpileModule(
    source: string,
    options: { compilerOptions: Record<string, unknown>; fileName: string; reportDiagnostics: boolean },
  ): { outputText: string; diagnostics?: readonly Diagnostic[] };
  flattenDiagnosticMessageText(message: unknown, newLine: string): string;
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
}
interface Diagnostic {
  messageText: unknown;
  start?: number;
  file?: { getLineAndCharacterOfPosition(position: number): { line: number; character: number } };
}

let temporaryFiles = 0;

/** The default export of a TypeScript config file. */
export async function importTypeScriptConfig(path: string): Promise<unknown> {
  const features = process.features as { typescript?: string | false };
  const module = features.typescript ? await importModule(path, path) : await importTranspiled(path);
  if (module.default === undefined) {
    throw new UsageError(`${path}: no default export (write \`export default { hosts: 3, … }\`)`);
  }
  return module.default;
}

async function importTranspiled(path: string): Promise<{ default?: unknown }> {
  const ts = loadTypeScript(path);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  const output = ts.transpileModule(source, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const problem = output.diagnostics?.[0];
  if (problem !== undefined)
    throw new UsageError(
      `${path}${where(problem)}: ${ts.flattenDiagnosticMessageText(problem.messageText, ' ')}`,
    );
  temporaryFiles++;
  const temporary = `${path}.${process.pid}-${temporaryFiles}.mjs`;
  try {
    writeFileSync(temporary, output.outputText);
  } catch (error) {
    throw new UsageError(
      `${path}: cannot write the transpiled config beside it (${(error as NodeJS.ErrnoException).code ?? error}); use ftcheck.config.json`,
    );
  }
  try {
    return await importModule(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** `typescript` from the config's folder upwards, else from beside ftcheck. */
function loadTypeScript(configPath: string): TypeScriptApi {
  for (const base of [configPath, import.meta.url]) {
    try {
      return createRequire(base)('typescript') as TypeScriptApi;
    } catch {
      // not installed there; try the next place
    }
  }
  throw new UsageError(
    `${configPath}: Node ${process.version} cannot load TypeScript by itself; install typescript in this project (npm i -D typescript), use Node 22.18 or newer, or write ftcheck.config.json`,
  );
}

async function importModule(file: string, shownAs: string): Promise<{ default?: unknown }> {
  try {
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new UsageError(`${shownAs}: failed to load: ${text.split('\n')[0]}`);
  }
}

function where(diagnostic: Diagnostic): string {
  if (diagnostic.file === undefined || diagnostic.start === undefined) return '';
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `:${line + 1}:${character + 1}`;
}
