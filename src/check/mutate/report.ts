// The mutation report: what `ftcheck mutate` writes (mutation.json), what the gate puts into
// results.json, and what summary.md / index.html render. Every mutant is listed with its status;
// the diff and behavioural changes are kept for the ones that matter to a reader (survivors,
// crashes, timeouts) so the file stays small on a full run.
import type { ModelMutantResult } from './model-runner.ts';
import { type MutantOutcome, type MutationScore, scoreOf } from './outcome.ts';

export const MUTATION_REPORT_VERSION = 1;

/** One mutant as reports show it. */
export interface MutantEntry {
  id: string;
  level: 'model' | 'implementation';
  status: MutantOutcome['status'];
  operator: string;
  location: string;
  /** Only for mutants that were not killed (and for equivalent model mutants). */
  diff?: string;
  /** Model mutants: what the mutated machine does differently ("state on EVENT: before ⇒ after"). */
  changes?: string[];
  killedBy?: { detector: string; invariant: string | null; property: string };
  /** Survivors: what the mutant would have broken, as far as ftcheck can tell. */
  wouldBreak?: string;
  crash?: string;
  /** The command that shows the kill again. */
  reproduce?: string;
}

export interface LevelReport {
  score: MutationScore;
  /** How the mutants were chosen and judged (runs, seed, hosts, sample). */
  settings: Record<string, string | number | boolean>;
  mutants: MutantEntry[];
}

export interface MutationReport {
  version: typeof MUTATION_REPORT_VERSION;
  model?: LevelReport;
  implementation?: LevelReport;
}

const MODEL_COMMAND_EFFECT: Record<string, string> = {
  takeClientAddress: 'clients keep talking to the old host after go-live (I7 availability)',
  ackLogEntry: 'the primary never sees its outputs acknowledged: the Output Rule holds them (I7)',
  sendHeartbeat: 'the peer declares this host dead while it is alive: a needless failover (I8, I3)',
  disengage: 'the log channel keeps running after the peer is gone (I5, I7)',
  halt: 'a VM instance that lost the test-and-set keeps running (I3)',
  announceCandidate: 'a repaired host is never offered for a new secondary (I5 re-protection)',
  requestSnapshot: 'a new secondary never engages (I5 re-protection)',
  replayLog: 'go-live waits forever for a replay nobody started (I5, I7)',
  testAndSet: 'go-live waits forever for a lock nobody asked for (I5, I7)',
  reissuePendingIo: 'pending disk I/O is never reissued (I4)',
  releaseOutput: 'held outputs never reach the clients (I7)',
  spawnSecondary: 'the HA service never spawns the secondary it chose (I5)',
};

/** For a surviving model mutant: the invariants the behavioural change endangers (a hint, not a proof). */
export function modelWouldBreak(result: ModelMutantResult): string {
  const dropped = new Set<string>();
  for (const c of result.changes) {
    const before = c.before.split(' / ')[1]?.split(', ') ?? [];
    const after = new Set(c.after.split(' / ')[1]?.split(', ') ?? []);
    for (const command of before) if (!after.has(command)) dropped.add(command);
  }
  const effects = [...dropped].map((c) => MODEL_COMMAND_EFFECT[c]).filter((e) => e !== undefined);
  if (effects.length > 0) return effects.join('; ');
  return 'a different protocol step on the events listed under changes; no property noticed it';
}

export function modelEntry(result: ModelMutantResult): MutantEntry {
  const detailed = result.status !== 'killed';
  return {
    id: result.id,
    level: 'model',
    status: result.status,
    operator: result.operator,
    location: result.location,
    ...(detailed ? { diff: result.diff, changes: result.changes.map(changeLine) } : {}),
    ...(result.kill
      ? {
          killedBy: {
            detector: result.kill.detector,
            invariant: result.kill.invariant,
            property: result.kill.property,
          },
          reproduce: result.kill.reproduce,
        }
      : {}),
    ...(result.status === 'survived' ? { wouldBreak: modelWouldBreak(result) } : {}),
    ...(result.crash ? { crash: result.crash } : {}),
  };
}

function changeLine(c: ModelMutantResult['changes'][number]): string {
  return c.event === ''
    ? `initial: ${c.before} ⇒ ${c.after}`
    : `${c.state} on ${c.event}: ${c.before} ⇒ ${c.after}`;
}

export function levelReport(mutants: MutantEntry[], settings: LevelReport['settings']): LevelReport {
  return { score: scoreOf(mutants), settings, mutants };
}

/** Mutants a reader must look at: survivors, crashes of ftcheck, timeouts. */
export function notKilled(report: LevelReport): MutantEntry[] {
  return report.mutants.filter((m) => m.status !== 'killed' && m.status !== 'equivalent');
}
