// Model-based conformance: @xstate/graph shortest paths to every state and every transition of
// the agent model, each turned into a fault schedule for the emulator, must be walked by the agent
// of the chosen host in the cluster. Pins the one transition the emulator cannot show today.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  agentStatePaths,
  agentTransitionPaths,
  agentTransitions,
  transitionKey,
} from '../src/check/conformance/agent-model.ts';
import {
  type ConformanceReport,
  followsInOrder,
  runConformance,
} from '../src/check/conformance/conformance.ts';
import { ModelCoverageTracker } from '../src/check/conformance/model-coverage.ts';
import { pathRun } from '../src/check/conformance/path-schedule.ts';
import { checkRunSpec } from '../src/check/fuzz/run-spec.ts';
import type { TraceEntry } from '../src/sim/trace.ts';

describe('agent model graph', () => {
  it('has a shortest path to every state and one per state-changing transition', () => {
    const states = agentStatePaths().map((p) => p.covers);
    expect(states).toHaveLength(11);
    expect(states).toContain('secondary.goingLive.reissuingIo');
    const transitions = agentTransitions().map(transitionKey);
    expect(transitions).toHaveLength(28);
    expect(agentTransitionPaths().map((p) => p.covers)).toEqual(transitions);
  });

  it('turns every path into a valid fault schedule', () => {
    for (const path of [...agentStatePaths(), ...agentTransitionPaths()]) {
      for (const variant of [0, 3]) expect(() => checkRunSpec(pathRun(path, variant).spec)).not.toThrow();
    }
  });

  it('matches observed transitions in order, not necessarily contiguously', () => {
    const t = (from: string, event: string, to: string) => ({ from, event, to });
    const observed = [t('idle', 'A', 'x'), t('x', 'B', 'y'), t('y', 'C', 'z')];
    expect(followsInOrder(observed, [t('idle', 'A', 'x'), t('y', 'C', 'z')])).toBe(true);
    expect(followsInOrder(observed, [t('y', 'C', 'z'), t('idle', 'A', 'x')])).toBe(false);
    expect(followsInOrder(observed, [t('x', 'B', 'z')])).toBe(false);
  });
});

describe('emulator conformance', () => {
  let report: ConformanceReport;
  beforeAll(() => {
    report = runConformance();
  });

  it('walks a path into every state of the agent model', () => {
    const failing = report.paths.slice(0, report.statesTotal).filter((p) => !p.conforms);
    expect(failing).toEqual([]);
    expect(report.statesCovered).toBe(11);
  });

  it('walks a path through every transition of the agent model', () => {
    // Including a crash while the new primary commits its reissued I/O (go-live waits for the
    // reissued requests to complete on shared storage).
    const failing = report.paths.slice(report.statesTotal).filter((p) => !p.conforms);
    expect(failing).toEqual([]);
    expect(report.transitionsCovered).toBe(28);
    expect(report.emulatorTransitions).toContain('secondary.goingLive.reissuingIo --CRASH--> failed');
  });

  it('measures model coverage of any run', () => {
    const tracker = new ModelCoverageTracker();
    const entry = (from: string, on: string, to: string): TraceEntry => [
      0,
      'state',
      'h2/vm1',
      { from, on, to },
    ];
    tracker.add([
      entry('idle', 'SPAWN_SECONDARY', 'secondary.syncing'),
      [0, 'state', 'ha/vm1', { from: 'a', on: 'B', to: 'c' }],
    ]);
    const coverage = tracker.coverage();
    expect(coverage.states).toEqual({ covered: ['idle', 'secondary.syncing'], total: 11 });
    expect(coverage.transitions).toEqual({
      covered: ['idle --SPAWN_SECONDARY--> secondary.syncing'],
      total: 28,
    });
  });
});
