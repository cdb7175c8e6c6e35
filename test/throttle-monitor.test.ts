// Lag control slows a primary only while its secondary lags (ThrottleMonitor, I8). Fault hunt 10
// wrote a controller that compared the lag's all-time peak with the high mark: after one slow
// stretch of the secondary the primary stayed throttled for good, down to a stop, while its
// secondary kept up — outputs still left, only late, and nothing reported it. Seeded here by
// replacing LagController.update in the test.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runFt } from '../src/check/monitors/ft-run.ts';
import { LagController } from '../src/lockstep/lag-controller.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

// The secondary runs ×40 slower for 400 ms (lag control throttles its primary), then at full
// speed again: it catches up, and the primary must be let go back to full speed.
const run = () =>
  runFt({
    seed: 0,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 2_500_000,
    config: { hosts: 2, racks: 1 },
    clientOptions: { intervalUs: 2_000 },
    schedule: parseFaultSchedule({
      version: 1,
      faults: [
        { at: '100ms', kind: 'slow', host: 'secondary', factor: 40 },
        { at: '500ms', kind: 'slow', host: 'secondary', factor: 1 },
      ],
    }),
    stopOnViolation: true,
  });

describe('ThrottleMonitor', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('catches lag control that keeps the primary throttled after its secondary caught up', () => {
    vi.spyOn(LagController.prototype, 'update').mockImplementation(function (this: LagController, lag) {
      const self = this as unknown as { level: number };
      if (lag > this.lagMax) this.lagMax = lag;
      // The fault: the peak, not the lag now, decides the slowdown.
      if (this.lagMax > this.high && self.level < this.shares.length - 1) {
        self.level++;
        this.slowdowns++;
      } else if (lag < this.low && self.level > 0) self.level--;
    });
    const i8 = run().violations.find((v) => v.invariant === 'I8');
    expect(i8?.message).toMatch(
      /h1, the primary of vm1, ran at share (0 \(a stop\)|1\/\d+) although its secondary on h2 had replayed each of its last 12 checkpoints within 6\.25 ms .* lag control climbs back to (share 1\/\d+|full speed) for a secondary/,
    );
  });

  it('passes the correct lag control on the same run, which did throttle the primary', () => {
    let slowed = 0;
    const original = LagController.prototype.update;
    vi.spyOn(LagController.prototype, 'update').mockImplementation(function (this: LagController, lag) {
      original.call(this, lag);
      if (this.share < 1) slowed++;
    });
    expect(run().violations).toEqual([]);
    expect(slowed).toBeGreaterThan(0);
  });
});
