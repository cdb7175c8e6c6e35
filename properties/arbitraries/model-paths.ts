// Schedules that walk the protocol model: for every state-changing transition of the agent
// machine, the @xstate/graph shortest path to it, turned into the fault schedule that drives an
// agent of the emulator through it (src/check/conformance/path-schedule.ts). Fuzzing from these
// reaches transitions random schedules rarely hit (a crash while reissuing I/O, a lost lock race)
// and derives from the model itself, so a new transition gets its schedule without anyone
// writing it. Computed once per process (about a second).
import fc from 'fast-check';
import { agentTransitionPaths } from '../../src/check/conformance/agent-model.ts';
import { pathRun } from '../../src/check/conformance/path-schedule.ts';
import type { FuzzFault } from './fault-schedule.ts';

/** Timing variants of a path's schedule (conformance tries as many). */
export const MODEL_PATH_VARIANTS = 4;

let templates: { covers: string; faults: FuzzFault[][] }[] | null = null;

/** Every agent transition with its path's schedule in each timing variant. */
export function modelPathTemplates(): readonly { covers: string; faults: FuzzFault[][] }[] {
  templates ??= agentTransitionPaths().map((path) => ({
    covers: path.covers,
    faults: Array.from(
      { length: MODEL_PATH_VARIANTS },
      (_, variant) => pathRun(path, variant).spec.schedule.faults as FuzzFault[],
    ),
  }));
  return templates;
}

/** The schedule of one transition's path, in one timing variant. */
export function modelPathFaultsArb(): fc.Arbitrary<FuzzFault[]> {
  const all = modelPathTemplates();
  return fc
    .tuple(fc.nat({ max: all.length - 1 }), fc.nat({ max: MODEL_PATH_VARIANTS - 1 }))
    .map(([index, variant]) => all[index]!.faults[variant]!.map((fault) => ({ ...fault })));
}
