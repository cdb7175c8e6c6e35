// Fault schedules for fuzzing: timed lists of host crashes and repairs, rack power loss, partitions
// and heals of each network, message delay / loss / duplication, single and total HBA or NIC loss
// and slow hosts (past the lag control's last step too), cuts that heal soon after.
//
// Two shapes. `faultListArb` is the classic one: every kind, at absolute times in [0, horizon].
// `swarmFaultListArb` is swarm testing (Groce et al.; TigerBeetle's VOPR): each schedule first
// picks which fault families it enables, then draws its faults from those only, so some runs are
// all partitions, others all component failures, others crashes with repairs — combinations a
// uniform mix rarely produces. Its faults come in groups separated by gaps (0–2.5 s), so a second
// failure often lands after the first was fully recovered from (failover, re-protection).
//
// Both shrink toward fewer faults (array shrinking), earlier times (integer milliseconds shrink
// toward 0), simpler kinds (`crash` first) and the `primary` host reference. Host numbers may
// exceed the cluster; `fitFaultToCluster` maps them onto its hosts and racks.
import fc from 'fast-check';
import { NETWORK_KINDS, type NetworkKind } from '../../src/sim/fault-schedule.ts';
import { FUZZ_HOSTS_MAX, FUZZ_RACKS_MAX } from './cluster-config.ts';

export const FAULT_HORIZON_MS_DEFAULT = 900;
/** Most milliseconds between two fault groups of a swarm schedule. */
export const FAULT_GAP_MS_MAX = 2_500;

export type FuzzFault = Record<string, unknown> & { at: string; kind: string };

export interface FaultScheduleArbOptions {
  /** Most fault groups (a fault, or a crash with its repair) in one schedule (default 4). */
  faultsMax?: number;
  /** Faults happen in [0, horizonMs] (default 900; classic shape only). */
  horizonMs?: number;
}

const HOST_REFS = ['primary', 'secondary', ...Array.from({ length: FUZZ_HOSTS_MAX }, (_, i) => `h${i + 1}`)];
const hostRef = fc.constantFrom(...HOST_REFS);
/** Concrete hosts only: a repair names the machine that comes back, not a role. */
const concreteHost = fc.constantFrom(...HOST_REFS.slice(2));
const rack = fc.integer({ min: 1, max: FUZZ_RACKS_MAX }).map((n) => `r${n}`);
/** Logging and heartbeat first: their partitions decide failovers; client and storage less often. */
const network: fc.Arbitrary<NetworkKind> = fc.oneof(
  { withCrossShrink: true },
  { weight: 3, arbitrary: fc.constant<NetworkKind>(NETWORK_KINDS[0]) },
  { weight: 2, arbitrary: fc.constant<NetworkKind>(NETWORK_KINDS[1]) },
  { weight: 1, arbitrary: fc.constantFrom<NetworkKind>(...NETWORK_KINDS.slice(2)) },
);
const path = fc.constantFrom<0 | 1 | 'all'>('all', 0, 1);
const rate = fc.integer({ min: 1, max: 10 }).map((n) => n / 10);
/** Link pairs; the FT pair itself most often, since its links decide failovers. */
const pair = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant<[string, string]>(['primary', 'secondary']) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string]>(['primary', 'h3'], ['secondary', 'h3']) },
);
/** Which links: the primary–secondary pair, some other pair, or all of one host's links. */
const scope = fc.oneof(
  { withCrossShrink: true },
  { weight: 2, arbitrary: pair.map((between) => ({ between })) },
  { weight: 1, arbitrary: hostRef.map((host) => ({ host })) },
);

type Weighted = { weight: number; arbitrary: fc.Arbitrary<Record<string, unknown>> };
const w = (weight: number, arbitrary: fc.Arbitrary<Record<string, unknown>>): Weighted => ({
  weight,
  arbitrary,
});

/**
 * The fault families swarm testing switches on and off, each with its generators (weights
 * within the classic uniform mix). The first family is the simplest: shrinking goes there.
 */
