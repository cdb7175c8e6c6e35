// A whole resource lost one path at a time: shortly after the schedule's last fault, one host of
// the pair loses one of its two paths of a component (an HBA, a client NIC) — which it must absorb
// (I8) — and 20–600 ms later the other path of the same component. No other failure follows: the
// pair is otherwise healthy, so the loss of the whole resource must be answered as one (a primary
// without storage gives way to its secondary; a survivor takes the client address), although no
// single failure was more than absorbable. One run in eight gets one; either role may lose it.
//
// Why: the swarm mix fails both paths of one host's component one after the other in about one run
// in two hundred, nearly always beside a crash that decides the run on its own (fault hunt 10: a
// host that reacted only to every path failing at once kept a primary with no storage path
// running, and 600 runs never gave it the scenario).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export interface PathByPathLoss {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
  host: 'primary' | 'secondary';
  component: 'hba' | 'client-nic';
  /** The path that fails first; the other one follows. */
  first: 0 | 1;
  /** From the first path's failure to the second's. */
  gapMs: number;
}

const loss: fc.Arbitrary<PathByPathLoss> = fc.record({
  afterMs: fc.integer({ min: 0, max: 400 }),
  host: fc.constantFrom<'primary' | 'secondary'>('primary', 'secondary'),
  component: fc.constantFrom<'hba' | 'client-nic'>('hba', 'client-nic'),
  first: fc.constantFrom<0 | 1>(0, 1),
  gapMs: fc.integer({ min: 20, max: 600 }),
});

/** None in seven runs of eight. */
export function pathByPathLossArb(): fc.Arbitrary<PathByPathLoss | undefined> {
  return oneRunIn(8, loss);
}

/** The schedule's faults with both path failures appended, in time order. */
export function withPathByPathLoss(faults: readonly FuzzFault[], l: PathByPathLoss): FuzzFault[] {
  const firstMs = lastFaultUs(faults) / 1000 + l.afterMs;
  const fail = (atMs: number, path: 0 | 1): FuzzFault =>
    l.component === 'hba'
      ? { at: `${atMs}ms`, kind: 'hba-fail', host: l.host, path }
      : { at: `${atMs}ms`, kind: 'nic-fail', host: l.host, path, network: 'client' };
  return [...faults, fail(firstMs, l.first), fail(firstMs + l.gapMs, l.first === 0 ? 1 : 0)];
}
