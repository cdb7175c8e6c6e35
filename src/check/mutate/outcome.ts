// What a mutant's run through the detectors comes to, for model and implementation mutants alike,
// and the mutation score. `crashed` is a fault of ftcheck itself (what exit 3 means) and
// `inconclusive` a mutant only a wall-clock timer stopped; neither counts as a kill: the score is
// killed ÷ (every mutant that is not equivalent).
import type { InvariantId } from '../../base/invariants.ts';

export type MutantStatus = 'killed' | 'survived' | 'equivalent' | 'crashed' | 'inconclusive';

export interface Kill {
  detector: 'explore' | 'fuzz';
  /** The invariant reported (I0 for an assertion of the system under test); null when none is named. */
  invariant: InvariantId | null;
  /** The property or monitor that fired. */
  property: string;
  message: string;
  /** A command that shows the kill again. */
  reproduce: string;
}

export interface MutantOutcome {
  id: string;
  /** File and position (implementation) or machine and transition (model). */
  location: string;
  /** The change, as diff lines. */
  diff: string;
  status: MutantStatus;
  kill?: Kill;
  /** For `crashed`: what failed inside ftcheck. */
  crash?: string;
}

export interface MutationScore {
  total: number;
  killed: number;
  survived: number;
  equivalent: number;
  crashed: number;
  inconclusive: number;
  /** killed ÷ (total − equivalent); null when every mutant is equivalent (or there are none). */
  score: number | null;
}

export function scoreOf(outcomes: readonly Pick<MutantOutcome, 'status'>[]): MutationScore {
  const count = (status: MutantStatus) => outcomes.filter((o) => o.status === status).length;
  const equivalent = count('equivalent');
  const killed = count('killed');
  const scored = outcomes.length - equivalent;
  return {
    total: outcomes.length,
    killed,
    survived: count('survived'),
    equivalent,
    crashed: count('crashed'),
    inconclusive: count('inconclusive'),
    score: scored === 0 ? null : killed / scored,
  };
}

export function scoreText(score: MutationScore): string {
  const percent = score.score === null ? 'n/a' : `${(score.score * 100).toFixed(1)}%`;
  const parts = [
    `${score.killed} killed`,
    `${score.survived} survived`,
    `${score.equivalent} equivalent`,
    ...(score.crashed ? [`${score.crashed} CRASHED ftcheck`] : []),
    ...(score.inconclusive ? [`${score.inconclusive} inconclusive (timeout)`] : []),
  ];
  return `${percent} of ${score.total - score.equivalent} non-equivalent (${parts.join(', ')})`;
}
