// A passing impairment: shortly after the schedule's last fault, one network turns slow, lossy or
// duplicating — on one host's links, between two named hosts, or everywhere — and is lifted again
// later by the same fault at level 0, on the same scope. Sometimes a weaker impairment of the
// whole network lies underneath and outlives the lift (or is lifted after it), so the lift must
// uncover the weaker level, not clear everything.
//
// Why: the swarm mix sets impairments and never takes a scoped one back (only the aftershock and
// the reprotection stress lift theirs, storage only), so recovery after a degradation ends — the
// log channel's resend after loss stops, lag control raising the primary again once the logging
// link is fast, clients answered promptly again, the effective impairment of a link once a scoped
// one is lifted — was judged almost never (fault hunt 13: a network whose per-link impairment
// cache was never refreshed was caught once in 600 runs). The hosts are named, not roles: a role
// may move to another host while the impairment lasts, and the lift must reach the links the
// impairment was set on.
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { NETWORK_KINDS, type NetworkKind } from '../../src/sim/fault-schedule.ts';
import { FUZZ_HOSTS_MAX } from './cluster-config.ts';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

type Scope = { host: string } | { between: [string, string] } | Record<string, never>;

export interface PassingImpairment {
  /** Milliseconds after the schedule's last fault (0 when it has none). */
  afterMs: number;
  network: NetworkKind;
  kind: 'delay' | 'loss' | 'duplicate';
  /** Delay in milliseconds, or a rate in tenths. */
  level: number;
  scope: Scope;
  /** From the impairment to its lift. */
  forMs: number;
  /** A weaker whole-network impairment of the same kind set before it (none: no underlay). */
  underlay?: { level: number; liftAfterMs?: number };
}

const concreteHost = fc.integer({ min: 1, max: FUZZ_HOSTS_MAX }).map((n) => `h${n}`);

const scope: fc.Arbitrary<Scope> = fc.oneof(
  { withCrossShrink: true },
  { weight: 2, arbitrary: concreteHost.map((host) => ({ host })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: FUZZ_HOSTS_MAX }), fc.integer({ min: 1, max: FUZZ_HOSTS_MAX - 1 }))
      .map(([a, step]): Scope => ({ between: [`h${a}`, `h${((a - 1 + step) % FUZZ_HOSTS_MAX) + 1}`] })),
  },
  { weight: 1, arbitrary: fc.constant({}) },
);

/** Logging and heartbeat first, as in the swarm mix: their links decide failovers. */
const network: fc.Arbitrary<NetworkKind> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant<NetworkKind>(NETWORK_KINDS[0]) },
  { weight: 2, arbitrary: fc.constant<NetworkKind>(NETWORK_KINDS[1]) },
  { weight: 2, arbitrary: fc.constantFrom<NetworkKind>(...NETWORK_KINDS.slice(2)) },
);

const passing: fc.Arbitrary<PassingImpairment> = fc
  .record({
    afterMs: fc.integer({ min: 0, max: 600 }),
    network,
    kind: fc.constantFrom<PassingImpairment['kind']>('delay', 'loss', 'duplicate'),
    // Delays up to twice the default detection timeout; rates 0.1–1.
    level: fc.integer({ min: 1, max: 40 }),
    scope,
    forMs: fc.integer({ min: 50, max: 1500 }),
    underlay: fc.option(
      fc.record({
        level: fc.integer({ min: 1, max: 20 }),
        liftAfterMs: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
      }),
      { nil: undefined, freq: 3 },
    ),
  })
  .map((drawn) => {
    // Delays in 20 ms steps; rates in tenths (1–10), the underlay always below the impairment.
    const top = drawn.kind === 'delay' ? drawn.level : Math.max(1, Math.ceil(drawn.level / 4));
    // An underlay needs a weaker level and a narrower impairment on top to outlive.
    const whole = !('host' in drawn.scope) && !('between' in drawn.scope);
    const underlay =
      drawn.underlay === undefined || top < 2 || whole
        ? undefined
        : { ...drawn.underlay, level: Math.min(drawn.underlay.level, top - 1) };
    const { underlay: _, ...rest } = drawn;
    return underlay === undefined ? { ...rest, level: top } : { ...rest, level: top, underlay };
  });

/** None in seven runs of eight. */
export function passingImpairmentArb(): fc.Arbitrary<PassingImpairment | undefined> {
  return oneRunIn(8, passing);
}

function impairment(kind: PassingImpairment['kind'], level: number): Record<string, number> {
  return kind === 'delay' ? { ms: level * 20 } : { rate: level / 10 };
}

/** The schedule's faults with the impairment, its lift and its underlay appended, in time order. */
export function withPassingImpairment(faults: readonly FuzzFault[], p: PassingImpairment): FuzzFault[] {
  const startMs = lastFaultUs(faults) / 1000 + p.afterMs;
  const liftMs = startMs + p.forMs;
  const at = (ms: number) => `${ms}ms`;
  const added: FuzzFault[] = [];
  if (p.underlay !== undefined) {
    added.push({
      at: at(startMs),
      kind: p.kind,
      network: p.network,
      ...impairment(p.kind, p.underlay.level),
    });
  }
  added.push({
    at: at(startMs),
    kind: p.kind,
    network: p.network,
    ...p.scope,
    ...impairment(p.kind, p.level),
  });
  added.push({ at: at(liftMs), kind: p.kind, network: p.network, ...p.scope, ...impairment(p.kind, 0) });
  if (p.underlay?.liftAfterMs !== undefined) {
    added.push({
      at: at(liftMs + p.underlay.liftAfterMs),
      kind: p.kind,
      network: p.network,
      ...impairment(p.kind, 0),
    });
  }
  return [...faults, ...added];
}
