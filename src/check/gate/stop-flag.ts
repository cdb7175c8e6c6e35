// Why long work stops early: a signal (Ctrl-C, or SIGTERM from a CI runner that cancels a job) or
// the wall-clock ceiling (`--budget`). Neither is a verdict about the system: an interrupted run
// is 'interrupted', a run cut by the ceiling is 'inconclusive'. The flag lives in shared memory so
// fuzz workers on other threads see it at their next check (between two runs).
import { assert } from '../../base/assert.ts';

export type StopReason = 'interrupted' | 'ceiling';

const NONE = 0;
const CEILING = 1;
const INTERRUPTED = 2;

export class StopFlag {
  private readonly cell: Int32Array;

  /** A new flag, or a view of one shared from another thread (`flag.buffer`). */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    assert(buffer.byteLength >= 4, 'a stop flag needs 4 bytes of shared memory');
    this.cell = new Int32Array(buffer, 0, 1);
  }

  /** Asks every reader to stop. An interrupt outranks the ceiling: it is what the user did last. */
  request(reason: StopReason): void {
    const value = reason === 'interrupted' ? INTERRUPTED : CEILING;
    let current = Atomics.load(this.cell, 0);
    while (current < value) {
      const seen = Atomics.compareExchange(this.cell, 0, current, value);
      if (seen === current) return;
      current = seen;
    }
  }

  get reason(): StopReason | null {
    const value = Atomics.load(this.cell, 0);
    if (value === NONE) return null;
    return value === INTERRUPTED ? 'interrupted' : 'ceiling';
  }
}

/**
 * Sets `flag` to 'ceiling' when `seconds` of wall-clock time have passed (undefined: no ceiling).
 * Returns a function that cancels the timer. The timer never keeps the process alive.
 */
export function startCeiling(flag: StopFlag, seconds: number | undefined): () => void {
  if (seconds === undefined) return () => {};
  assert(seconds > 0, 'a ceiling is a positive number of seconds');
  const timer = setTimeout(() => flag.request('ceiling'), seconds * 1000);
  timer.unref();
  return () => clearTimeout(timer);
}
