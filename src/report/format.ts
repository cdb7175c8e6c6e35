// Number and time formatting shared by the Markdown and HTML reports. Locale-independent, so a
// report renders byte-identically on every machine.

/** 1234567 → "1,234,567"; non-integers keep up to `decimals` places. */
export function formatNumber(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole, fraction] = fixed.split('.') as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Seconds as a person reads them: "850 ms", "12.3 s", "4 min 12 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return String(seconds);
  if (seconds < 1) return `${formatNumber(seconds * 1000)} ms`;
  if (seconds < 60) return `${formatNumber(seconds, 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Simulated time of a trace event: microseconds shown as milliseconds with 3 decimals. */
export function formatMicros(atMicros: number): string {
  return `${formatNumber(atMicros / 1000, 3)} ms`;
}

/** "42 / 50 (84.0%)". */
export function formatCoverage(figure: { covered: number; total: number }): string {
  const percent = figure.total > 0 ? ` (${formatNumber((100 * figure.covered) / figure.total, 1)}%)` : '';
  return `${formatNumber(figure.covered)} / ${formatNumber(figure.total)}${percent}`;
}

/** Megabytes with one decimal. */
export function formatBytes(bytes: number): string {
  return `${formatNumber(bytes / (1024 * 1024), 1)} MB`;
}

/** A figure from `GateResults.figures`: numbers grouped, strings as they are. */
export function formatFigure(value: number | string): string {
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? formatNumber(value) : formatNumber(value, 3);
}

/** Columns of the bug-catalog self-test table, shared by summary.md and index.html. Schedules to
 * failure: runs until the first that broke a declared invariant, of the fixed count (fuzzed bugs). */
export const BUG_TABLE_COLUMNS = [
  'Seeded bug',
  'Level',
  'Should break',
  'Result',
  'Reported',
  'Schedules to failure',
  'Size',
  'Counterexample',
];

/** "114 of 300" for a fuzzed bug (schedules to first failure of the fixed count), "" otherwise. */
export function formatSchedulesToFailure(bug: {
  schedulesToFirstFailure?: number;
  runs?: number;
  runsPlanned?: number;
}): string {
  if (bug.runsPlanned === undefined) return '';
  const planned = formatNumber(bug.runsPlanned);
  if (bug.schedulesToFirstFailure !== undefined)
    return `${formatNumber(bug.schedulesToFirstFailure)} of ${planned}`;
  const runs = bug.runs ?? 0;
  return runs >= bug.runsPlanned ? `none of ${planned}` : `none in ${formatNumber(runs)} of ${planned}`;
}
