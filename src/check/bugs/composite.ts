// Bugs that are a combination of a protocol change and a configuration, and the list of every bug
// the gate's self-test injects. Data only (no machines, no cluster): `ftcheck bugs` lists them
// without loading what injects them (src/check/fuzz/bug-injection.ts).
import type { SeededBug } from '../../base/invariants.ts';
import type { ClusterConfigInput } from '../../cluster/config.ts';
import { BUG_CATALOG } from './catalog.ts';

/**
 * The secondary's failure detection fires before it could have replayed the log of a merely slow
 * primary, and it goes live without the test-and-set that would have stopped it.
 */
export const COMPOSITE_BUGS: readonly (SeededBug & { base: string; config: ClusterConfigInput })[] = [
  {
    name: 'heartbeat-timeout-below-replay-without-test-and-set',
    level: 'cluster',
    breaks: ['I3'],
    description:
      'Heartbeat and logging timeouts shorter than a log replay, and go-live without the test-and-set.',
    base: 'go-live-without-test-and-set',
    config: { heartbeatIntervalUs: 20_000, heartbeatTimeoutUs: 30_000, loggingTimeoutUs: 30_000 },
  },
];

/** Every bug the fuzzer can inject: the catalog (model, data-plane, cluster) plus the composite bugs. */
export function fuzzableBugs(): SeededBug[] {
  const byName = new Map<string, SeededBug>();
  const composites = COMPOSITE_BUGS.map(({ name, level, breaks, description }) => ({
    name,
    level,
    breaks,
    description,
  }));
  for (const bug of [...BUG_CATALOG, ...composites]) if (!byName.has(bug.name)) byName.set(bug.name, bug);
  return [...byName.values()];
}
