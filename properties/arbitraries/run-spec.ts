// A whole fuzzed run: simulation seed, cluster configuration, guest and workload, fault schedule,
// whether to double-run for I6. A pure function of the fast-check seed; nothing reads real time.
import fc from 'fast-check';
import type { RunSpec } from '../../src/check/fuzz/run-spec.ts';
import { clusterConfigArb, type FuzzClusterConfig, toClusterConfigInput } from './cluster-config.ts';
import {
  type FaultScheduleArbOptions,
  type FuzzFault,
  faultListArb,
  fitFaultToCluster,
} from './fault-schedule.ts';
import { type FuzzWorkload, workloadArb } from './workload.ts';

export interface RunSpecArbOptions extends FaultScheduleArbOptions {
  /** Simulated length of each run (default 1.5 s: room after the last fault for detection, go-live and respawn). */
  durationUs?: number;
  /** One run in this many also checks I6 by running twice (default 8; 0 never). */
  determinismEvery?: number;
}

export const FUZZ_DURATION_US_DEFAULT = 1_500_000;

export function runSpecArb(options: RunSpecArbOptions = {}): fc.Arbitrary<RunSpec> {
  const every = options.determinismEvery ?? 8;
  const determinism =
    every <= 0
      ? fc.constant(false)
      : fc.oneof(
          { withCrossShrink: true },
          { weight: every - 1, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        );
  return fc
    .record({
      seed: fc.nat({ max: 0xffff }),
      config: clusterConfigArb(),
      workload: workloadArb(),
      faults: faultListArb(options),
      checkDeterminism: every === 1 ? fc.constant(true) : determinism,
    })
    .map((parts) => buildRunSpec(parts, options.durationUs ?? FUZZ_DURATION_US_DEFAULT));
}

export interface RunSpecParts {
  seed: number;
  config: FuzzClusterConfig;
  workload: FuzzWorkload;
  faults: FuzzFault[];
  checkDeterminism: boolean;
}

export function buildRunSpec(parts: RunSpecParts, durationUs: number): RunSpec {
  const config = toClusterConfigInput(parts.config);
  const hosts = config.hosts!;
  const racks = config.racks!;
  const slow: FuzzFault[] = parts.config.slowHosts.map(({ host, factor }) => ({
    at: '0ms',
    kind: 'slow',
    host: `h${((host - 1) % hosts) + 1}`,
    factor,
  }));
  const faults = [...slow, ...parts.faults].map((fault) => fitFaultToCluster(fault, hosts, racks));
  return {
    seed: parts.seed,
    guest: parts.workload.guest,
    durationUs,
    config,
    clientsPerVm: parts.workload.clientsPerVm,
    requestIntervalUs: parts.workload.requestIntervalUs,
    checkDeterminism: parts.checkDeterminism,
    schedule: { version: 1, faults },
  };
}
