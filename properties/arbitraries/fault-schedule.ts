// Fault schedules for fuzzing: timed lists of host crashes and repairs, rack power loss, partitions
// and heals of each network, message delay / loss / duplication, single and total HBA or NIC loss
// and slow hosts. They shrink toward fewer faults (array shrinking), earlier times (integer
// milliseconds shrink toward 0), simpler kinds (`crash` first) and the `primary` host reference.
// Host numbers may exceed the cluster; `fitFaultToCluster` maps them onto its hosts and racks.
import fc from 'fast-check';
import { NETWORK_KINDS, type NetworkKind } from '../../src/sim/fault-schedule.ts';
import { FUZZ_HOSTS_MAX, FUZZ_RACKS_MAX } from './cluster-config.ts';

export const FAULT_HORIZON_MS_DEFAULT = 900;

export type FuzzFault = Record<string, unknown> & { at: string; kind: string };

export interface FaultScheduleArbOptions {
  /** Most fault groups (a fault, or a crash with its repair) in one schedule (default 4). */
  faultsMax?: number;
  /** Faults happen in [0, horizonMs] (default 900). */
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

function faultBodyArb(): fc.Arbitrary<Record<string, unknown>> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Record<string, unknown>>) => ({ weight, arbitrary });
  return fc.oneof(
    { withCrossShrink: true },
    w(5, fc.record({ kind: fc.constant('crash'), host: hostRef })),
    w(
      5,
      fc.tuple(network, scope).map(([net, where]) => ({ kind: 'partition', network: net, ...where })),
    ),
    w(2, fc.record({ kind: fc.constant('repair'), host: concreteHost })),
    // A host that fails and comes back: the repair follows its own crash.
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

/** One fault, or a crash followed by the same host's repair. */
export function faultArb(horizonMs: number): fc.Arbitrary<FuzzFault[]> {
  return fc.tuple(fc.integer({ min: 0, max: horizonMs }), faultBodyArb()).map(([ms, body]) => {
    const { repairAfterMs, ...fault } = body;
    const first = { at: `${ms}ms`, ...fault } as FuzzFault;
    if (typeof repairAfterMs !== 'number') return [first];
    return [first, { at: `${ms + repairAfterMs}ms`, kind: 'repair', host: fault.host } as FuzzFault];
  });
}

export function faultListArb(options: FaultScheduleArbOptions = {}): fc.Arbitrary<FuzzFault[]> {
  return fc
    .array(faultArb(options.horizonMs ?? FAULT_HORIZON_MS_DEFAULT), { maxLength: options.faultsMax ?? 4 })
    .map((groups) => groups.flat());
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
