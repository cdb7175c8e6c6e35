// Errors of the explorer that name what is wrong with a user's machine or model.

/** The compiled engine cannot hold this machine; the message names the construct and where it is. */
export class UnsupportedMachineError extends Error {
  override name = 'UnsupportedMachineError';
}

/** A guard, action or predicate behaved in a way a pure function cannot (mutation, nondeterminism). */
export class ImpureFunctionError extends Error {
  override name = 'ImpureFunctionError';
}
