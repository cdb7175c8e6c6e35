// Tabulates a small pure machine (the agent, the HA service) by exploring it with xstate's own
// `transition` over a finite event alphabet: every reachable snapshot gets an id, and each
// (id, event) pair records the next id and the commands the machine emitted. The abstract
// environment steps agents through this table, so what the model checker explores is exactly
// what `machine.transition` does — no re-implementation of the machine's semantics.
import { type AnyStateMachine, type EventObject, initialTransition, transition } from 'xstate';
import { assert } from '../src/base/assert.ts';

export const ACTOR_STATES_MAX = 64;

export interface ActorTable {
  /** Readable name per id: the state path, plus context when it is not the initial one. */
  names: string[];
  /** xstate state values (as dotted paths) per id. */
  paths: string[];
  /** Tags per id (from the snapshot). */
  tags: ReadonlySet<string>[];
  alphabet: readonly EventObject[];
  /**
   * next[id * alphabet.length + e]: the next id, or -1 when the event is not handled there (xstate
   * selects no transition). A transition that is taken but changes nothing (`LOG_ENTRY: {}`) is
   * handled: it leads back to `id`, emits nothing and is marked in `silent`.
   */
  next: Int16Array;
  /**
   * silent[id * alphabet.length + e]: 1 when the event is handled by a transition after which xstate
   * returns the very same snapshot and which emits nothing (targetless, no actions): handled, but
   * nothing happens. An environment that offers a step only where the machine reacts skips these.
   */
  silent: Uint8Array;
  /** commands[id * alphabet.length + e]: the types of the commands emitted, in order. */
  commands: readonly (readonly string[])[];
  /** The id reached from the machine's initial state by the given event sequence. */
  idOf(path: string, context?: unknown): number;
}

function pathOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  assert(entries.length === 1, 'actor tables support machines without parallel states');
  const [key, inner] = entries[0]!;
  return `${key}.${pathOf(inner)}`;
}

function keyOf(snapshot: { value: unknown; context: unknown }): string {
  return JSON.stringify([snapshot.value, snapshot.context ?? null]);
}

export function buildActorTable(machine: AnyStateMachine, alphabet: readonly EventObject[]): ActorTable {
  const [initial] = initialTransition(machine);
  const initialContext = JSON.stringify(initial.context ?? null);
  const snapshots = [initial];
  const ids = new Map<string, number>([[keyOf(initial), 0]]);
  const next: number[] = [];
  const silent: number[] = [];
  const commands: string[][] = [];
  for (let id = 0; id < snapshots.length; id++) {
    for (const event of alphabet) {
      const [after, actions] = transition(machine, snapshots[id]!, event);
      const emitted = (actions as { type: string; params?: unknown }[])
        .filter((a) => a.type === 'xstate.emit')
        .map((a) => (a.params as { event: EventObject }).event.type);
      // xstate returns the very same snapshot both when no transition is enabled and when a
      // targetless, action-less one is taken; only the enabled transitions tell them apart.
      const unchanged = after === snapshots[id] && emitted.length === 0;
      if (unchanged && machine.getTransitionData(snapshots[id] as never, event as never).length === 0) {
        next.push(-1);
        silent.push(0);
        commands.push([]);
        continue;
      }
      silent.push(unchanged ? 1 : 0);
      const key = keyOf(after);
      let to = ids.get(key);
      if (to === undefined) {
        to = snapshots.length;
        assert(to < ACTOR_STATES_MAX, `actor ${machine.id} has more than ${ACTOR_STATES_MAX} states`);
        ids.set(key, to);
        snapshots.push(after);
      }
      next.push(to);
      commands.push(emitted);
    }
  }
  const paths = snapshots.map((s) => pathOf(s.value));
  const names = snapshots.map((s, i) => {
    const context = JSON.stringify(s.context ?? null);
    return context === initialContext ? paths[i]! : `${paths[i]} ${context}`;
  });
  return {
    names,
    paths,
    tags: snapshots.map((s) => new Set(s.tags as Set<string>)),
    alphabet,
    next: Int16Array.from(next),
    silent: Uint8Array.from(silent),
    commands,
    idOf(path, context) {
      const found = snapshots.findIndex(
        (s, i) =>
          paths[i] === path && (context === undefined || keyOf(s) === keyOf({ value: s.value, context })),
      );
      assert(found >= 0, `actor ${machine.id} never reaches ${path}`);
      return found;
    },
  };
}
