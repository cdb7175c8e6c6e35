// Runs one of the models/ machines (hypervisor agent or HA service) for one host — the very
// definitions the model checker explores. Events go in through `send`; the commands the machine
// emits come back out, in order, *after* the transition, so the environment never re-enters the
// machine while it is still stepping. State changes are traced. Steps are xstate's own
// transitions, remembered per machine (machine-steps.ts): a pure machine steps the same way in
// every run, so each distinct step is computed once per process.
import type { AnyStateMachine } from 'xstate';
import type { TraceRecorder } from '../sim/trace.ts';
import { type MachineEvent, type MachineState, type MachineSteps, machineSteps } from './machine-steps.ts';

export { type MachineEvent, stateName } from './machine-steps.ts';

export class MachineActor<E extends MachineEvent, C extends MachineEvent> {
  private readonly steps: MachineSteps;
  private node: MachineState;
  /** An error the machine raised (a guard or action threw): the actor is stopped for good. */
  private failure: MachineError | null = null;
  /** Every state the actor entered (for model coverage and conformance). */
  readonly statesVisited = new Set<string>();
  /** Every step taken, as "from|EVENT|to" (self-loops included when commands were emitted). */
  readonly transitionsTaken = new Set<string>();
  eventsHandled = 0;

  constructor(
    machine: AnyStateMachine,
    readonly subject: string,
    private readonly trace: TraceRecorder,
    private readonly now: () => number,
  ) {
    this.steps = machineSteps(machine);
    this.node = this.steps.initial;
    this.statesVisited.add(this.node.name);
  }

  get state(): string {
    return this.node.name;
  }

  hasTag(tag: string): boolean {
    return this.node.hasTag(tag);
  }

  /** Whether the current state takes `event`; pass a constant event object (answers are kept by it). */
  can(event: E): boolean {
    return this.node.can(event);
  }

  /** Delivers an event; returns the commands emitted by the transition (shared: do not change). */
  send(event: E): readonly C[] {
    this.eventsHandled++;
    if (this.failure !== null) throw this.failure;
    const from = this.node;
    let step: ReturnType<MachineSteps['step']>;
    try {
      step = this.steps.step(from, event);
      for (const effect of step.effects) effect.exec?.(effect.info as never, effect.params as never);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.failure = new MachineError(`${this.subject} in ${from.name} on ${event.type}: ${message}`, {
        cause: error,
      });
      throw this.failure;
    }
    if (step.coverageKey !== null) this.transitionsTaken.add(step.coverageKey);
    const next = step.target;
    if (next !== from && next.name !== from.name) {
      this.trace.record(this.now(), 'state', this.subject, {
        from: from.name,
        to: next.name,
        on: event.type,
      });
      this.statesVisited.add(next.name);
    }
    this.node = next;
    return step.commands as readonly C[];
  }
}

/** A protocol machine stopped with an error (a guard or action threw). */
export class MachineError extends Error {
  override name = 'MachineError';
}
