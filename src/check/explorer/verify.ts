// The compiled step must agree with xstate: random walks apply the same events through
// `machine.transition` and through the compiled machine, comparing whether the event was enabled,
// the state value and the context at every step (and the initial state). A disagreement names the
// walk, the step and the event.
import { type AnyMachineSnapshot, createActor, type EventObject } from 'xstate';
import { Prng } from '../../base/prng.ts';
import { compileMachine } from './compile.ts';
import type { ExplorerModel } from './types.ts';

export interface VerifyResult {
  walks: number;
  steps: number;
  /** Steps where the event was enabled (the rest were checked to be disabled in both). */
  enabledSteps: number;
  mismatch: string | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

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
  const compiled = compileMachine(machine, model.input);
  const result: VerifyResult = { walks, steps: 0, enabledSteps: 0, mismatch: null };
  const transition = machine.transition as (s: unknown, e: unknown, a: unknown) => AnyMachineSnapshot;
  const initial = machine.getInitialSnapshot(scope as never, model.input);
  const decoded = compiled.decode(compiled.initialRow);
  if (!same(decoded.value, initial.value) || !same(decoded.context, initial.context)) {
    return { ...result, mismatch: 'the initial states differ' };
  }
  let next = new Int32Array(compiled.width);
  for (let w = 0; w < walks && result.mismatch === null; w++) {
    let snapshot = initial;
    let row = compiled.initialRow.slice();
    // `depth` counts enabled steps; disabled events tried on the way are checked too.
    for (let d = 0, tries = 0; d < depth && tries < depth * 20; tries++) {
      const events = model.events(snapshot as never);
      if (events.length === 0) break;
      const event = events[prng.nextInt(events.length)] as EventObject;
      const after = transition(snapshot, event, scope);
      const enabled = compiled.step(row, compiled.eventId(event), next);
      result.steps++;
      const where = `walk ${w} step ${d} event ${JSON.stringify(event)}`;
      if (enabled !== (after !== snapshot)) {
        result.mismatch = `${where}: xstate ${after !== snapshot ? 'takes' : 'ignores'} it, compiled does not`;
        break;
      }
      if (!enabled) continue;
      d++;
      result.enabledSteps++;
      const state = compiled.decode(next);
      if (!same(state.value, after.value) || !same(state.context, after.context)) {
        result.mismatch = `${where}: xstate reaches ${JSON.stringify([after.value, after.context])}, compiled ${JSON.stringify([state.value, state.context])}`;
        break;
      }
      snapshot = after;
      [row, next] = [next, row];
    }
  }
  return result;
}
