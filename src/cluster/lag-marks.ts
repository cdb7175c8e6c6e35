// Execution-lag marks in the secondary's own replay time: the primary slows down once its
// secondary would need more than ~100 ms to replay what it is behind, and speeds up again under
// 25 ms. Counting in the secondary's time (not the primary's) keeps a failover's drain short
// however much slower the secondary runs; the secondary's hypervisor knows its VM's speed and
// sends it with every acknowledgement.
import type { Host } from './host.ts';

export const LAG_HIGH_MS = 100;
export const LAG_LOW_MS = 25;
/** The primary's CPU shares as its secondary falls behind: down to a stop. */
export const LAG_SHARES: readonly number[] = [1, 1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 64, 0];

/** Guest instructions a host replays per simulated millisecond at its current speed. */
export function replaySpeedPerMs(host: Host): number {
  return (host.instructionsPerUs * 1000) / host.slowFactor;
}
