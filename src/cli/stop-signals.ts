// SIGINT (Ctrl-C) and SIGTERM (what a CI runner sends when a job is cancelled) get the same
// treatment: the first asks the running command to stop at its next check and write what it has;
// a second one quits at once with exit 130.
import { EXIT_INTERRUPTED } from './context.ts';

export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(stop: (signal: StopSignal) => void): () => void {
  let received = false;
  const handler = (signal: StopSignal) => {
    if (received) process.exit(EXIT_INTERRUPTED);
    received = true;
    stop(signal);
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
