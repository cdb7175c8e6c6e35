// Assertions that never switch off (TigerBeetle style): one condition per call, a message that
// says what must hold. Used for programming errors; user input gets a UsageError instead.
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