export const FAULT_FAMILIES = {
  crash: [
    w(5, fc.record({ kind: fc.constant('crash'), host: hostRef })),
    // A host that fails and comes back: the repair follows its own crash.
    w(
      2,
      fc.record({
        kind: fc.constant('crash'),
        host: concreteHost,
        repairAfterMs: fc.integer({ min: 1, max: 30 }).map((n) => n * 100),
      }),
    ),
    w(2, fc.record({ kind: fc.constant('repair'), host: concreteHost })),
    w(1, fc.record({ kind: fc.constant('power-off-rack'), rack })),
  ],
  partition: [
    w(
      5,
      fc.tuple(network, scope).map(([net, where]) => ({ kind: 'partition', network: net, ...where })),
    ),
    w(1, fc.record({ kind: fc.constant('heal'), network })),
    // A blip: a cut healed soon after (the network healed as a whole, so that a role named in
    // the cut cannot move to another host before the heal). Requests lost in the cut must be
    // retried promptly once it heals.
    w(
      2,
      fc
        .tuple(network, scope, fc.integer({ min: 1, max: 40 }))
        .map(([net, where, n]) => ({ kind: 'partition', network: net, ...where, healAfterMs: n * 25 })),
    ),
  ],
  component: [
    w(2, fc.record({ kind: fc.constant('hba-fail'), host: hostRef, path })),
    w(1, fc.record({ kind: fc.constant('nic-fail'), host: hostRef, path })),
    w(
      1,
      fc.record({
        kind: fc.constant('nic-fail'),
        host: hostRef,
        path: fc.constant('all'),
        network: fc.constant('logging'),
      }),
    ),
  ],
  slow: [
    w(2, fc.record({ kind: fc.constant('slow'), host: hostRef, factor: fc.integer({ min: 2, max: 50 }) })),
    // Past the lag control's last slowdown step (1/64): only stopping the primary keeps up.
    w(1, fc.record({ kind: fc.constant('slow'), host: hostRef, factor: fc.integer({ min: 51, max: 1000 }) })),
  ],
  message: [
    w(
      1,
      fc
        .tuple(network, scope, fc.integer({ min: 1, max: 300 }))
        .map(([net, where, ms]) => delay(net, where, ms)),
    ),
    w(1, fc.record({ kind: fc.constant('delay'), network, ms: fc.integer({ min: 1, max: 300 }) })),
    // A slow storage array or path: round trips longer than the detection timeout, so disk
    // requests and the lock's test-and-set time out, back off and cross a failover in flight.
    w(
      1,
      fc
        .tuple(fc.option(hostRef, { nil: undefined }), fc.integer({ min: 301, max: 900 }))
        .map(([host, ms]) => ({
          kind: 'delay',
          network: 'storage',
          ...(host === undefined ? {} : { host }),
          ms,
        })),
    ),
    w(1, fc.record({ kind: fc.constant('loss'), network, rate })),
    w(1, fc.record({ kind: fc.constant('duplicate'), network, rate })),
  ],
} as const satisfies Record<string, readonly Weighted[]>;

export type FaultFamily = keyof typeof FAULT_FAMILIES;
export const FAULT_FAMILY_NAMES = Object.keys(FAULT_FAMILIES) as FaultFamily[];

function delay(net: NetworkKind, where: Record<string, unknown>, ms: number): Record<string, unknown> {
  return { kind: 'delay', network: net, ...where, ms };
}

function faultBodyArb(families: readonly FaultFamily[]): fc.Arbitrary<Record<string, unknown>> {
  const weighted = families.flatMap((family) => FAULT_FAMILIES[family]);
  return fc.oneof({ withCrossShrink: true }, ...weighted);
}

/**
 * The classic mix (every kind, repairs within 0.9 s), kept exactly as it was: it is the campaign
 * definition the speed benchmark measures against (reports/bench.json), so it must not drift.
 */
function classicFaultBodyArb(): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { withCrossShrink: true },
    w(5, fc.record({ kind: fc.constant('crash'), host: hostRef })),
    w(
      5,
      fc.tuple(network, scope).map(([net, where]) => ({ kind: 'partition', network: net, ...where })),
    ),
    w(2, fc.record({ kind: fc.constant('repair'), host: concreteHost })),
    w(
      2,
      fc.record({
        kind: fc.constant('crash'),
        host: concreteHost,
        repairAfterMs: fc.integer({ min: 1, max: 9 }).map((n) => n * 100),
      }),
    ),
    w(2, fc.record({ kind: fc.constant('hba-fail'), host: hostRef, path })),
    w(1, fc.record({ kind: fc.constant('nic-fail'), host: hostRef, path })),
    w(1, fc.record({ kind: fc.constant('power-off-rack'), rack })),
    w(1, fc.record({ kind: fc.constant('heal'), network })),
    w(2, fc.record({ kind: fc.constant('slow'), host: hostRef, factor: fc.integer({ min: 2, max: 50 }) })),
    w(1, fc.record({ kind: fc.constant('delay'), network, ms: fc.integer({ min: 1, max: 300 }) })),
    w(1, fc.record({ kind: fc.constant('loss'), network, rate })),
    w(1, fc.record({ kind: fc.constant('duplicate'), network, rate })),
  );
}

