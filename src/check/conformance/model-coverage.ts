// Model coverage reached by emulator runs (the fuzzer's, or any): which agent states and which
// state-changing transitions of the protocol model the agents in the cluster went through.
import type { TraceEntry } from '../../sim/trace.ts';
import { agentStatePaths, agentTransitions, transitionKey } from './agent-model.ts';
import { allAgentTransitionsIn } from './conformance.ts';

export interface ModelCoverage {
  states: { covered: string[]; total: number };
  transitions: { covered: string[]; total: number };
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
