// Equivalent mutants: a mutated machine that no environment can tell from the original. Both
// machines are tabulated over the event alphabet the environments send (models/actorTable.ts:
// every reachable snapshot with its state path and tags, and per event the next snapshot and the
// commands emitted); then the two tables are walked in lockstep from their initial snapshots.
// The machines are deterministic, so they are bisimilar exactly when no reachable pair differs in
// path, tags, handled-or-not or commands. Differences that only live in the context (a role
// remembered but never read) are therefore equivalent; every observable difference is listed, and
// that list is the mutant's behavioural diff in the reports.
import type { AnyStateMachine, EventObject } from 'xstate';
import { type ActorTable, buildActorTable } from '../../../models/actorTable.ts';

/** One observable difference: in `state` on `event`, the original does `before`, the mutant `after`. */
export interface BehaviourChange {
  state: string;
  event: string;
  before: string;
  after: string;
}

export function eventText(event: EventObject): string {
  const { type, ...params } = event as EventObject & Record<string, unknown>;
  const shown = Object.entries(params).filter(([key]) => key !== 'host');
  return shown.length === 0 ? type : `${type}{${shown.map(([k, v]) => `${k}:${String(v)}`).join(',')}}`;
}

const label = (t: ActorTable, s: number) => `${t.paths[s]}${tagsText(t, s)}`;
const tagsText = (t: ActorTable, s: number) => {
  const tags = [...t.tags[s]!].sort();
  return tags.length === 0 ? '' : ` <${tags.join(',')}>`;
};

function stepText(t: ActorTable, s: number, e: number): string {
  const i = s * t.alphabet.length + e;
  const to = t.next[i]!;
  if (to < 0) return 'ignored';
  const commands = t.commands[i]!;
  return `→ ${t.paths[to]}${commands.length ? ` / ${commands.join(', ')}` : ''}`;
}

/** Walks both tables in lockstep; returns every reachable observable difference (empty: equivalent). */
export function compareTables(a: ActorTable, b: ActorTable): BehaviourChange[] {
  const events = a.alphabet.length;
  const changes: BehaviourChange[] = [];
  const seen = new Set<string>(['0,0']);
  const queue: [number, number][] = [[0, 0]];
  if (label(a, 0) !== label(b, 0)) {
    changes.push({ state: '(initial)', event: '', before: label(a, 0), after: label(b, 0) });
  }
  while (queue.length > 0) {
    const [sa, sb] = queue.shift()!;
    for (let e = 0; e < events; e++) {
      const before = stepText(a, sa, e);
      const after = stepText(b, sb, e);
      const ta = a.next[sa * events + e]!;
      const tb = b.next[sb * events + e]!;
      const sameTags = ta < 0 || tb < 0 || tagsText(a, ta) === tagsText(b, tb);
      if (before !== after || !sameTags) {
        changes.push({ state: a.paths[sa]!, event: eventText(a.alphabet[e]!), before, after });
        continue;
      }
      if (ta < 0) continue;
      const key = `${ta},${tb}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push([ta, tb]);
    }
  }
  return dedupe(changes);
}

function dedupe(changes: BehaviourChange[]): BehaviourChange[] {
  const keys = new Set<string>();
  return changes.filter((c) => {
    const key = `${c.state}|${c.event}|${c.before}|${c.after}`;
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

/** The observable differences between two machines over `alphabet` (empty: equivalent). */
export function behaviourChanges(
  original: AnyStateMachine,
  mutated: AnyStateMachine,
  alphabet: readonly EventObject[],
): BehaviourChange[] {
  return compareTables(buildActorTable(original, alphabet), buildActorTable(mutated, alphabet));
}

export function changeText(c: BehaviourChange): string {
  return c.event === ''
    ? `initial state ${c.before} ⇒ ${c.after}`
    : `${c.state} on ${c.event}: ${c.before} ⇒ ${c.after}`;
}
