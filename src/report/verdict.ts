// Words and symbols for verdicts, shared by every report so they read the same everywhere.
import type { BugResult, InvariantVerdict, Verdict } from '../check/results.ts';

export const VERDICT_HEADLINE: Record<Verdict, string> = {
  pass: 'PASS: every invariant holds and every seeded bug is caught',
  fail: 'FAIL: a property is violated or a seeded bug escaped',
  error: 'ERROR: the gate could not complete',
  interrupted: 'INTERRUPTED: partial results',
};

export const VERDICT_ICON: Record<Verdict, string> = {
  pass: '✅',
  fail: '❌',
  error: '💥',
  interrupted: '⏸️',
};

export const INVARIANT_VERDICT_ICON: Record<InvariantVerdict, string> = {
  hold: '✅ holds',
  violated: '❌ violated',
  'not-checked': '⚪ not checked',
};

export function bugVerdictText(bug: BugResult): string {
  return bug.caught ? '✅ caught' : '❌ escaped';
}

/** For HTML: characters every common font has (emoji need a colour font a CI browser may lack). */
export const INVARIANT_VERDICT_HTML: Record<InvariantVerdict, string> = {
  hold: '✓ holds',
  violated: '✗ violated',
  'not-checked': '○ not checked',
};

export function bugVerdictHtmlText(bug: BugResult): string {
  return bug.caught ? '✓ caught' : '✗ escaped';
}
