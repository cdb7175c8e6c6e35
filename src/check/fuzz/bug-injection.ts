// How the fuzzer runs the cluster with one seeded bug: every bug is an alternative implementation
// bound by name (a machine `provide`, a data-plane strategy, a cluster behaviour), so injecting one
// is choosing run options — never a branch in the code under test.

import { agentMachine } from '../../../models/agent.ts';
import { findModelBug } from '../../../models/bugs.ts';
import { haMachine } from '../../../models/haService.ts';
import { CLUSTER_BUGS, clusterBehaviour } from '../../cluster/cluster-bugs.ts';
import type { ClusterConfigInput } from '../../cluster/config.ts';
import { DATA_PLANE_BUG_NAMES, dataPlaneStrategy } from '../../lockstep/bugs.ts';
import { COMPOSITE_BUGS, fuzzableBugs } from '../bugs/composite.ts';
import type { FtRunOptions } from '../monitors/ft-run.ts';
import { findModelMutant, mutantMachines } from '../mutate/model-mutants.ts';

export interface BugRunOptions {
  options: Partial<FtRunOptions>;
  /** Configuration the bug is about (e.g. a too-short timeout); overrides the spec's. */
  config: ClusterConfigInput;
}

export { COMPOSITE_BUGS, fuzzableBugs } from '../bugs/composite.ts';

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
