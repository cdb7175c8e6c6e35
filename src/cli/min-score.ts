// `--min-score P`: the lowest mutation score (percent) a run accepts, for `ftcheck mutate` and the gate.
import { UsageError } from './context.ts';

/** '95' or '95%' → 0.95; anything else is a usage error naming the flag. */
export function parseMinScore(text: string): number {
  const value = Number(text.replace(/%$/, ''));
  if (!/^\d+(\.\d+)?%?$/.test(text) || value > 100) {
    throw new UsageError(`--min-score must be a percentage in 0..100 (e.g. 95 or 95%), got '${text}'`);
  }
  return value / 100;
}
