// How the fuzzer runs the cluster with one seeded bug: every bug is an alternative implementation
// bound by name (a machine `provide`, a data-plane strategy, a cluster behaviour), so injecting one
// is choosing run options — never a branch in the code under test.

import { agentMachine } from '../../../models/agent.ts';
import { findModelBug } from '../../../models/bugs.ts';
import { haMachine } from '../../../models/haService.ts';
import type { SeededBug } from '../../base/invariants.ts';
import { CLUSTER_BUGS, clusterBehaviour } from '../../cluster/cluster-bugs.ts';
import type { ClusterConfigInput } from '../../cluster/config.ts';
import { DATA_PLANE_BUG_NAMES, DATA_PLANE_BUGS, dataPlaneStrategy } from '../../lockstep/bugs.ts';
import { BUG_CATALOG } from '../bugs/catalog.ts';
import type { FtRunOptions } from '../monitors/ft-run.ts';
import { findModelMutant, mutantMachines } from '../mutate/model-mutants.ts';

export interface BugRunOptions {
  options: Partial<FtRunOptions>;
  /** Configuration the bug is about (e.g. a too-short timeout); overrides the spec's. */
  config: ClusterConfigInput;
}

/**
 * Bugs that are a combination of a protocol change and a configuration: the secondary's failure
 * detection fires before it could have replayed the log of a merely slow primary, and it goes live
 * without the test-and-set that would have stopped it.
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

/** Every bug the fuzzer can inject: the catalog plus data-plane, cluster and composite bugs. */
export function fuzzableBugs(): SeededBug[] {
  const byName = new Map<string, SeededBug>();
  const all: readonly SeededBug[][] = [
    [...BUG_CATALOG],
    DATA_PLANE_BUGS,
    [...CLUSTER_BUGS],
    COMPOSITE_BUGS.map(({ name, level, breaks, description }) => ({ name, level, breaks, description })),
  ];
  for (const list of all) for (const bug of list) if (!byName.has(bug.name)) byName.set(bug.name, bug);
  return [...byName.values()];
}

export class UnknownBugError extends Error {
  override name = 'UnknownBugError';
}

/**
 * Run options that inject the named bug — or the model mutant with that id (`ftcheck mutate`), so a
 * mutant's counterexample replays like a seeded bug's; throws UnknownBugError listing the names.
 */
export function bugRunOptions(name: string): BugRunOptions {
  const composite = COMPOSITE_BUGS.find((bug) => bug.name === name);
  if (composite !== undefined) {
    return { options: bugRunOptions(composite.base).options, config: composite.config };
  }
  const mutant = findModelMutant(name);
  if (mutant !== undefined) return { options: mutantMachines(mutant), config: {} };
  const options: Partial<FtRunOptions> = {};
  let known = false;
  const model = findModelBug(name);
  if (model !== undefined) {
    known = true;
    if (model.agent !== undefined) options.agentMachine = agentMachine.provide(model.agent);
    if (model.ha !== undefined) options.haMachine = haMachine.provide(model.ha);
  }
  if (DATA_PLANE_BUG_NAMES.includes(name)) {
    known = true;
    options.strategy = dataPlaneStrategy(name);
  }
  if (CLUSTER_BUGS.some((bug) => bug.name === name)) {
    known = true;
    options.behaviour = clusterBehaviour(name);
  }
  if (!known) {
    const names = fuzzableBugs().map((bug) => bug.name);
    throw new UnknownBugError(
      `unknown bug '${name}' (known: ${names.join(', ')}; or a model mutant id from \`ftcheck mutate --list\`)`,
    );
  }
  return { options, config: {} };
}
