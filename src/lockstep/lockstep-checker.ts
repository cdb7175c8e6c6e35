// I1 on concrete executions: the primary's state digest at sampled boundaries (every boundary in
// tests) waits in a queue until the secondary reaches the same boundary; a mismatch is a
// divergence. Sample boundaries are the multiples of `every`, so both sides stop at the same ones.
import { assert } from '../base/assert.ts';
import type { InvariantId } from '../base/invariants.ts';
import type { StateDifference } from '../vm/api.ts';

export interface Divergence {
  invariant: InvariantId;
  /** state: digests differ; replay: the secondary could not follow the log; output-rule; outputs. */
  kind: 'state' | 'replay' | 'output-rule' | 'outputs';
  /** First boundary found diverging (exact when every boundary is checked). */
  instret: number;
  /** Last boundary where the states were compared equal (-1: none). */
  lastMatchedInstret: number;
  message: string;
  differences: StateDifference[];
}

export class LockstepChecker {
  readonly every: number;
  /** From this boundary on, every boundary is a sample (a dense window after a long start-up). */
  readonly denseFrom: number;
  private readonly instrets: number[] = [];
  private readonly digests: string[] = [];
  private first = 0;
  private lastPrimary = -1;
  private lastSecondary = -1;
  lastMatchedInstret = -1;
  samplesCompared = 0;

  constructor(every: number, denseFrom = Number.POSITIVE_INFINITY) {
    assert(Number.isInteger(every) && every >= 1, 'check interval must be a positive integer');
    assert(denseFrom >= 0, 'denseFrom must be a boundary');
    this.every = every;
    this.denseFrom = denseFrom;
  }

  isSample(instret: number): boolean {
    return instret % this.every === 0 || instret >= this.denseFrom;
  }

  /** The first sample boundary strictly after `instret`. */
  nextSample(instret: number): number {
    if (instret + 1 >= this.denseFrom) return instret + 1;
    return Math.min((Math.floor(instret / this.every) + 1) * this.every, this.denseFrom);
  }

  get pending(): number {
    return this.instrets.length - this.first;
  }

  /** True if the primary's state at `instret` is already recorded (or it is not a sample). */
  primaryHas(instret: number): boolean {
    return !this.isSample(instret) || instret <= this.lastPrimary;
  }

  secondaryHas(instret: number): boolean {
    return !this.isSample(instret) || instret <= this.lastSecondary;
  }

  recordPrimary(instret: number, digest: string): void {
    assert(instret > this.lastPrimary, 'primary samples are recorded in order, once');
    this.instrets.push(instret);
    this.digests.push(digest);
    this.lastPrimary = instret;
  }

  /** Compares the secondary's digest at `instret`; returns the primary's digest on mismatch. */
  checkSecondary(instret: number, digest: string): string | null {
    assert(instret > this.lastSecondary, 'secondary samples are checked in order, once');
    this.lastSecondary = instret;
    while (this.first < this.instrets.length && this.instrets[this.first]! < instret) this.first++;
    // The message is built only on failure (this runs per event).
    if (this.first >= this.instrets.length)
      assert(false, `no primary digest recorded for boundary ${instret}`);
    if (this.instrets[this.first] !== instret) assert(false, `primary skipped sample boundary ${instret}`);
    const expected = this.digests[this.first++]!;
    if (this.first > 4096) {
      this.instrets.splice(0, this.first);
      this.digests.splice(0, this.first);
      this.first = 0;
    }
    this.samplesCompared++;
    if (expected === digest) {
      this.lastMatchedInstret = instret;
      return null;
    }
    return expected;
  }

  /** Restarts sampling at a new engagement (respawn): both sides begin at `instret`. */
  reset(instret: number): void {
    this.instrets.length = 0;
    this.digests.length = 0;
    this.first = 0;
    this.lastPrimary = instret - 1;
    this.lastSecondary = instret - 1;
  }
}
