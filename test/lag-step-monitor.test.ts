// Lag control raises the primary's share one step per slice (LagStepMonitor, I5), judged on the
// instructions the primary's VM executed in a slice that used its whole budget, never on the
// controller's state. Fault hunt 11 wrote a controller that jumped from a stop straight back to
// full speed once its secondary caught up: at ×1000 it lagged 300–630 ms where the shipped one
// holds ~110 ms — inside the bound the lag monitor must allow a correct controller that hears of
// the replay late (~450 ms at ×935), so it passed 600 runs. Seeded here by wrapping
// LagController.update in the test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LagController } from '../src/lockstep/lag-controller.ts';
import { runScenario } from './ft-scenario.ts';

const run = (factor: number) =>
  runScenario([{ at: '100ms', kind: 'slow', host: 'secondary', factor }], {
    seed: 0,
    durationUs: 2_000_000,
    stopOnViolation: true,
  });

describe('lag control climbs one step per slice', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches a controller that goes back to full speed at once', () => {
    const original = LagController.prototype.update;
    vi.spyOn(LagController.prototype, 'update').mockImplementation(function (
      this: LagController,
      lag: number,
    ) {
      const slowed = this.share < 1;
      original.call(this, lag);
      // The fault: caught up, the primary gets its full speed back in one go.
      if (slowed && lag < this.low) (this as unknown as { level: number }).level = 0;
    });
    const violation = run(1000).violations.find((v) => v.invariant === 'I5');
    expect(violation?.message).toMatch(
      /^lag control raised the primary of vm1 on h1 more than one step in a slice: after a slice at (a stop \(one instruction\)|1\/\d+ of full speed) it ran \d+ instructions, beyond the \d+ that one step up allows/,
    );
  });

  it.each([65, 300, 1000])('passes the shipped controller with a secondary slowed ×%i', (factor) => {
    expect(run(factor).violations).toEqual([]);
  });
});
