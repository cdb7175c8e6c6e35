// The mutation section of summary.md and the whole of mutation.md: the score per level, then
// every mutant a reader must look at (survivors, crashes of ftcheck, timeouts) with its diff and
// what it would have broken. Killed and equivalent mutants are counted, not listed.

import { scoreText } from '../check/mutate/outcome.ts';
import {
  type LevelReport,
  type MutantEntry,
  type MutationReport,
  notKilled,
} from '../check/mutate/report.ts';
import { escapeMarkdownInline, markdownCode, markdownFence } from './escape.ts';

const TITLES = { model: 'Model mutants', implementation: 'Implementation mutants' } as const;

function mutantMarkdown(m: MutantEntry): string[] {
  const t = escapeMarkdownInline;
  const lines = [`#### ${markdownCode(m.id)} — ${m.status.toUpperCase()}`, '', `- where: ${t(m.location)}`];
  if (m.wouldBreak) lines.push(`- would break: ${t(m.wouldBreak)}`);
  if (m.crash) lines.push(`- **ftcheck crashed**: ${t(m.crash)}`);
  if (m.changes && m.changes.length > 0) {
    lines.push('- behaviour changes:', ...m.changes.slice(0, 8).map((c) => `  - ${t(c)}`));
    if (m.changes.length > 8) lines.push(`  - … ${m.changes.length - 8} more`);
  }
  if (m.diff) lines.push('', markdownFence('diff', m.diff));
  lines.push('');
  return lines;
}

export function levelMarkdown(
  level: 'model' | 'implementation',
  report: LevelReport,
  heading = '###',
): string[] {
  const settings = Object.entries(report.settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `${heading} ${TITLES[level]}`,
    '',
    `Score: **${scoreText(report.score)}** (${settings}).`,
    '',
  ];
  if (report.score.crashed > 0) {
    lines.push(
      `> **ftcheck crashed on ${report.score.crashed} mutant(s)** — a bug in ftcheck, not in the system.`,
      '',
    );
  }
  const shown = notKilled(report);
  if (shown.length === 0) return [...lines, 'Every non-equivalent mutant was killed.', ''];
  lines.push(`${shown.length} not killed:`, '');
  for (const m of shown) lines.push(...mutantMarkdown(m));
  return lines;
}

/** The section for summary.md, or nothing when the run had no mutation stage. */
export function mutationMarkdown(report: MutationReport | undefined, heading = '##'): string[] {
  if (report === undefined) return [];
  const lines = [`${heading} Mutation testing`, ''];
  if (report.model) lines.push(...levelMarkdown('model', report.model, `${heading}#`));
  if (report.implementation)
    lines.push(...levelMarkdown('implementation', report.implementation, `${heading}#`));
  return lines;
}
