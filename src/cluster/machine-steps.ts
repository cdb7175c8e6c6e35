// The steps of a protocol machine, computed by xstate and remembered. The models/ machines are
// pure (events in, emitted commands out, no I/O), so the step from a state on an event is a
// function of the snapshot and the event alone: xstate's own `transition` computes it the first
// time it is taken, and every later actor in the process (every instance in every run) reuses the
// result instead of going through an actor's mailbox. A step is cached with the commands it emits
// in order; the snapshots are xstate's. Steps whose actions are not emits (side effects a pure
// protocol machine must not have) run those actions every time they are taken, as an actor would.
import { type AnyMachineSnapshot, type AnyStateMachine, initialTransition, transition } from 'xstate';
import { assert } from '../base/assert.ts';

/** Distinct snapshots remembered per machine; past it new ones are used without being kept. */
export const MACHINE_STATES_MAX = 4096;
/** Distinct events remembered per snapshot. */
export const MACHINE_EDGES_PER_STATE_MAX = 1024;

export interface MachineEvent {
  type: string;
}

/** "secondary.goingLive.draining" from {secondary: {goingLive: 'draining'}}. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  assert(value !== null && typeof value === 'object', 'state value must be a string or object');
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${stateName(inner)}`;
}

export interface MachineStep {
  readonly target: MachineState;
  /** Commands emitted, in order (shared: callers must not change them). */
  readonly commands: readonly MachineEvent[];
  /** Executable actions other than emits, run on every step (none in a pure machine). */
  readonly effects: readonly {
    exec?: ((...args: never[]) => unknown) | undefined;
    info?: unknown;
    params?: unknown;
  }[];
  /** "from|EVENT|to" when the step changes state or emits (what coverage counts), else null. */
  readonly coverageKey: string | null;
}

/** One snapshot of a machine, with the steps taken from it so far. */
export class MachineState {
  readonly name: string;
  readonly steps = new Map<string, MachineStep>();
  private readonly tags = new Map<string, boolean>();

  constructor(readonly snapshot: AnyMachineSnapshot) {
    this.name = stateName(snapshot.value);
  }

  hasTag(tag: string): boolean {
    let has = this.tags.get(tag);
    if (has === undefined) {
      has = this.snapshot.hasTag(tag);
      this.tags.set(tag, has);
    }
    return has;
  }
}

/** The remembered steps of one machine (one object per machine, `provide`d variants included). */
export class MachineSteps {
  readonly initial: MachineState;
  private readonly states = new Map<string, MachineState>();

  constructor(readonly machine: AnyStateMachine) {
    const [snapshot, actions] = initialTransition(machine);
    assert(actions.length === 0, 'a protocol machine does nothing on start (no entry actions)');
    this.initial = this.canonical(snapshot);
  }

  /** The step from `from` on `event` (computed by xstate the first time); throws what xstate throws. */
  step(from: MachineState, event: MachineEvent): MachineStep {
    const key = eventKey(event);
    const known = from.steps.get(key);
    if (known !== undefined) return known;
    const [next, actions] = transition(this.machine, from.snapshot, event as never);
    const target = next === from.snapshot ? from : this.canonical(next);
    const commands: MachineEvent[] = [];
    const effects: MachineStep['effects'][number][] = [];
    for (const action of actions) {
      if (isEmit(action)) commands.push((action.params as { event: MachineEvent }).event);
      else effects.push(action);
    }
    const changed = target.name !== from.name;
    const step: MachineStep = {
      target,
      commands,
      effects,
      coverageKey: changed || commands.length > 0 ? `${from.name}|${event.type}|${target.name}` : null,
    };
    if (from.steps.size < MACHINE_EDGES_PER_STATE_MAX) from.steps.set(key, step);
    return step;
  }

  private canonical(snapshot: AnyMachineSnapshot): MachineState {
    const key = JSON.stringify(this.machine.getPersistedSnapshot(snapshot));
    let state = this.states.get(key);
    if (state === undefined) {
      state = new MachineState(snapshot);
      if (this.states.size < MACHINE_STATES_MAX) this.states.set(key, state);
    }
    return state;
  }
}

function isEmit(action: { type: string }): boolean {
  return action.type === 'xstate.emit';
}

/** Events are flat records of primitives: their JSON is their identity. */
function eventKey(event: MachineEvent): string {
  return JSON.stringify(event);
}

const byMachine = new WeakMap<AnyStateMachine, MachineSteps>();

/** The process-wide remembered steps of `machine`. */
export function machineSteps(machine: AnyStateMachine): MachineSteps {
  let steps = byMachine.get(machine);
  if (steps === undefined) {
    steps = new MachineSteps(machine);
    byMachine.set(machine, steps);
  }
  return steps;
}
