// The compiled step must agree with xstate: random walks apply the same events through
// `machine.transition` and through the compiled table, comparing state value, context and
// whether the event was enabled at every step. A disagreement names the step and the event.
import { createActor, type EventObject } from 'xstate';
import { Prng } from '../../base/prng.ts';
import { compileMachine } from './compile.ts';
import { initialContextOf } from './compiledEngine.ts';
import type { ExplorerModel } from './types.ts';

export interface VerifyResult {
  walks: number;
  steps: number;
  /** Steps where the event was enabled (the rest were checked to be disabled in both). */
  enabledSteps: number;
  mismatch: string | null;
}

export function verifyCompiled<C>(
  model: ExplorerModel<C>,
  options: { walks?: number; depth?: number; seed?: number } = {},
): VerifyResult {
  const walks = options.walks ?? 200;
  const depth = options.depth ?? 40;
  const prng = new Prng(options.seed ?? 1);
  const machine = model.machine;
  const scope = (createActor(machine, { input: model.input }) as unknown as { _actorScope: unknown })
    ._actorScope;
  const compiled = compileMachine(machine, initialContextOf(model as ExplorerModel<unknown>));
  const out = { leaf: 0, context: {} as Record<string, unknown> };
  const result: VerifyResult = { walks, steps: 0, enabledSteps: 0, mismatch: null };
  for (let w = 0; w < walks && result.mismatch === null; w++) {
    let snapshot = machine.getInitialSnapshot(scope as never, model.input);
    let leaf = compiled.leafOf(snapshot.value);
    // `depth` counts enabled steps; disabled events tried on the way are checked too.
    for (let d = 0, tries = 0; d < depth && tries < depth * 20; tries++) {
      const events = model.events(snapshot as never);
      if (events.length === 0) break;
      const event = events[prng.nextInt(events.length)] as EventObject;
      const next = (machine.transition as (s: unknown, e: unknown, a: unknown) => typeof snapshot)(
        snapshot,
        event,
        scope,
      );
      const enabled = compiled.step(leaf, snapshot.context, event, out);
      result.steps++;
      const where = `walk ${w} step ${d} event ${JSON.stringify(event)}`;
      if (enabled !== (next !== snapshot)) {
        result.mismatch = `${where}: xstate ${next !== snapshot ? 'takes' : 'ignores'} it, compiled does not`;
        break;
      }
      if (!enabled) continue;
      d++;
      result.enabledSteps++;
      const same =
        JSON.stringify(compiled.leafValues[out.leaf]) === JSON.stringify(next.value) &&
        JSON.stringify(out.context) === JSON.stringify(next.context);
      if (!same) {
        result.mismatch = `${where}: xstate reaches ${JSON.stringify(next.value)}, compiled ${JSON.stringify(compiled.leafValues[out.leaf])} (or contexts differ)`;
        break;
      }
      snapshot = next;
      leaf = out.leaf;
    }
  }
  return result;
}
