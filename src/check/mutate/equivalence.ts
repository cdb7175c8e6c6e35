// Equivalent mutants: a mutated machine that no environment can tell from the original. Both
// machines are tabulated over the event alphabet the environments send (models/actorTable.ts:
// every reachable snapshot with its state path and tags, and per event the next snapshot and the
// commands emitted); then the two tables are walked in lockstep from their initial snapshots.
// The machines are deterministic, so they are bisimilar exactly when no reachable pair differs in
// path, tags, handled-or-not or commands. Differences that only live in the context (a role
// remembered but never read) are therefore equivalent; every observable difference is listed, and
// that list is the mutant's behavioural diff in the reports.
//
// "Every event" is narrowed by what the environments promise about when they send one (an
// `EventDiscipline`, walked along in the product): a transition no environment can ever trigger
// — an agent's reaction to a second CRASH of a host that is already down — is not behaviour.
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

function stepText(t: ActorTable, s: number, e: number, inert: ReadonlySet<string>): string {
  const i = s * t.alphabet.length + e;
  const to = t.next[i]!;
  if (to < 0) return 'ignored';
  const commands = t.commands[i]!.filter((c) => !inert.has(c));
  return `→ ${t.paths[to]}${commands.length ? ` / ${commands.join(', ')}` : ''}`;
}

/**
 * When the environments send an event, as a small automaton over the alphabet: `next(state,
 * event)` is its state after the event, or -1 when no environment sends that event in `state`.
 * Each environment asserts its half (a broken promise is an I0 finding there, never a silent
 * equivalence here).
 */
export interface EventDiscipline {
  initial: number;
  next(state: number, event: EventObject): number;
}

/** No promise: every event may arrive in every state. */
export const ANY_EVENT: EventDiscipline = { initial: 0, next: () => 0 };

/**
 * A host's agent: CRASH only while its host is up, then nothing but REPAIR until the host is
 * back (models/environment.ts `stepAgent` and src/cluster/ft-vm.ts `send` assert it; the
 * cluster ignores a crash of a down host and a repair of an up one, the model offers neither).
 */
export const HOST_LIVENESS: EventDiscipline = {
  initial: 0,
  next: (down, event) => {
    if (down === 1) return event.type === 'REPAIR' ? 0 : -1;
    if (event.type === 'REPAIR') return -1;
    return event.type === 'CRASH' ? 1 : 0;
  },
};

/** What the environments can observe of a machine, beyond its state path and tags. */
export interface Observation {
  /** When events arrive (default: any event in any state). */
  discipline?: EventDiscipline;
  /** Commands no environment acts on (their effect comes with the state change, or there is none). */
  inertCommands?: readonly string[];
}

/** Walks both tables in lockstep; returns every reachable observable difference (empty: equivalent). */
export function compareTables(
  a: ActorTable,
  b: ActorTable,
  observation: Observation = {},
): BehaviourChange[] {
  const discipline = observation.discipline ?? ANY_EVENT;
  const inert = new Set(observation.inertCommands ?? []);
  const events = a.alphabet.length;
  const changes: BehaviourChange[] = [];
  const start = discipline.initial;
  const seen = new Set<string>([`0,0,${start}`]);
  const queue: [number, number, number][] = [[0, 0, start]];
  if (label(a, 0) !== label(b, 0)) {
    changes.push({ state: '(initial)', event: '', before: label(a, 0), after: label(b, 0) });
  }
  while (queue.length > 0) {
    const [sa, sb, d] = queue.shift()!;
    for (let e = 0; e < events; e++) {
      const dn = discipline.next(d, a.alphabet[e]!);
      if (dn < 0) continue;
      const before = stepText(a, sa, e, inert);
      const after = stepText(b, sb, e, inert);
      const ta = a.next[sa * events + e]!;
      const tb = b.next[sb * events + e]!;
      const sameTags = ta < 0 || tb < 0 || tagsText(a, ta) === tagsText(b, tb);
      if (before !== after || !sameTags) {
        changes.push({ state: a.paths[sa]!, event: eventText(a.alphabet[e]!), before, after });
        continue;
      }
      if (ta < 0) continue;
      const key = `${ta},${tb},${dn}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push([ta, tb, dn]);
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
  observation: Observation = {},
): BehaviourChange[] {
  return compareTables(buildActorTable(original, alphabet), buildActorTable(mutated, alphabet), observation);
}

export function changeText(c: BehaviourChange): string {
  return c.event === ''
    ? `initial state ${c.before} ⇒ ${c.after}`
    : `${c.state} on ${c.event}: ${c.before} ⇒ ${c.after}`;
}
