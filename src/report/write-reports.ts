// Writes every report of a gate run into the reports folder, each file replaced atomically.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { packagePath } from '../base/package-root.ts';
import type { GateResults } from '../check/results.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { RESULTS_SCHEMA_FILE } from './results-json-schema.ts';
import { renderSummaryMarkdown } from './summary-md.ts';
import { timelineToMermaid } from './timeline-mermaid.ts';

export const REPORT_FILES = {
  summary: 'summary.md',
  junit: 'junit.xml',
  results: 'results.json',
  html: 'index.html',
} as const;

/** `path` (relative to the reports folder) resolved inside it, or undefined if it escapes it. */
export function insideReports(reportsDir: string, path: string): string | undefined {
  const root = resolve(reportsDir);
  const target = resolve(root, path);
  const fromRoot = relative(root, target);
  if (fromRoot === '' || fromRoot.startsWith('..') || isAbsolute(fromRoot)) return undefined;
  return target;
}

async function readDiagramSvgs(
  results: GateResults,
  reportsDir: string,
): Promise<Record<string, string | undefined>> {
  const svgs: Record<string, string | undefined> = {};
  for (const diagram of results.diagrams) {
    const file = insideReports(reportsDir, diagram.svg);
    svgs[diagram.svg] = file === undefined ? undefined : await readFile(file, 'utf8').catch(() => undefined);
  }
  return svgs;
}

/** The Mermaid sequence diagram beside each counterexample trace: `x.json` → `x.mmd`. */
function counterexampleDiagrams(results: GateResults, reportsDir: string): { file: string; text: string }[] {
  const diagrams: { file: string; text: string }[] = [];
  for (const example of results.counterexamples) {
    const trace = insideReports(reportsDir, example.path);
    if (trace === undefined || !trace.endsWith('.json')) continue;
    const text = example.mermaid.trim() !== '' ? example.mermaid : timelineToMermaid(example.timeline);
    diagrams.push({ file: `${trace.slice(0, -'.json'.length)}.mmd`, text });
  }
  return diagrams;
}

/** results.json, leading with `$schema`: the published schema, relative to the reports folder. */
function resultsJson(results: GateResults, reportsDir: string): string {
  const schema = relative(resolve(reportsDir), packagePath(RESULTS_SCHEMA_FILE)).split(sep).join('/');
  const { $schema: _previous, ...rest } = results;
  return `${JSON.stringify({ $schema: schema, ...rest }, null, 2)}\n`;
}

/**
 * Writes summary.md, junit.xml, results.json, index.html and a `.mmd` diagram beside each
 * counterexample trace into `reportsDir` (created if missing). Returns the paths written.
 */
export async function writeReports(results: GateResults, reportsDir: string): Promise<string[]> {
  const diagramSvgs = await readDiagramSvgs(results, reportsDir);
  const files = [
    { file: join(reportsDir, REPORT_FILES.summary), text: renderSummaryMarkdown(results) },
    { file: join(reportsDir, REPORT_FILES.junit), text: renderJunit(results) },
    { file: join(reportsDir, REPORT_FILES.results), text: resultsJson(results, reportsDir) },
    { file: join(reportsDir, REPORT_FILES.html), text: renderHtml(results, { diagramSvgs }) },
    ...counterexampleDiagrams(results, reportsDir),
  ];
  for (const { file, text } of files) await writeFileAtomic(file, text);
  return files.map(({ file }) => file);
}
