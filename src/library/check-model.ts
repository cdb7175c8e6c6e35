// `checkModel`: the model checker as an assertion for a user's own test suite (vitest, node:test,
// …): it returns the exploration figures when every property holds in every reachable state, and
// throws a `ModelCheckFailure` whose message leads with the shortest counterexample otherwise.
import { type ExploreOptions, type ExploreResult, explore } from '../check/explorer/explore.ts';
import { formatStepTable } from '../check/explorer/stepTable.ts';
import type { ExplorerModel } from '../check/explorer/types.ts';

export class ModelCheckFailure<C = unknown> extends Error {
  override name = 'ModelCheckFailure';
  constructor(
    message: string,
    /** The whole exploration result: every violation with its trace, and the figures. */
    readonly result: ExploreResult<C>,
  ) {
    super(message);
  }
}

/**
 * Explores every reachable state of `model`; throws a ModelCheckFailure when a property is
 * violated (the message has each violation's shortest counterexample as a step table) or when the
 * search stopped at `maxStates` before covering the state space.
 */
export function checkModel<C>(model: ExplorerModel<C>, options: ExploreOptions = {}): ExploreResult<C> {
  const result = explore(model, options);
  if (result.violations.length > 0) {
    const parts = result.violations.map(
      (v) =>
        `${v.property} (${v.kind}${v.invariant ? `, ${v.invariant}` : ''}): ${v.description}\n` +
        `shortest counterexample, ${v.trace.length - 1} steps:\n${formatStepTable(v.trace, model.view)}`,
    );
    throw new ModelCheckFailure(`model ${model.name}: ${parts.join('\n\n')}`, result);
  }
  if (!result.complete) {
    throw new ModelCheckFailure(
      `model ${model.name}: the search stopped after ${result.states} states (maxStates) before covering every reachable state`,
      result,
    );
  }
  return result;
}
