// Words and symbols for verdicts, shared by every report so they read the same everywhere.
import { INVARIANTS, type InvariantId } from '../base/invariants.ts';
import type {
  BugResult,
  BugStatus,
  CounterexampleSummary,
  GateResults,
  InvariantVerdict,
  StageStatus,
  Verdict,
} from '../check/results.ts';
import { formatMicros } from './format.ts';

export const VERDICT_HEADLINE: Record<Verdict, string> = {
  pass: 'PASS: every invariant holds and every seeded bug is caught',
  fail: 'FAIL: a property is violated or a seeded bug escaped',
  inconclusive:
    'INCONCLUSIVE: the wall-clock ceiling (--budget) stopped the campaign before its fixed counts; nothing failed',
  error: 'ERROR: the gate could not complete',
  interrupted: 'INTERRUPTED: stopped by a signal; partial results',
};

export const VERDICT_ICON: Record<Verdict, string> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '⏳',
  error: '💥',
  interrupted: '⏸️',
};

export const INVARIANT_VERDICT_ICON: Record<InvariantVerdict, string> = {
  hold: '✅ holds',
  violated: '❌ violated',
  'not-checked': '⚪ not checked',
};

export const STAGE_STATUS_TEXT: Record<StageStatus, string> = {
  complete: 'complete',
  inconclusive: 'inconclusive (ceiling)',
  interrupted: 'interrupted',
  'not-run': 'not run',
  error: 'error',
};

/** "caught by I7, declared I5": what a bug broke instead of what it is declared to break. */
function otherText(bug: BugResult): string {
  const others = [...new Set((bug.otherInvariants ?? []).map((other) => other.invariant))];
  return others.length === 0 ? '' : `caught by ${others.join(', ')}, declared ${bug.breaks.join(', ')}`;
}

const BUG_STATUS_WORDS: Record<BugStatus, string> = {
  caught: 'caught',
  escaped: 'escaped',
  inconclusive: 'inconclusive',
  'not-run': 'not run',
};

function bugText(bug: BugResult, icons: Record<BugStatus, string>): string {
  const other = bug.status === 'escaped' ? otherText(bug) : '';
  return `${icons[bug.status]} ${other === '' ? BUG_STATUS_WORDS[bug.status] : `escaped: ${other}`}`;
}

export function bugVerdictText(bug: BugResult): string {
  return bugText(bug, { caught: '✅', escaped: '❌', inconclusive: '⏳', 'not-run': '⚪' });
}

/** For HTML: characters every common font has (emoji need a colour font a CI browser may lack). */
export const INVARIANT_VERDICT_HTML: Record<InvariantVerdict, string> = {
  hold: '✓ holds',
  violated: '✗ violated',
  'not-checked': '○ not checked',
};

export function bugVerdictHtmlText(bug: BugResult): string {
  return bugText(bug, { caught: '✓', escaped: '✗', inconclusive: '…', 'not-run': '○' });
}

/** The CSS class of a bug's result cell in index.html. */
export function bugVerdictClass(bug: BugResult): string {
  if (bug.status === 'caught') return 'v-hold';
  return bug.status === 'escaped' ? 'v-violated' : 'v-not-checked';
}

/** The stage that found a counterexample: the model checker writes ITF, the fuzzer trace files. */
export function foundBy(example: CounterexampleSummary): string {
  if (example.path.endsWith('.itf.json')) return 'model check';
  return example.path.startsWith('counterexamples/conformance/') ? 'conformance' : 'fuzzing';
}

/** "I4 no data loss violated on h3 at 600.311 ms (fuzzing)", or "… in the model (model check)". */
export function violationText(id: InvariantId, example: CounterexampleSummary | undefined): string {
  const what = `${id} ${INVARIANTS[id]} violated`;
  if (example === undefined) return what;
  if (foundBy(example) === 'model check') return `${what} in the protocol model (model check)`;
  const where = example.host === undefined ? '' : ` on ${example.host}`;
  return `${what}${where} at ${formatMicros(example.atMicros)} (${foundBy(example)})`;
}

const HEADLINE_ITEMS_MAX = 3;

/**
 * What failed, named: violated invariants with where, when and which stage found them, then
 * seeded bugs that escaped ("client-address-not-moved escaped"); the generic sentence otherwise.
 */
export function headline(results: GateResults): string {
  if (results.verdict !== 'fail') return VERDICT_HEADLINE[results.verdict];
  const items: string[] = [];
  for (const id of Object.keys(INVARIANTS) as InvariantId[]) {
    if (results.invariants[id]?.verdict !== 'violated') continue;
    items.push(
      violationText(
        id,
        results.counterexamples.find((example) => example.invariant === id),
      ),
    );
  }
  const diverged = results.conformance?.failures.length ?? 0;
  if (diverged > 0)
    items.push(
      `the emulator did not follow ${diverged} path${diverged === 1 ? '' : 's'} of its protocol model (conformance)`,
    );
  for (const bug of results.bugs ?? []) if (bug.status === 'escaped') items.push(`${bug.name} escaped`);
  if (items.length === 0) return VERDICT_HEADLINE.fail;
  const shown = items.slice(0, HEADLINE_ITEMS_MAX);
  const more = items.length - shown.length;
  return `FAIL: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** What each column of the reports' tables means (shown under the table). */
export const COLUMN_HELP = {
  invariants: [
    [
      'Verdict',
      'holds: every stage that checked it found no violation; violated: some stage found one; not checked: no stage ran it',
    ],
    [
      'Checked by',
      'the stages that checked it: model check (every reachable state of the protocol model), conformance, fuzzing (simulated cluster under random faults), lockstep',
    ],
    ['Counterexamples', 'files that show a violation, with the stage that found each'],
    ['Note', 'the first violation, in words'],
  ],
  bugs: [
    ['Seeded bug', 'a deliberate bug switched on to show that a checker catches it'],
    ['Level', 'where it lives: the protocol model, the data plane (lockstep log and outputs) or the cluster'],
    ['Should break', 'the invariants it is expected to break'],
    [
      'Result',
      'caught: a checker reported an invariant it should break; escaped: none did within its fixed count of schedules ("caught by I3, declared I2" does not count); inconclusive / not run: the gate was stopped first',
    ],
    ['Reported', 'the invariant the checker reported'],
    [
      'Schedules to failure',
      'the first schedule that broke it, of the fixed count the self-test gives each fuzzed bug (a count: the same on every machine)',
    ],
    ['Size', 'faults in the shrunk schedule, or steps of the model trace'],
    ['Counterexample', 'the file that reproduces it'],
  ],
} as const;
