// The stages of the full gate, in order: protocol diagrams → exhaustive model check →
// model-based conformance on the emulator → fault-fuzzing campaign → bug-catalog self-test.
// Each does a fixed amount of work (campaign-plan.ts); the fuzz stages check the stop flag between
// runs, the others between stages (runGate).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findModelBug, type ModelBug } from '../../../models/bugs.ts';
import { createClusterModel } from '../../../models/clusterModel.ts';
import type { ClusterContext } from '../../../models/clusterState.ts';
import { COMPONENT_CHECKS } from '../../../properties/components/checks.ts';
import { type ComponentFinding, runComponentChecks } from '../../../properties/components/component-check.ts';
import { writeComponentFile } from '../../../properties/components/component-file.ts';
import type { InvariantId, SeededBug } from '../../base/invariants.ts';
import {
  CONFORMANCE_VARIANTS_DEFAULT,
  runConformanceStoppable,
} from '../../check/conformance/conformance.ts';
import { explore, type Violation } from '../../check/explorer/explore.ts';
import { toItf } from '../../check/explorer/itf.ts';
import { stepTimeline } from '../../check/explorer/stepTable.ts';
import { fuzzableBugs } from '../../check/fuzz/bug-injection.ts';
import { replayTraceFile } from '../../check/fuzz/replay.ts';
import { type GateStage, recordInvariant, type StageContext } from '../../check/gate/gate.ts';
import { MonitorSet } from '../../check/monitors/monitor-set.ts';
import type { BugResult, CounterexampleSummary } from '../../check/results.ts';
import { readTraceFile } from '../../check/trace-file.ts';
import { writeDiagrams } from '../../report/diagrams/generate.ts';
import { traceToSequence } from '../../report/diagrams/sequence.ts';
import { timelineToMermaid } from '../../report/timeline-mermaid.ts';
import { CONFORMANCE_COUNTEREXAMPLES_DIR, conformanceCounterexample } from './conformance-finding.ts';
import { chunkSeed, type FuzzChunkResult } from './fuzz-chunk.ts';
import { FuzzPool } from './fuzz-pool.ts';
import { mutateStage } from './mutate-stage.ts';

/** What a fuzzed run checks: every monitored invariant, and I6 (runs made twice). */
const FUZZ_INVARIANTS: InvariantId[] = [...MonitorSet.checked, 'I6'];
const EXPLORE_INVARIANTS: InvariantId[] = ['I2', 'I3', 'I4', 'I5'];
/** What a conformance run checks: every monitored invariant (each path runs once: no I6). */
const CONFORMANCE_INVARIANTS: InvariantId[] = [...MonitorSet.checked];

const rel = (context: StageContext, path: string) => relative(context.options.reportsDir, path);
const modelBugOf = (names: string[]): ModelBug | undefined =>
  names.map(findModelBug).find((b) => b !== undefined);

export const diagramsStage: GateStage = {
  name: 'diagrams',
  async run(context) {
    const written = await writeDiagrams(join(context.options.reportsDir, 'diagrams'));
    for (const file of written.filter((f) => f.endsWith('.svg'))) {
      const svg = rel(context, file);
      context.results.diagrams.push({
        name: svg.replace(/^diagrams\//, '').replace(/\.svg$/, ''),
        svg,
        mermaid: svg.replace(/\.svg$/, '.mmd'),
      });
    }
    return 'complete';
  },
};

/** A model counterexample as a trace file (ITF) plus the summary the reports show. */
function modelCounterexample(
  context: StageContext,
  model: ReturnType<typeof createClusterModel>,
  violation: Violation<ClusterContext>,
  bug: ModelBug | undefined,
): CounterexampleSummary {
  const { hosts } = context.options;
  const label = `h${hosts}${bug ? `-${bug.name}` : ''}`;
  const dir = join(context.options.reportsDir, 'counterexamples');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `explore-${label}-${violation.property}.itf.json`);
  writeFileSync(
    file,
    `${JSON.stringify(toItf(violation.trace, model.machine.id, violation.description, { vars: model.itfVars }), null, 2)}\n`,
  );
  const invariant = violation.invariant ?? 'I5';
  const title = `${violation.property} (${invariant}) after ${violation.trace.length - 1} steps`;
  return {
    path: rel(context, file),
    invariant,
    atMicros: 0,
    message: `${violation.property}: ${violation.description}`,
    reproduce: `npx ftcheck explore --hosts ${hosts}${bug ? ` --bug ${bug.name}` : ''}`,
    mermaid: traceToSequence(violation.trace, model.view, title),
    timeline: stepTimeline(
      violation.trace,
      model.view,
      `${invariant} ${violation.property}: ${violation.description}`,
    ),
  };
}

