// Guest and client workload for fuzzing: which guest serves requests (kvstore or ledger), how many
// clients, and how fast they send. Shrinks toward kvstore, one client, the default pace.
import fc from 'fast-check';
import type { GuestWorkload } from '../../src/cluster/workloads.ts';

export interface FuzzWorkload {
  guest: GuestWorkload;
  clientsPerVm: number;
  requestIntervalUs: number;
}

export const REQUEST_INTERVAL_US_FUZZ_DEFAULT = 5_000;

export function workloadArb(): fc.Arbitrary<FuzzWorkload> {
  return fc.record({
    guest: fc.constantFrom<GuestWorkload>('kvstore', 'ledger'),
    clientsPerVm: fc.integer({ min: 1, max: 2 }),
    requestIntervalUs: fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.constant(REQUEST_INTERVAL_US_FUZZ_DEFAULT) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => n * 500) },
    ),
  });
}
