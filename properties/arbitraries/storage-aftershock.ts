// A storage aftershock: one run in four gets a storage fault shortly after its schedule's last
// fault — a short cut of one FT host's storage path, or a lossy or slow storage network for a
// while — and then its recovery. The lossy and slow kinds strike the whole network: a role named
// in them would be resolved again when they end, on another host if a failover moved it.
//
// Why: the lock's test-and-set and the disk's retries only matter when a storage request or its
// reply is lost or late *while* the protocol needs it: during the go-live or continue-alone that
// the last fault set off, or just after, when the VM's pending I/O is reissued. The swarm mix
// draws storage as one network in twelve for cuts, delays and loss (a third of them scoped to
// one host), each at a time of its own, so a lost test-and-set reply of a second lock episode, or a
// disk request lost in a cut that heals, came up in a handful of runs per thousand (measured in
// the hunt of round 4: a lost reply after earlier timeouts on the same host, 0 in 300 runs).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export type StorageAftershock = {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
} & (
  | { kind: 'cut'; host: 'primary' | 'secondary'; healAfterMs: number }
  | { kind: 'lossy'; rate: number; forMs: number }
  | { kind: 'slow'; ms: number; forMs: number }
);

const host = fc.constantFrom<'primary' | 'secondary'>('primary', 'secondary');
const afterMs = fc.integer({ min: 0, max: 600 });
/** How long a lossy or slow network stays so: up to a few test-and-set backoffs. */
const forMs = fc.integer({ min: 1, max: 15 }).map((n) => n * 100);

const aftershock: fc.Arbitrary<StorageAftershock> = fc.oneof(
  { withCrossShrink: true },
  fc.record({
    kind: fc.constant('cut' as const),
    afterMs,
    host,
    healAfterMs: fc.integer({ min: 1, max: 16 }).map((n) => n * 25),
  }),
  fc.record({
    kind: fc.constant('lossy' as const),
    afterMs,
    rate: fc.integer({ min: 1, max: 6 }).map((n) => n / 10),
    forMs,
  }),
  fc.record({
    kind: fc.constant('slow' as const),
    afterMs,
    // Past the storage timeout (100 ms), so requests time out and back off; the swarm's own slow
    // storage goes to 900 ms (a run lasts eight such delays longer: kept short here).
    ms: fc.integer({ min: 101, max: 400 }),
    forMs,
  }),
);

/** No aftershock in three runs of four. */
export function storageAftershockArb(): fc.Arbitrary<StorageAftershock | undefined> {
  return oneRunIn(4, aftershock);
}

/** The schedule's faults with the aftershock's fault and its recovery appended. */
export function withStorageAftershock(faults: readonly FuzzFault[], shock: StorageAftershock): FuzzFault[] {
  const startMs = lastFaultUs(faults) / 1000 + shock.afterMs;
  const at = (ms: number) => `${ms}ms`;
  const network = 'storage';
  switch (shock.kind) {
    case 'cut':
      return [
        ...faults,
        { at: at(startMs), kind: 'partition', network, host: shock.host },
        { at: at(startMs + shock.healAfterMs), kind: 'heal', network: 'storage' },
      ];
    case 'lossy':
      return [
        ...faults,
        { at: at(startMs), kind: 'loss', network, rate: shock.rate },
        { at: at(startMs + shock.forMs), kind: 'loss', network, rate: 0 },
      ];
    case 'slow':
      return [
        ...faults,
        { at: at(startMs), kind: 'delay', network, ms: shock.ms },
        { at: at(startMs + shock.forMs), kind: 'delay', network, ms: 0 },
      ];
  }
}
