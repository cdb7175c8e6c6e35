// Who threw: a step of the model that throws (a failed assertion in the environment, a TypeError
// in a guard or action, xstate refusing a transition the machine asked for) is a finding about
// the system under test, reported as an I0 violation with the path that leads to it. Only an
// error raised by ftcheck's own checking code (src/check, src/cli) is a fault of ftcheck (exit 3).
// The judge is the first stack frame that is not the `assert` helper itself, so the same rule
// holds for errors rebuilt from a worker thread's stack text.

import type { EventObject } from 'xstate';
import { AssertionError } from '../../base/assert.ts';
import { packageRoot } from '../../base/package-root.ts';
import { ImpureFunctionError, UnsupportedMachineError } from './errors.ts';
import { eventText } from './stepTable.ts';

/** The property every search checks besides the model's own: no step throws. */
export const STEPS_COMPLETE = {
  name: 'stepsComplete',
  id: 'I0' as const,
  description:
    'no step of the model throws: a failed assertion or an error in a guard or action is a finding about the system under test',
};

const CHECKER_FOLDERS = ['src/check/', 'src/cli/'];

let checkerPrefixes: string[] | null = null;

function prefixes(): string[] {
  if (checkerPrefixes !== null) return checkerPrefixes;
  const root = packageRoot().replaceAll('\\', '/');
  checkerPrefixes = CHECKER_FOLDERS.flatMap((folder) => [`${root}/${folder}`, `${root}/dist/${folder}`]);
  return checkerPrefixes;
}

/** The first frame of a stack text that is not inside the assert helper, or null. */
function throwingFrame(stack: string): string | null {
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line)) continue;
    if (/[/\\]base[/\\]assert\.[jt]s\b/.test(line)) continue;
    return line.replaceAll('\\', '/').replace('file://', '');
  }
  return null;
}

/** Whether a stack text says the error was raised by ftcheck's own checking code. */
export function thrownByChecker(stack: string): boolean {
  const frame = throwingFrame(stack);
  if (frame === null) return true; // nothing to judge by: do not blame the system
  return prefixes().some((prefix) => frame.includes(prefix));
}

/**
 * Whether an error thrown while stepping the model is a finding about the model (the system under
 * test). Errors that say the machine cannot be explored at all (refused constructs, impure guards)
 * are not findings: they stop the search with their own message, as before.
 */
export function isModelFault(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof UnsupportedMachineError || error instanceof ImpureFunctionError) return false;
  if (error.stack === undefined) return false;
  return !thrownByChecker(error.stack);
}

/** One line naming the error, for reports. */
export function thrownText(error: Error): string {
  const frame = error.stack === undefined ? null : throwingFrame(error.stack);
  // File name and line only: a report must not depend on where the checkout lives.
  const where = frame === null ? null : /([^/()\s]+:\d+):\d+\)?\s*$/.exec(frame);
  const at = where === null ? '' : ` at ${where[1]}`;
  const name = error instanceof AssertionError ? 'assertion failed' : error.name;
  return `${name}: ${error.message}${at}`;
}

/** "EVENT threw …": the step of a violation's `thrown` record, for one-line reports. */
export function thrownLine(thrown: { event: EventObject | null; error: string }): string {
  return `${thrown.event === null ? 'a step from the last state' : eventText(thrown.event)} threw ${thrown.error}`;
}
