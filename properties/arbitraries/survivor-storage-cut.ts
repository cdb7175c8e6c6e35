// A correlated failure: shortly after the schedule's last fault, one half of the pair loses its
// storage path (a cut of its host's storage network), and while the cut lasts its peer crashes.
// The survivor must take over (or carry on alone) through a test-and-set that cannot reach the
// array: it waits and retries until the cut heals, 0.3–1.5 s after it began, and never gives the
// VM up meanwhile. One run in eight gets one; either role may be the survivor.
//
// Why: the swarm mix and the storage aftershock put a storage cut *after* a failure; a survivor
// whose storage was already down when its peer failed came up only by chance (a primary whose
// test-and-set went unanswered and gave the VM up survived 100 runs of a mutation campaign, though
// the abandonment monitor reports it at once in a written scenario).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export interface SurvivorStorageCut {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
  /** The half whose storage path is cut; the other one crashes. */
  survivor: 'primary' | 'secondary';
  /** From the cut to the crash of the survivor's peer. */
  crashAfterMs: number;
  /** From the cut to its heal. */
  healAfterMs: number;
}

const cut: fc.Arbitrary<SurvivorStorageCut> = fc.record({
  afterMs: fc.integer({ min: 0, max: 400 }),
  survivor: fc.constantFrom<'primary' | 'secondary'>('primary', 'secondary'),
  crashAfterMs: fc.integer({ min: 0, max: 400 }),
  healAfterMs: fc.integer({ min: 3, max: 15 }).map((n) => n * 100),
});

/** None in seven runs of eight. */
export function survivorStorageCutArb(): fc.Arbitrary<SurvivorStorageCut | undefined> {
  return oneRunIn(8, cut);
}

/** The schedule's faults with the cut, the crash and the heal appended, in time order. */
export function withSurvivorStorageCut(faults: readonly FuzzFault[], c: SurvivorStorageCut): FuzzFault[] {
  const at = (ms: number) => `${ms}ms`;
  const cutMs = lastFaultUs(faults) / 1000 + c.afterMs;
  const peer = c.survivor === 'primary' ? 'secondary' : 'primary';
  // The crash falls inside the cut (its heal is at least 300 ms on, the crash at most 400 ms):
  // in time order, and at the same instant the cut goes first.
  const crashMs = cutMs + Math.min(c.crashAfterMs, c.healAfterMs - 1);
  return [
    ...faults,
    { at: at(cutMs), kind: 'partition', network: 'storage', host: c.survivor },
    { at: at(crashMs), kind: 'crash', host: peer },
    { at: at(cutMs + c.healAfterMs), kind: 'heal', network: 'storage' },
  ];
}