export const exploreStage: GateStage = {
  name: 'explore',
  async run(context) {
    const { hosts, bugs } = context.options;
    const bug = modelBugOf(bugs);
    const model = createClusterModel({ hosts, bug });
    const result = explore(model, { engine: 'auto' });
    const violations = result.violations.map((v) => {
      const summary = modelCounterexample(context, model, v, bug);
      context.results.counterexamples.push(summary);
      recordInvariant(context.results, summary.invariant, 'explore', false, summary.path, summary.message);
      return {
        invariant: summary.invariant,
        message: summary.message,
        steps: v.trace.length - 1,
        counterexample: summary.path,
      };
    });
    if (violations.length === 0 && result.complete) {
      for (const id of EXPLORE_INVARIANTS) recordInvariant(context.results, id, 'explore', true);
    }
    context.results.timing.explore = {
      seconds: result.seconds,
      statesPerSecond: result.statesPerSecond,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    context.results.explore = {
      hosts,
      states: result.states,
      transitions: result.transitions,
      deadlocks: result.violations.filter((v) => v.kind === 'deadlock').length,
      liveness: result.violations.some((v) => v.kind === 'liveness' || v.kind === 'eventually')
        ? 'violated'
        : 'hold',
      violations,
    };
    return 'complete';
  },
};

export const conformanceStage: GateStage = {
  name: 'conformance',
  async run(context) {
    const bug = context.options.bugs[0] ?? null;
    const report = await runConformanceStoppable(
      () => context.stop.reason !== null,
      CONFORMANCE_VARIANTS_DEFAULT,
      bug,
    );
    if (report === null) return 'stopped';
    const failures = report.paths
      .filter((p) => !p.conforms)
      .map((p) => ({
        path: p.covers,
        message: `the emulator's agent did not pass through ${p.covers} (${p.events.join(' → ')})`,
      }));
    // A path's run that broke an invariant: minimised, saved and reported like a fuzz finding.
    const broken = new Set<InvariantId>();
    for (const [index, path] of report.paths.entries()) {
      const violation = path.violation;
      if (violation === undefined || broken.has(violation.invariant)) continue;
      broken.add(violation.invariant);
      const found = await conformanceCounterexample(
        context.options.reportsDir,
        index,
        path.covers,
        violation.spec,
        bug,
        violation.invariant,
        () => context.stop.reason,
      );
      if (found === null) continue;
      recordTraceFinding(context, 'conformance', found.path, found.violation);
    }
    if (context.stop.reason !== null) return 'stopped';
    for (const id of CONFORMANCE_INVARIANTS) recordInvariant(context.results, id, 'conformance', true);
    context.results.conformance = {
      paths: report.paths.length,
      passed: report.paths.length - failures.length,
      states: { covered: report.statesCovered, total: report.statesTotal },
      transitions: { covered: report.transitionsCovered, total: report.transitionsTotal },
      failures,
    };
    return 'complete';
  },
};

/** Turns a fuzz counterexample into the reports' summary, replaying it for the timeline. */
function fuzzCounterexample(context: StageContext, tracePath: string): CounterexampleSummary {
  const file = readTraceFile(tracePath);
  const replay = replayTraceFile(file);
  return {
    path: rel(context, tracePath),
    invariant: file.expected.invariant,
    atMicros: file.expected.atMicros,
    ...(file.expected.host ? { host: file.expected.host } : {}),
    message: file.expected.message,
    reproduce: `npx ftcheck replay ${rel(context, tracePath)}`,
    mermaid: timelineToMermaid(replay.timeline),
    timeline: replay.timeline,
  };
}

/** A violation a stage found on the emulator, saved as a trace file: into the reports. */
function recordTraceFinding(
  context: StageContext,
  stage: 'fuzz' | 'conformance',
  tracePath: string,
  violation: { invariant: InvariantId; message: string },
): void {
  const summary = fuzzCounterexample(context, tracePath);
  context.results.counterexamples.push(summary);
  recordInvariant(context.results, violation.invariant, stage, false, summary.path, violation.message);
}

/** A component check's failure: its file, and the reports' summary of it (no cluster timeline). */
function recordComponentFinding(context: StageContext, outDir: string, finding: ComponentFinding): void {
  const path = rel(context, writeComponentFile(outDir, finding));
  const text = `${finding.invariant} component check ${finding.check}: ${finding.message}`;
  context.results.counterexamples.push({
    path,
    invariant: finding.invariant,
    atMicros: 0,
    message: finding.message,
    reproduce: `npx ftcheck replay ${path}`,
    mermaid: `sequenceDiagram\n  participant C as ${finding.check}\n  Note over C: ${finding.invariant} on ${finding.counterexample.replace(/[;#\n]/g, ' ').slice(0, 200)}\n`,
    timeline: [{ atMicros: 0, lane: finding.check, kind: 'violation', text }],
  });
  recordInvariant(context.results, finding.invariant, 'fuzz', false, path, finding.message);
}

function recordFuzzFinding(context: StageContext, chunk: FuzzChunkResult): void {
  if (!chunk.found || !chunk.violation || !chunk.tracePath) return;
  recordTraceFinding(context, 'fuzz', chunk.tracePath, chunk.violation);
}

/** Coverage and run counts of the chunks that count, in chunk order. */
class FuzzTally {
  runs = 0;
  executions = 0;
  elapsedMs = 0;
  chunks = 0;
  readonly states = new Set<string>();
  readonly transitions = new Set<string>();
  totals = { states: 0, transitions: 0 };

  add(result: FuzzChunkResult): void {
    this.chunks++;
    this.runs += result.runs;
    this.executions += result.executions;
    this.elapsedMs += result.elapsedMs;
    for (const s of result.statesCovered) this.states.add(s);
    for (const t of result.transitionsCovered) this.transitions.add(t);
    this.totals = { states: result.statesTotal, transitions: result.transitionsTotal };
  }
}

/**
 * The campaign runs seeds in order and ends after the first that finds a violation. With worker
 * threads several seeds run at once: the seeds after the first finder are dropped (results and
 * trace files), so the outcome does not depend on `--workers`.
 */
export const fuzzStage: GateStage = {
  name: 'fuzz',
  async run(context) {
    const { options, results, stop } = context;
    const { fuzzSeeds, fuzzRuns } = options.campaign;
    const outDir = join(options.reportsDir, 'counterexamples');
    const pool = new FuzzPool(options.workers);
    const tally = new FuzzTally();
    let found = false;
    let stopped = false;
    const started = performance.now();
    // The data plane's parts on their own first: a finding there ends the stage like a cluster's.
    if (options.bugs.length === 0) {
      const components = runComponentChecks(
        COMPONENT_CHECKS,
        options.seed,
        undefined,
        () => stop.reason !== null,
      );
      if (components.finding !== null) {
        recordComponentFinding(context, outDir, components.finding);
        found = true;
      }
    }
    try {
      const requests = Array.from({ length: found ? 0 : fuzzSeeds }, (_, chunk) => ({
        seed: chunkSeed(options.seed, chunk, options.shard),
        bug: options.bugs[0] ?? null,
        runs: fuzzRuns,
        guests: options.guests,
        shrinkRuns: options.campaign.shrinkRuns,
        outDir,
        stop: stop.buffer,
      }));
      await pool.runOrdered(
        requests,
        (result) => {
          if (found || stopped) {
            if (result.tracePath) rmSync(result.tracePath, { force: true });
            return;
          }
          tally.add(result);
          found = result.found;
          stopped = result.stopped !== null;
          recordFuzzFinding(context, result);
          options.log(
            `fuzz: ${tally.runs} schedules, ${tally.chunks}/${fuzzSeeds} seeds${found ? ', counterexample found' : ''}`,
          );
        },
        () => found || stopped || stop.reason !== null,
      );
    } finally {
      await pool.close();
    }
    if (!found && !stopped) for (const id of FUZZ_INVARIANTS) recordInvariant(results, id, 'fuzz', true);
    const seconds = (performance.now() - started) / 1000;
    results.timing.fuzz = {
      seconds: Math.round(seconds * 100) / 100,
      schedulesPerSecond: Math.round((tally.executions / Math.max(seconds, 1e-3)) * 100) / 100,
    };
    results.fuzz = {
      runs: tally.runs,
      planned: { seeds: fuzzSeeds, runsPerSeed: fuzzRuns },
      seeds: {
        first: chunkSeed(options.seed, 0, options.shard),
        last: chunkSeed(options.seed, Math.max(tally.chunks - 1, 0), options.shard),
      },
      modelStates: { covered: tally.states.size, total: tally.totals.states },
      modelTransitions: { covered: tally.transitions.size, total: tally.totals.transitions },
      counterexamples: results.counterexamples
        .filter(
          (c) =>
            c.path.endsWith('.json') &&
            !c.path.includes('.itf.') &&
            !c.path.startsWith(`counterexamples/${CONFORMANCE_COUNTEREXAMPLES_DIR}/`),
        )
        .map((c) => c.path),
    };
    return stopped ? 'stopped' : 'complete';
  },
};

const bugBase = (bug: SeededBug) => ({ name: bug.name, level: bug.level, breaks: bug.breaks });

/**
 * A model bug is caught when the exhaustive check of the 2-host model breaks a declared invariant.
 * The check stops at its first violation; only when that one is of another invariant does it
 * explore the whole space to look for a declared one (and report the others).
 */
function selfTestModelBug(bug: ModelBug): BugResult {
  const check = (stopAtFirstViolation: boolean) =>
    explore(createClusterModel({ hosts: 2, bug }), { engine: 'auto', stopAtFirstViolation }).violations;
  const declares = (v: Violation<ClusterContext>) =>
    v.invariant !== undefined && bug.breaks.includes(v.invariant);
  const first = check(true);
  const violations = first.length === 0 || first.some(declares) ? first : check(false);
  const declared = violations.find(declares);
  const others = violations
    .filter((v) => v.invariant !== undefined && !bug.breaks.includes(v.invariant))
    .map((v) => ({ invariant: v.invariant!, run: 1, message: `${v.property}: ${v.description}` }));
  return {
    ...bugBase(bug),
    status: declared ? 'caught' : 'escaped',
    caught: declared !== undefined,
    ...(declared ? { invariant: declared.invariant!, size: declared.trace.length - 1 } : {}),
    ...(!declared && others.length > 0 ? { otherInvariants: others } : {}),
  };
}

function fuzzedBugResult(context: StageContext, bug: SeededBug, chunk: FuzzChunkResult): BugResult {
  const status = chunk.found ? 'caught' : chunk.stopped !== null ? 'inconclusive' : 'escaped';
  const others = chunk.incidental
    .filter((v) => !v.alsoWithoutBug)
    .map(({ invariant, run, message }) => ({ invariant, run, message }));
  return {
    ...bugBase(bug),
    status,
    caught: chunk.found,
    ...(chunk.violation ? { invariant: chunk.violation.invariant } : {}),
    runs: chunk.runs,
    runsPlanned: context.options.campaign.bugRuns,
    ...(chunk.runsToFailure !== undefined ? { schedulesToFirstFailure: chunk.runsToFailure } : {}),
    ...(chunk.faults !== undefined ? { size: chunk.faults } : {}),
    ...(chunk.minimal !== undefined ? { minimal: chunk.minimal } : {}),
    ...(chunk.tracePath ? { counterexample: rel(context, chunk.tracePath) } : {}),
    ...(others.length > 0 ? { otherInvariants: others } : {}),
  };
}

/**
 * Every seeded bug must still be caught: model bugs by the exhaustive check, the others by a fuzz
 * campaign of a fixed count of schedules at a fixed seed, judged by the invariants the bug is
 * declared to break. Bugs a stop never let it reach are reported as not run.
 */
export const bugsStage: GateStage = {
  name: 'bugs',
  async run(context) {
    const { options, stop } = context;
    const { bugRuns, bugSeed } = options.campaign;
    const bugs = fuzzableBugs();
    const results = new Map<string, BugResult>();
    const timing: Record<string, number> = {};
    const pool = new FuzzPool(options.workers);
    try {
      for (const bug of bugs) {
        const model = findModelBug(bug.name);
        if (model === undefined || stop.reason !== null) continue;
        const started = performance.now();
        results.set(bug.name, selfTestModelBug(model));
        timing[bug.name] = Math.round((performance.now() - started) / 10) / 100;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const fuzzed = bugs.filter((b) => !findModelBug(b.name));
      await pool.runOrdered(
        fuzzed.map((bug) => ({
          seed: bugSeed,
          bug: bug.name,
          runs: bugRuns,
          shrinkRuns: options.campaign.shrinkRuns,
          invariants: bug.breaks,
          outDir: join(options.reportsDir, 'counterexamples', 'bugs'),
          stop: stop.buffer,
        })),
        (chunk, j) => {
          const bug = fuzzed[j]!;
          const result = fuzzedBugResult(context, bug, chunk);
          results.set(bug.name, result);
          timing[bug.name] = Math.round(chunk.elapsedMs / 10) / 100;
          options.log(
            `bugs: ${bug.name} ${result.status}${result.schedulesToFirstFailure ? ` after ${result.schedulesToFirstFailure} schedules` : ''}`,
          );
        },
        () => stop.reason !== null,
      );
    } finally {
      await pool.close();
    }
    context.results.bugs = bugs.map(
      (bug) => results.get(bug.name) ?? { ...bugBase(bug), status: 'not-run', caught: false },
    );
    context.results.timing.bugs = timing;
    return bugs.every((bug) => results.has(bug.name) && results.get(bug.name)!.status !== 'inconclusive')
      ? 'complete'
      : 'stopped';
  },
};

export const GATE_STAGES: GateStage[] = [
  diagramsStage,
  exploreStage,
  conformanceStage,
  fuzzStage,
  bugsStage,
  mutateStage,
];
