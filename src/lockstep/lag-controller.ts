// Execution-lag flow control (FT: when the backup falls far behind, the primary's CPU share is
// reduced step by step, and raised again as the backup catches up). Pure bookkeeping: the driver
// (in-process pair or cluster simulation) asks for the share and scales the primary's budget.
import { assert } from '../base/assert.ts';

export interface LagControlOptions {
  /** Lag (instructions) above which the primary is slowed one more step. Default 2M. */
  highInstructions?: number;
  /** Lag below which the primary is sped up one step. Default 500k. */
  lowInstructions?: number;
  /** CPU shares from full speed down. Default 1, 1/2, 1/4, 1/8, 1/16. */
  shares?: readonly number[];
}

export class LagController {
  high: number;
  low: number;
  readonly shares: readonly number[];
  private level = 0;
  lagMax = 0;
  slowdowns = 0;
  slowedUpdates = 0;

  constructor(options: LagControlOptions = {}) {
    this.high = options.highInstructions ?? 2_000_000;
    this.low = options.lowInstructions ?? 500_000;
    this.shares = options.shares ?? [1, 1 / 2, 1 / 4, 1 / 8, 1 / 16];
    assert(this.low < this.high, 'lag low mark must be below the high mark');
    assert(this.shares.length > 0 && this.shares[0] === 1, 'the first share must be full speed (1)');
  }

  /** Moves the marks (the secondary's speed changed: the same lag now takes longer to replay). */
  setMarks(highInstructions: number, lowInstructions: number): void {
    assert(lowInstructions < highInstructions, 'lag low mark must be below the high mark');
    this.high = highInstructions;
    this.low = lowInstructions;
  }

  /** The primary's current share of full speed. */
  get share(): number {
    return this.shares[this.level]!;
  }

  update(lagInstructions: number): void {
    if (lagInstructions > this.lagMax) this.lagMax = lagInstructions;
    if (lagInstructions > this.high && this.level < this.shares.length - 1) {
      this.level++;
      this.slowdowns++;
    } else if (lagInstructions < this.low && this.level > 0) {
      this.level--;
    }
    if (this.level > 0) this.slowedUpdates++;
  }
}
