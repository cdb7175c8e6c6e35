// The product's contract (DESIGN.md): invariant ids and names, shared by every checker and report.
// I0 is not a property of the protocol but of its implementation: an assertion that fails inside
// the system under test is a finding about that system, reported like any other violation.
export const INVARIANTS = {
  I0: 'implementation assertion',
  I1: 'lockstep',
  I2: 'single output',
  I3: 'no split-brain',
  I4: 'no data loss',
  I5: 'recovery',
  I6: 'determinism',
  I7: 'availability',
  I8: 'proportionate response',
} as const;

export type InvariantId = keyof typeof INVARIANTS;

/** A seeded bug: an alternative implementation selected by name, which some checker must catch. */
export interface SeededBug {
  name: string;
  level: 'model' | 'data-plane' | 'cluster';
  /** The invariants the bug is expected to break (at least one must be reported). */
  breaks: InvariantId[];
  description: string;
}
