// A component failure that its host's repair ends: shortly after the schedule's last fault, a
// named host loses its logging NIC, every HBA or both client NICs, or is slowed past the lag
// control's last step (more than 64×); the host is repaired some time later, with every component
// restored and its speed back. Half the time the primary crashes 0.1–0.9 s after the loss, before
// or after the repair: a survivor that is still degraded must go live within its bound (a slowed
// secondary: the drain a controlled lag allows), and a repaired host must serve as the new
// secondary it now claims to be. One run in six gets one.
//
// Why: each half is common in the swarm mix, but a component failure followed by the repair of
// that very host came up rarely (fault hunt 8: a repair that forgot the logging NIC, and a lag
// control that never stopped a primary whose secondary was slowed past 64×, each escaped a
// 300-run campaign and were caught only on a second seed).
//
// The host is named (h1…, clamped to the cluster), so the repair finds it whichever role it had.
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export interface ComponentRepair {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
  /** The host that loses the component and is repaired: h1…h5, clamped to the cluster. */
  host: number;
  loss:
    | { kind: 'nic-fail'; network: 'logging' | 'client' }
    | { kind: 'hba-fail' }
    | { kind: 'slow'; factor: number };
  /** From the loss to the repair. */
  repairAfterMs: number;
  /** From the loss to the primary's crash, before or after the repair (none: no crash). */
  crashPrimaryAfterMs: number | undefined;
}

const loss: fc.Arbitrary<ComponentRepair['loss']> = fc.oneof(
  { withCrossShrink: true },
  fc.record({
    kind: fc.constant('nic-fail' as const),
    network: fc.constantFrom('logging' as const, 'client' as const),
  }),
  fc.record({ kind: fc.constant('hba-fail' as const) }),
  // Past the lag control's last slowdown step (1/64): only stopping the primary keeps up.
  fc.record({ kind: fc.constant('slow' as const), factor: fc.integer({ min: 65, max: 1000 }) }),
);

const repair: fc.Arbitrary<ComponentRepair> = fc.record({
  afterMs: fc.integer({ min: 0, max: 400 }),
  host: fc.integer({ min: 1, max: 5 }),
  loss,
  repairAfterMs: fc.integer({ min: 1, max: 15 }).map((n) => n * 100),
  crashPrimaryAfterMs: fc.option(fc.integer({ min: 100, max: 900 }), { nil: undefined, freq: 2 }),
});

/** None in five runs of six. */
export function componentRepairArb(): fc.Arbitrary<ComponentRepair | undefined> {
  return oneRunIn(6, repair);
}

/** The schedule's faults with the scenario's appended, in time order. */
export function withComponentRepair(faults: readonly FuzzFault[], r: ComponentRepair): FuzzFault[] {
  const at = (ms: number) => `${ms}ms`;
  const lossMs = lastFaultUs(faults) / 1000 + r.afterMs;
  const repairMs = lossMs + r.repairAfterMs;
  const host = `h${r.host}`;
  const l = r.loss;
  const failure: FuzzFault =
    l.kind === 'slow'
      ? { at: at(lossMs), kind: 'slow', host, factor: l.factor }
      : l.kind === 'hba-fail'
        ? { at: at(lossMs), kind: 'hba-fail', host, path: 'all' }
        : { at: at(lossMs), kind: 'nic-fail', host, path: 'all', network: l.network };
  const added: FuzzFault[] = [failure, { at: at(repairMs), kind: 'repair', host }];
  const crashMs = r.crashPrimaryAfterMs === undefined ? undefined : lossMs + r.crashPrimaryAfterMs;
  if (crashMs !== undefined) {
    // In time order; at the same instant the repair goes first.
    const crash: FuzzFault = { at: at(crashMs), kind: 'crash', host: 'primary' };
    added.splice(crashMs < repairMs ? 1 : 2, 0, crash);
  }
  return [...faults, ...added];
}