/** One fault at `ms`; a crash followed by the same host's repair; a cut followed by its network's heal. */
function expand(ms: number, body: Record<string, unknown>): FuzzFault[] {
  const { repairAfterMs, healAfterMs, ...fault } = body;
  const first = { at: `${ms}ms`, ...fault } as FuzzFault;
  if (typeof healAfterMs === 'number') {
    return [first, { at: `${ms + healAfterMs}ms`, kind: 'heal', network: fault.network } as FuzzFault];
  }
  if (typeof repairAfterMs !== 'number') return [first];
  return [first, { at: `${ms + repairAfterMs}ms`, kind: 'repair', host: fault.host } as FuzzFault];
}

/** One fault of the classic mix, or a crash followed by the same host's repair, at an absolute time. */
export function faultArb(horizonMs: number): fc.Arbitrary<FuzzFault[]> {
  return fc
    .tuple(fc.integer({ min: 0, max: horizonMs }), classicFaultBodyArb())
    .map(([ms, body]) => expand(ms, body));
}

/** The classic shape: the classic mix at absolute times in [0, horizonMs]. */
export function faultListArb(options: FaultScheduleArbOptions = {}): fc.Arbitrary<FuzzFault[]> {
  return fc
    .array(faultArb(options.horizonMs ?? FAULT_HORIZON_MS_DEFAULT), { maxLength: options.faultsMax ?? 4 })
    .map((groups) => groups.flat());
}

/**
 * Swarm testing: a non-empty subset of fault families, then up to `faultsMax` fault groups drawn
 * from those families only, each `gap` milliseconds after the previous one.
 */
export function swarmFaultListArb(options: { faultsMax?: number } = {}): fc.Arbitrary<FuzzFault[]> {
  const faultsMax = options.faultsMax ?? 5;
  return fc
    .subarray(FAULT_FAMILY_NAMES, { minLength: 1 })
    .chain((families) =>
      fc.array(fc.tuple(fc.integer({ min: 0, max: FAULT_GAP_MS_MAX }), faultBodyArb(families)), {
        maxLength: faultsMax,
      }),
    )
    .map((groups) => {
      let ms = 0;
      return groups.flatMap(([gap, body]) => {
        ms += gap;
        return expand(ms, body);
      });
    });
}

const clampHost = (ref: string, hosts: number) =>
  /^h\d+$/.test(ref) ? `h${((Number(ref.slice(1)) - 1) % hosts) + 1}` : ref;

/** The fault with host and rack numbers mapped onto a cluster of `hosts` hosts in `racks` racks. */
export function fitFaultToCluster(fault: FuzzFault, hosts: number, racks: number): FuzzFault {
  const fitted: FuzzFault = { ...fault };
  if (typeof fitted.host === 'string') fitted.host = clampHost(fitted.host, hosts);
  if (typeof fitted.rack === 'string') fitted.rack = `r${((Number(fitted.rack.slice(1)) - 1) % racks) + 1}`;
  if (Array.isArray(fitted.between)) {
    const [a, b] = (fitted.between as string[]).map((ref) => clampHost(ref, hosts));
    if (a === b) {
      delete fitted.between;
      fitted.host = a;
    } else {
      fitted.between = [a, b];
    }
  }
  return fitted;
}

/**
 * `arbitrary` in one run of `n`, else undefined (which shrinking prefers): the shape of every
 * optional field drawn after the rest of a run.
 */
export function oneRunIn<T>(n: number, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { withCrossShrink: true },
    { weight: n - 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary },
  );
}

/** When the last fault of a list fires, in microseconds (0 for none). */
export function lastFaultUs(faults: readonly FuzzFault[]): number {
  let last = 0;
  for (const fault of faults) last = Math.max(last, Number.parseInt(fault.at, 10) * 1000);
  return last;
}
