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

/**
 * Steps by event: a trie keyed by the event's type, then each further field's name and value in
 * the event's own order, the step under STEP. Lookups build no key string (a step is taken per
 * agent event: an output, a log entry...).
 */
type StepTrie = Map<unknown, unknown>;
const STEP = Symbol('step');

/** One snapshot of a machine, with the steps taken from it so far. */
export class MachineState {
  readonly name: string;
  private readonly steps: StepTrie = new Map();
  private stepCount = 0;
  private readonly tags = new Map<string, boolean>();

  constructor(readonly snapshot: AnyMachineSnapshot) {
    this.name = stateName(snapshot.value);
  }

  /** The step remembered for `event`, if any. */
  stepOn(event: MachineEvent): MachineStep | undefined {
    let node = this.steps.get(event.type) as StepTrie | undefined;
    for (const name in event) {
      if (node === undefined) return undefined;
      if (name === 'type') continue;
      node = node.get(name) as StepTrie | undefined;
      node = node?.get((event as unknown as Record<string, unknown>)[name]) as StepTrie | undefined;
    }
    return node?.get(STEP) as MachineStep | undefined;
  }

  /** Remembers `step` for `event` (events are flat records of primitives; others are not kept). */
  remember(event: MachineEvent, step: MachineStep): void {
    if (this.stepCount >= MACHINE_EDGES_PER_STATE_MAX) return;
    const fields = event as unknown as Record<string, unknown>;
    for (const name in fields) {
      const value = fields[name];
      if (typeof value === 'object' || typeof value === 'function') return;
    }
    let node = child(this.steps, event.type);
    for (const name in fields) if (name !== 'type') node = child(child(node, name), fields[name]);
    node.set(STEP, step);
    this.stepCount++;
  }

  hasTag(tag: string): boolean {
    let has = this.tags.get(tag);
    if (has === undefined) {
      has = this.snapshot.hasTag(tag);
      this.tags.set(tag, has);
    }
    return has;
  }

  /** Whether the state takes `event` (a transition whose guards pass); remembered per event object. */
  can(event: MachineEvent): boolean {
    let can = this.answers.get(event);
    if (can === undefined) {
      can = this.snapshot.can(event as never);
      this.answers.set(event, can);
    }
    return can;
  }

  private readonly answers = new Map<MachineEvent, boolean>();
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
    const known = from.stepOn(event);
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
    from.remember(event, step);
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

function child(node: StepTrie, key: unknown): StepTrie {
  let next = node.get(key) as StepTrie | undefined;
  if (next === undefined) {
    next = new Map();
    node.set(key, next);
  }
  return next;
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
