// "Did you mean": the known names closest to a mistyped one (optimal string alignment distance,
// as commander uses for options), so `ftcheck fuz` points at `fuzz` and a field `hots` at `host`.

/**
 * The known names closest to `typed`: a name it begins (at least two letters), else those at the
 * smallest edit distance, which must be at most a third of the typed length (at least 1).
 */
export function similarNames(typed: string, known: readonly string[]): string[] {
  if (typed.length >= 2) {
    const extended = known.filter((name) => name.startsWith(typed));
    if (extended.length > 0) return extended;
  }
  const limit = Math.max(1, Math.floor(typed.length / 3));
  const scored = known.map((name) => ({ name, distance: editDistance(typed, name) }));
  const best = Math.min(...scored.map((s) => s.distance));
  if (best > limit) return [];
  return scored.filter((s) => s.distance === best).map((s) => s.name);
}

/** ` (did you mean 'x'?)` for the closest known names, or '' when none is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const similar = similarNames(typed, known);
  return similar.length === 0 ? '' : ` (did you mean ${similar.map((s) => `'${s}'`).join(' or ')}?)`;
}

/** Insertions, deletions, substitutions and adjacent transpositions, each costing 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
