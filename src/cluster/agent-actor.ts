// Runs one of the models/ machines (hypervisor agent or HA service) as an xstate actor — the
// very definitions the model checker explores. Events go in through `send`; the commands the
// machine emits come back out, in order, *after* the transition, so the environment never
// re-enters the machine while it is still stepping. State changes are traced.
import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { assert } from '../base/assert.ts';
import type { TraceRecorder } from '../sim/trace.ts';

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

export class MachineActor<E extends MachineEvent, C extends MachineEvent> {
  private readonly actor: Actor<AnyStateMachine>;
  private readonly emitted: C[] = [];
  private current: string;
  /** An error the machine raised (a guard or action threw): xstate stops the actor and reports it. */
  private failure: unknown = null;
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
    this.actor = createActor(machine);
    this.actor.on('*', (command: unknown) => {
      this.emitted.push(command as C);
    });
    // Without an error observer xstate rethrows later from a timer, outside the run; take it here
    // and rethrow synchronously from `send`, where the run can attribute it.
    this.actor.subscribe({ error: (error) => (this.failure ??= error) });
    this.actor.start();
    this.current = stateName(this.actor.getSnapshot().value);
    this.statesVisited.add(this.current);
  }

  get state(): string {
    return this.current;
  }

  hasTag(tag: string): boolean {
    return this.actor.getSnapshot().hasTag(tag);
  }

  /** Delivers an event; returns the commands emitted by the transition. */
  send(event: E): C[] {
    assert(this.emitted.length === 0, `${this.subject}: re-entrant send of ${event.type}`);
    this.eventsHandled++;
    this.actor.send(event as never);
    if (this.failure !== null) this.fail(event);
    const next = stateName(this.actor.getSnapshot().value);
    if (next !== this.current || this.emitted.length > 0) {
      this.transitionsTaken.add(`${this.current}|${event.type}|${next}`);
    }
    if (next !== this.current) {
      this.trace.record(this.now(), 'state', this.subject, { from: this.current, to: next, on: event.type });
      this.current = next;
      this.statesVisited.add(next);
    }
    return this.emitted.splice(0, this.emitted.length);
  }

  private fail(event: E): never {
    const cause = this.failure;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new MachineError(`${this.subject} in ${this.current} on ${event.type}: ${message}`, { cause });
  }
}

/** A protocol machine stopped with an error (a guard or action threw). */
export class MachineError extends Error {
  override name = 'MachineError';
}
