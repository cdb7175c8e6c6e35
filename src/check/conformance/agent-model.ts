// The agent machine as a graph for model-based testing: its states and state-changing transitions
// (from the same `machine.transition` the explorer uses, over the models' event alphabet), and the
// @xstate/graph shortest path to every state and every transition.
import { getShortestPaths } from '@xstate/graph';
import { type EventObject, initialTransition, transition } from 'xstate';
import { agentMachine } from '../../../models/agent.ts';
import { AGENT_ALPHABET } from '../../../models/environment.ts';

/** A state-changing transition of the agent, named by dotted state paths and the event type. */
export interface ModelTransition {
  from: string;
  event: string;
  to: string;
}

export interface ModelPath {
  /** What the path covers: a state, or a transition `from --event--> to`. */
  covers: string;
  /** Agent events, in order (the initial xstate.init step left out). */
  events: EventObject[];
  /** Dotted agent states after each event. */
  states: string[];
}

export const transitionKey = (t: ModelTransition) => `${t.from} --${t.event}--> ${t.to}`;

/** "secondary.goingLive.draining" from an xstate state value. */
export function dottedState(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${dottedState(inner)}`;
}

const alphabet = () => [...AGENT_ALPHABET] as unknown as EventObject[];

/** Shortest paths from the initial state to every agent state (by dotted name). */
export function agentStatePaths(): ModelPath[] {
  const byState = new Map<string, ModelPath>();
  for (const path of getShortestPaths(agentMachine, { events: alphabet() as never })) {
    const steps = path.steps.slice(1);
    const candidate: ModelPath = {
      covers: dottedState(path.state.value),
      events: steps.map((step) => step.event as EventObject),
      states: steps.map((step) => dottedState(step.state.value)),
    };
    const known = byState.get(candidate.covers);
    if (known === undefined || candidate.events.length < known.events.length)
      byState.set(candidate.covers, candidate);
  }
  return [...byState.values()];
}

/** Every state-changing transition of the agent over the alphabet (self-loops left out). */
export function agentTransitions(): ModelTransition[] {
  const [initial] = initialTransition(agentMachine);
  const seen = new Set<string>([JSON.stringify([initial.value, initial.context])]);
  const queue = [initial];
  const found = new Map<string, ModelTransition>();
  for (let i = 0; i < queue.length; i++) {
    const snapshot = queue[i]!;
    for (const event of alphabet()) {
      const [after] = transition(agentMachine, snapshot, event as never);
      const from = dottedState(snapshot.value);
      const to = dottedState(after.value);
      if (from !== to) {
        const t = { from, event: event.type, to };
        found.set(transitionKey(t), t);
      }
      const key = JSON.stringify([after.value, after.context]);
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(after);
      }
    }
  }
  return [...found.values()].sort((a, b) => (transitionKey(a) < transitionKey(b) ? -1 : 1));
}

/** A path covering each transition: the shortest path to its source state, then its event. */
export function agentTransitionPaths(): ModelPath[] {
  const toState = new Map(agentStatePaths().map((p) => [p.covers, p]));
  return agentTransitions().map((t) => {
    const prefix = toState.get(t.from)!;
    const event = alphabet().find((e) => e.type === t.event && leadsTo(prefix, e, t.to))!;
    return { covers: transitionKey(t), events: [...prefix.events, event], states: [...prefix.states, t.to] };
  });
}

function leadsTo(prefix: ModelPath, event: EventObject, to: string): boolean {
  let [snapshot] = initialTransition(agentMachine);
  for (const e of [...prefix.events, event]) [snapshot] = transition(agentMachine, snapshot, e as never);
  return dottedState(snapshot.value) === to;
}
