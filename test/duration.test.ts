import { describe, expect, it } from 'vitest';
import { formatMicros, parseDurationMicros } from '../src/base/duration.ts';

describe('durations', () => {
  it('parses every unit', () => {
    expect(parseDurationMicros('500us', 'x')).toBe(500);
    expect(parseDurationMicros('250ms', 'x')).toBe(250_000);
    expect(parseDurationMicros('2s', 'x')).toBe(2_000_000);
    expect(parseDurationMicros('1.5s', 'x')).toBe(1_500_000);
    expect(parseDurationMicros('5m', 'x')).toBe(300_000_000);
  });
  it('names the field and the bad value', () => {
    expect(() => parseDurationMicros('10 parsecs', 'faults[2].at')).toThrow(
      /faults\[2\]\.at: .*'10 parsecs'/,
    );
    expect(() => parseDurationMicros('-1s', 'budget')).toThrow(/budget/);
  });
  it('formats compactly', () => {
    expect(formatMicros(12)).toBe('12us');
    expect(formatMicros(340_000)).toBe('340ms');
    expect(formatMicros(1_250_000)).toBe('1.25s');
  });
});
