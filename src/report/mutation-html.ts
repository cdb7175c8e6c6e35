// The mutation section of index.html: the score per level and, for every mutant a reader must look
// at (survivors, crashes of ftcheck, timeouts), its diff and what it would have broken. Escaped.
import { scoreText } from '../check/mutate/outcome.ts';
import {
  type LevelReport,
  type MutantEntry,
  type MutationReport,
  notKilled,
} from '../check/mutate/report.ts';
import { escapeHtml as e } from './escape.ts';

function mutantHtml(m: MutantEntry): string {
  const facts = [
    `<li>where: ${e(m.location)}</li>`,
    ...(m.wouldBreak ? [`<li>would break: ${e(m.wouldBreak)}</li>`] : []),
    ...(m.crash ? [`<li><strong>ftcheck crashed</strong>: ${e(m.crash)}</li>`] : []),
    ...(m.changes ?? []).slice(0, 8).map((c) => `<li>changes: ${e(c)}</li>`),
  ];
  const diff = m.diff ? `<pre>${e(m.diff)}</pre>` : '';
  return `<details><summary><code>${e(m.id)}</code> — ${e(m.status)}</summary><ul>${facts.join('')}</ul>${diff}</details>`;
}

function levelHtml(title: string, report: LevelReport): string {
  const settings = Object.entries(report.settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const shown = notKilled(report);
  const crashed =
    report.score.crashed > 0
      ? `<p><strong>ftcheck crashed on ${report.score.crashed} mutant(s)</strong> — a bug in ftcheck.</p>`
      : '';
  const body =
    shown.length === 0 ? '<p>Every non-equivalent mutant was killed.</p>' : shown.map(mutantHtml).join('');
  return `<h3>${e(title)}</h3><p>Score: <strong>${e(scoreText(report.score))}</strong> <span class="muted">(${e(settings)})</span></p>${crashed}${body}`;
}

/** The section, or nothing when the run had no mutation stage. */
export function mutationSectionHtml(report: MutationReport | undefined): string {
  if (report === undefined) return '';
  const levels = [
    ...(report.model ? [levelHtml('Model mutants', report.model)] : []),
    ...(report.implementation ? [levelHtml('Implementation mutants', report.implementation)] : []),
  ];
  return `<section id="mutation"><h2>Mutation testing</h2>${levels.join('')}</section>`;
}
