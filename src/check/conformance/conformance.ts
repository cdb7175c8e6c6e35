// Model-based conformance of the emulator: for every @xstate/graph path of the agent model (one
// per state and one per transition), run the emulator with the path's fault schedule and check
// that the agent on the chosen host passes through the path's transitions, in order. A few timing
// variants are tried per path; a path no variant reproduces is reported with what the agent did.
// Every run is also watched by the invariant monitors: these schedules drive the implementation
// through every transition of its model, so a violation on one is a finding like any fuzzed one.
import type { InvariantId } from '../../base/invariants.ts';
import type { TraceEntry } from '../../sim/trace.ts';
import { type RunSpec, runOptionsOf } from '../fuzz/run-spec.ts';
import { runFt } from '../monitors/ft-run.ts';
import {
  agentStatePaths,
  agentTransitionPaths,
  agentTransitions,
  type ModelPath,
  type ModelTransition,
  transitionKey,
} from './agent-model.ts';
import { pathRun } from './path-schedule.ts';

export const CONFORMANCE_VARIANTS_DEFAULT = 4;

export interface PathVerdict {
  covers: string;
  events: string[];
  conforms: boolean;
  host: string;
  /** The variant that conformed, or the number tried. */
  variant: number;
  schedule: Record<string, unknown>[];
  /** The agent's transitions in the last run tried (when it did not conform). */
  observed?: string[];
  /** The first run of this path (in variant order) that broke an invariant, and which. */
  violation?: { spec: RunSpec; invariant: InvariantId };
}

export interface ConformanceReport {
  paths: PathVerdict[];
  statesCovered: number;
  statesTotal: number;
  transitionsCovered: number;
  transitionsTotal: number;
  /** Model transitions the emulator went through in any run of the check. */
  emulatorTransitions: string[];
}

/** The agent transitions of `host` for vm1 in a trace, as model transitions. */
export function agentTransitionsIn(entries: readonly TraceEntry[], host: string): ModelTransition[] {
  const subject = `${host}/vm1`;
  return entries
    .filter((e) => e[1] === 'state' && e[2] === subject)
    .map((e) => ({ from: String(e[3].from), event: String(e[3].on), to: String(e[3].to) }));
}

/** Every agent transition (any host, any VM) in a trace. */
export function allAgentTransitionsIn(entries: readonly TraceEntry[]): ModelTransition[] {
  return entries
    .filter((e) => e[1] === 'state' && /^h\d+\//.test(e[2]))
    .map((e) => ({ from: String(e[3].from), event: String(e[3].on), to: String(e[3].to) }));
}

/** Whether `wanted` occurs in `observed` in order (not necessarily contiguously). */
export function followsInOrder(
  observed: readonly ModelTransition[],
  wanted: readonly ModelTransition[],
): boolean {
  let i = 0;
  for (const t of observed) {
    const w = wanted[i];
    if (w !== undefined && w.from === t.from && w.event === t.event && w.to === t.to) i++;
  }
  return i === wanted.length;
}

function wantedTransitions(path: ModelPath): ModelTransition[] {
  const wanted: ModelTransition[] = [];
  let from = 'idle';
  path.events.forEach((event, i) => {
    const to = path.states[i]!;
    if (to !== from) wanted.push({ from, event: event.type, to });
    from = to;
  });
  return wanted;
}

export function checkPath(
  path: ModelPath,
  variants: number,
  seen: Set<string>,
  bug: string | null = null,
): PathVerdict {
  const wanted = wantedTransitions(path);
  let last: { observed: ModelTransition[]; host: string; schedule: Record<string, unknown>[] } | null = null;
  let violation: PathVerdict['violation'];
  for (let variant = 0; variant < variants; variant++) {
    const run = pathRun(path, variant);
    const result = runFt({ ...runOptionsOf(run.spec, bug), stopOnViolation: false });
    for (const t of allAgentTransitionsIn(result.trace.entries)) seen.add(transitionKey(t));
    const first = [...result.violations].sort((a, b) => a.timeUs - b.timeUs)[0];
    if (violation === undefined && first !== undefined)
      violation = { spec: run.spec, invariant: first.invariant };
    const found = violation === undefined ? {} : { violation };
    const observed = agentTransitionsIn(result.trace.entries, run.host);
    const base = { covers: path.covers, events: path.events.map((e) => e.type), host: run.host };
    if (followsInOrder(observed, wanted)) {
      return { ...base, conforms: true, variant, schedule: run.spec.schedule.faults, ...found };
    }
    last = { observed, host: run.host, schedule: run.spec.schedule.faults };
  }
  return {
    ...(violation === undefined ? {} : { violation }),
    covers: path.covers,
    events: path.events.map((e) => e.type),
    conforms: false,
    host: last!.host,
    variant: variants,
    schedule: last!.schedule,
    observed: last!.observed.map(transitionKey),
  };
}

function report(statePaths: number, paths: PathVerdict[], seen: Set<string>): ConformanceReport {
  const modelTransitions = agentTransitions().map(transitionKey);
  return {
    paths,
    statesCovered: paths.slice(0, statePaths).filter((p) => p.conforms).length,
    statesTotal: statePaths,
    transitionsCovered: paths.slice(statePaths).filter((p) => p.conforms).length,
    transitionsTotal: paths.length - statePaths,
    emulatorTransitions: modelTransitions.filter((key) => seen.has(key)),
  };
}

/** `bug`: a seeded bug to inject in every run (null: the system as shipped). */
export function runConformance(
  variants = CONFORMANCE_VARIANTS_DEFAULT,
  bug: string | null = null,
): ConformanceReport {
  const seen = new Set<string>();
  const statePaths = agentStatePaths();
  const paths = [...statePaths, ...agentTransitionPaths()].map((path) =>
    checkPath(path, variants, seen, bug),
  );
  return report(statePaths.length, paths, seen);
}

/**
 * The same check, yielding to the event loop between paths so a signal or a wall-clock ceiling
 * can stop it there: null when `stopped()` said so before the last path.
 */
export async function runConformanceStoppable(
  stopped: () => boolean,
  variants = CONFORMANCE_VARIANTS_DEFAULT,
  bug: string | null = null,
): Promise<ConformanceReport | null> {
  const seen = new Set<string>();
  const statePaths = agentStatePaths();
  const paths: PathVerdict[] = [];
  for (const path of [...statePaths, ...agentTransitionPaths()]) {
    await new Promise((resolve) => setImmediate(resolve));
    if (stopped()) return null;
    paths.push(checkPath(path, variants, seen, bug));
  }
  return report(statePaths.length, paths, seen);
}
