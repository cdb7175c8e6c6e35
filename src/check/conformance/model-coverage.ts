// Model coverage reached by emulator runs (the fuzzer's, or any): which agent states and which
// state-changing transitions of the protocol model the agents in the cluster went through.
import type { TraceEntry } from '../../sim/trace.ts';
import { agentStatePaths, agentTransitions, transitionKey } from './agent-model.ts';
import { allAgentTransitionsIn } from './conformance.ts';

export interface ModelCoverage {
  states: { covered: string[]; total: number };
  transitions: { covered: string[]; total: number };
}

/** What one run's trace covers, as plain data (a worker thread sends it to the campaign's tracker). */
export interface RunCoverage {
  states: string[];
  transitions: string[];
}

export function runCoverage(entries: readonly TraceEntry[]): RunCoverage {
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const t of allAgentTransitionsIn(entries)) {
    transitions.add(transitionKey(t));
    states.add(t.to);
  }
  return { states: [...states], transitions: [...transitions] };
}

export class ModelCoverageTracker {
  private readonly modelStates = agentStatePaths().map((p) => p.covers);
  private readonly modelTransitions = agentTransitions().map(transitionKey);
  private readonly states = new Set<string>(['idle']);
  private readonly transitions = new Set<string>();

  /** Adds the agent transitions of one run's trace. */
  add(entries: readonly TraceEntry[]): void {
    for (const t of allAgentTransitionsIn(entries)) {
      this.transitions.add(transitionKey(t));
      this.states.add(t.to);
    }
  }

  /** Adds what another thread found one run to cover. */
  addRun(run: RunCoverage): void {
    for (const t of run.transitions) this.transitions.add(t);
    for (const state of run.states) this.states.add(state);
  }

  coverage(): ModelCoverage {
    return {
      states: { covered: this.modelStates.filter((s) => this.states.has(s)), total: this.modelStates.length },
      transitions: {
        covered: this.modelTransitions.filter((t) => this.transitions.has(t)),
        total: this.modelTransitions.length,
      },
    };
  }
}
