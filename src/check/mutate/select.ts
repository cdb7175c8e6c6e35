// Choosing which mutants a run covers: exact ids or `*` patterns, operators, a seeded sample, and
// a shard of a CI matrix (round robin, so every shard gets a mix of operators). Pure functions of
// their inputs: the same flags select the same mutants on every machine.
import { Prng } from '../../base/prng.ts';
import type { Shard } from '../shard.ts';

export interface MutantSelection {
  /** Ids or patterns with `*` (any characters); a mutant is kept when one matches. */
  only?: readonly string[];
  operators?: readonly string[];
  /** Keep this many, chosen with the seeded PRNG (in the list's order). */
  sample?: number;
  seed: number;
  shard?: Shard;
}

function patternOf(text: string): RegExp {
  const escaped = text.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Indices of `k` of `n` items, chosen by a seeded partial Fisher–Yates shuffle, ascending. */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  const prng = new Prng(seed);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(prng.nextFloat() * (n - i));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices.slice(0, take).sort((a, b) => a - b);
}

export function selectMutants<T extends { id: string; operator: string }>(
  mutants: readonly T[],
  selection: MutantSelection,
): T[] {
  let kept = [...mutants];
  if (selection.only !== undefined && selection.only.length > 0) {
    const patterns = selection.only.map(patternOf);
    kept = kept.filter((m) => patterns.some((p) => p.test(m.id)));
  }
  if (selection.operators !== undefined && selection.operators.length > 0) {
    kept = kept.filter((m) => selection.operators!.includes(m.operator));
  }
  if (selection.sample !== undefined) {
    kept = sampleIndices(kept.length, selection.sample, selection.seed).map((i) => kept[i]!);
  }
  const shard = selection.shard;
  if (shard !== undefined) kept = kept.filter((_, i) => i % shard.count === shard.index - 1);
  return kept;
}
