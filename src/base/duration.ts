// Durations as people write them ("250ms", "2s", "5m", "500us") → integer microseconds.
const UNIT_MICROS: Record<string, number> = {
  us: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};
const DURATION = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses a duration string into whole microseconds; `what` names the field in the error. */
export function parseDurationMicros(text: string, what: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new DurationError(`${what}: expected a duration like 250ms, 2s, 5m or 500us, got '${text}'`);
  }
  const micros = Math.round(Number(match[1]) * UNIT_MICROS[match[2]!]!);
  if (!Number.isSafeInteger(micros)) throw new DurationError(`${what}: duration '${text}' is too large`);
  return micros;
}

/** Formats microseconds compactly for timelines and reports ("1.25s", "340ms", "12us"). */
export function formatMicros(micros: number): string {
  if (micros >= 1_000_000) return `${+(micros / 1_000_000).toFixed(3)}s`;
  if (micros >= 1_000) return `${+(micros / 1_000).toFixed(3)}ms`;
  return `${micros}us`;
}
