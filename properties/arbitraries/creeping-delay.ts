// A creeping delay: shortly after the schedule's last fault, the heartbeat or logging link between
// the pair slows down step by step — each step small, every 150–400 ms — until a message spends
// 1.1–1.8 times the detection timeout in flight, and stays so. Traffic never stops: no gap between
// two arrivals exceeds a step plus the sending interval, far under the timeout, so a detector that
// measures silence by arrivals never fires, and I8 forbids a failover. One that ages a message by
// its send time (or otherwise counts the time in flight as silence) declares a live peer failed.
// One run in eight gets one.
//
// Why: the swarm mix draws delays of at most 300 ms, set in one go, below the 400 ms default
// timeout; a delay past the timeout with traffic still flowing was never drawn (fault hunt 11: a
// receiver that stamped heartbeats with their send time was caught only once in 600 runs, where a
// partition happened to meet a 200 ms delay).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { CLUSTER_CONFIG_DEFAULT } from '../../src/cluster/config.ts';
import type { FuzzClusterConfig } from './cluster-config.ts';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export interface CreepingDelay {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
  network: 'heartbeat' | 'logging';
  /** Each step adds this much delay… */
  stepMs: number;
  /** …this long after the one before. */
  everyMs: number;
  /** The delay it stops at, in tenths of the network's detection timeout. */
  topTenths: number;
}

const creep: fc.Arbitrary<CreepingDelay> = fc.record({
  afterMs: fc.integer({ min: 0, max: 400 }),
  network: fc.constantFrom<'heartbeat' | 'logging'>('heartbeat', 'logging'),
  stepMs: fc.integer({ min: 40, max: 90 }),
  everyMs: fc.integer({ min: 150, max: 400 }),
  topTenths: fc.integer({ min: 11, max: 18 }),
});

/** None in seven runs of eight. */
export function creepingDelayArb(): fc.Arbitrary<CreepingDelay | undefined> {
  return oneRunIn(8, creep);
}

/** The schedule's faults with the delay's steps appended, in time order. */
export function withCreepingDelay(
  faults: readonly FuzzFault[],
  c: CreepingDelay,
  config: FuzzClusterConfig,
): FuzzFault[] {
  const timeoutUs =
    c.network === 'heartbeat'
      ? (config.heartbeatTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.heartbeatTimeoutUs)
      : (config.loggingTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.loggingTimeoutUs);
  const topMs = Math.ceil((timeoutUs * c.topTenths) / 10_000);
  const startMs = lastFaultUs(faults) / 1000 + c.afterMs;
  const steps: FuzzFault[] = [];
  for (let k = 1; (k - 1) * c.stepMs < topMs; k++) {
    steps.push({
      at: `${startMs + (k - 1) * c.everyMs}ms`,
      kind: 'delay',
      network: c.network,
      between: ['primary', 'secondary'],
      ms: Math.min(k * c.stepMs, topMs),
    });
  }
  return [...faults, ...steps];
}
