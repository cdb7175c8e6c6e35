// A fault of ftcheck's own checking machinery (a monitor, the campaign), as opposed to a fault of
// the system under test. The run turns every other exception thrown while the cluster runs into an
// I0 violation; this one it lets through, because it says nothing about the system (exit 3).
import { assert } from '../../base/assert.ts';
import { type ClusterObserver, OBSERVER_HOOKS } from '../../cluster/observer.ts';

/** The most arguments a ClusterObserver hook takes (messageDelivered). */
const HOOK_ARGS_MAX = 6;
type Hook = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) => void;

export class CheckerError extends Error {
  override name = 'CheckerError';
}

/**
 * The observer with every hook wrapped so that an exception escaping a monitor is a CheckerError
 * (the cluster calls monitors from inside its own code, where the two would be indistinguishable).
 */
export function guardObserver(observer: ClusterObserver, name: string): ClusterObserver {
  return guardObservers([{ observer, name }]);
}

/**
 * One observer standing for `observers` in order, each hook guarded as by `guardObserver`. The
 * cluster calls every hook of every observer it holds: one fan-out instead of a guarded wrapper
 * per monitor saves the cluster a lookup of each hook on every monitor (sixteen shapes, for every
 * delivered message) and a call per monitor that does not implement it.
 */
export function guardObservers(
  observers: readonly { observer: ClusterObserver; name: string }[],
): ClusterObserver {
  const guarded: Record<string, unknown> = {};
  for (const hook of OBSERVER_HOOKS) {
    const receivers: ClusterObserver[] = [];
    const methods: Hook[] = [];
    const names: string[] = [];
    for (const { observer, name } of observers) {
      if (!observerHooks(observer).includes(hook)) continue;
      const method = (observer as unknown as Record<string, unknown>)[hook] as Hook;
      assert(
        method.length <= HOOK_ARGS_MAX,
        `observer hook ${name}.${hook} takes more than ${HOOK_ARGS_MAX} arguments`,
      );
      receivers.push(observer);
      methods.push(method);
      names.push(name);
    }
    if (methods.length === 0) continue;
    // Fixed arity, not rest arguments: no array per call (hooks run for every delivered message).
    guarded[hook] = (a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown) => {
      for (let i = 0; i < methods.length; i++) {
        try {
          methods[i]!.call(receivers[i], a, b, c, d, e, f);
        } catch (error) {
          if (error instanceof CheckerError) throw error;
          const message = error instanceof Error ? error.message : String(error);
          throw new CheckerError(`monitor ${names[i]}.${hook} failed: ${message}`, { cause: error });
        }
      }
    };
  }
  return guarded as ClusterObserver;
}

/** The hooks an observer implements (own or inherited from its class). */
function observerHooks(observer: ClusterObserver): string[] {
  return OBSERVER_HOOKS.filter((hook) => typeof observer[hook] === 'function');
}
