// What a monitor reports: the invariant, when (simulated time) and where (trace position, VM,
// host) it first broke, and a message that says how.
import type { InvariantId } from '../../base/invariants.ts';

export interface Violation {
  invariant: InvariantId;
  timeUs: number;
  /** Index of the next trace entry when the violation was detected. */
  tracePosition: number;
  vm?: string;
  host?: string;
  message: string;
}

/** Where monitors read the clock and the trace position, and report. */
export interface MonitorSink {
  now(): number;
  position(): number;
  report(violation: Omit<Violation, 'timeUs' | 'tracePosition'> & { timeUs?: number }): void;
}
