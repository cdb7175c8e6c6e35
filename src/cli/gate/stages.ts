// The stages of the full gate, in order: protocol diagrams → exhaustive model check →
// model-based conformance on the emulator → fault-fuzzing campaign → bug-catalog self-test.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findModelBug, type ModelBug } from '../../../models/bugs.ts';
import { createClusterModel } from '../../../models/clusterModel.ts';
import type { ClusterContext } from '../../../models/clusterState.ts';
import type { InvariantId, SeededBug } from '../../base/invariants.ts';
import { runConformance } from '../../check/conformance/conformance.ts';
import { explore, type Violation } from '../../check/explorer/explore.ts';
import { toItf } from '../../check/explorer/itf.ts';
import { stepTimeline } from '../../check/explorer/stepTable.ts';
import { fuzzableBugs } from '../../check/fuzz/bug-injection.ts';
import { replayTraceFile } from '../../check/fuzz/replay.ts';
import { type GateStage, recordInvariant, type StageContext } from '../../check/gate/gate.ts';
import type { BugResult, CounterexampleSummary } from '../../check/results.ts';
import { readTraceFile } from '../../check/trace-file.ts';
import { writeDiagrams } from '../../report/diagrams/generate.ts';
import { traceToSequence } from '../../report/diagrams/sequence.ts';
import { timelineToMermaid } from '../../report/timeline-mermaid.ts';
import { chunkSeed, type FuzzChunkResult } from './fuzz-chunk.ts';
import { FuzzPool } from './fuzz-pool.ts';
import { mutateStage } from './mutate-stage.ts';

const FUZZ_INVARIANTS: InvariantId[] = ['I1', 'I2', 'I3', 'I4', 'I5', 'I6'];
const EXPLORE_INVARIANTS: InvariantId[] = ['I2', 'I3', 'I4', 'I5'];
const CHUNK_MS_MAX = 10_000;
const BUG_BUDGET_MS_MIN = 4_000;
const BUG_BUDGET_MS_MAX = 30_000;

const rel = (context: StageContext, path: string) => relative(context.options.reportsDir, path);
const modelBugOf = (names: string[]): ModelBug | undefined =>
  names.map(findModelBug).find((b) => b !== undefined);

export const diagramsStage: GateStage = {
  name: 'diagrams',
  weight: 0.1,
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
  weight: 0.3,
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
    context.results.explore = {
      hosts,
      states: result.states,
      transitions: result.transitions,
      seconds: result.seconds,
      statesPerSecond: result.statesPerSecond,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      deadlocks: result.violations.filter((v) => v.kind === 'deadlock').length,
      liveness: result.violations.some((v) => v.kind === 'liveness' || v.kind === 'eventually')
        ? 'violated'
        : 'hold',
      violations,
    };
  },
};

export const conformanceStage: GateStage = {
  name: 'conformance',
  weight: 0.5,
  async run(context) {
    const report = runConformance();
    const failures = report.paths
      .filter((p) => !p.conforms)
      .map((p) => ({
        path: p.covers,
        message: `the emulator's agent did not pass through ${p.covers} (${p.events.join(' → ')})`,
      }));
    context.results.conformance = {
      paths: report.paths.length,
      passed: report.paths.length - failures.length,
      states: { covered: report.statesCovered, total: report.statesTotal },
      transitions: { covered: report.transitionsCovered, total: report.transitionsTotal },
      failures,
    };
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

function recordFuzzFinding(context: StageContext, chunk: FuzzChunkResult): void {
  if (!chunk.found || !chunk.violation || !chunk.tracePath) return;
  const summary = fuzzCounterexample(context, chunk.tracePath);
  context.results.counterexamples.push(summary);
  recordInvariant(
    context.results,
    chunk.violation.invariant,
    'fuzz',
    false,
    summary.path,
    chunk.violation.message,
  );
}

export const fuzzStage: GateStage = {
  name: 'fuzz',
  weight: 1.6,
  async run(context) {
    const { options, results, signal } = context;
    const fuzzBug = options.bugs[0] ?? null;
    const outDir = join(options.reportsDir, 'counterexamples');
    const pool = new FuzzPool(options.workers);
    const deadline = performance.now() + context.budgetSeconds * 1000;
    const states = new Set<string>();
    const transitions = new Set<string>();
    let runs = 0;
    let chunk = 0;
    let found = false;
    let totals = { states: 0, transitions: 0 };
    const started = performance.now();
    try {
      while (!found && !signal.aborted && deadline - performance.now() > 1000) {
        const budgetMs = Math.min(CHUNK_MS_MAX, deadline - performance.now());
        const requests = Array.from({ length: options.workers }, (_, i) => ({
          seed: chunkSeed(options.seed, chunk + i, options.shard),
          bug: fuzzBug,
          budgetMs: Math.floor(budgetMs * 0.8),
          shrinkBudgetMs: Math.floor(budgetMs * 0.2) + 2_000,
          outDir,
        }));
        chunk += requests.length;
        for (const result of await pool.runRound(requests)) {
          runs += result.runs;
          for (const s of result.statesCovered) states.add(s);
          for (const t of result.transitionsCovered) transitions.add(t);
          totals = { states: result.statesTotal, transitions: result.transitionsTotal };
          if (result.found && !found) {
            found = true;
            recordFuzzFinding(context, result);
          }
        }
        options.log(`fuzz: ${runs} schedules, ${chunk} chunks${found ? ', counterexample found' : ''}`);
      }
    } finally {
      await pool.close();
    }
    for (const id of FUZZ_INVARIANTS) if (!found) recordInvariant(results, id, 'fuzz', true);
    const seconds = (performance.now() - started) / 1000;
    results.fuzz = {
      runs,
      seconds: Math.round(seconds * 100) / 100,
      schedulesPerSecond: Math.round((runs / Math.max(seconds, 1e-3)) * 100) / 100,
      seeds: {
        first: chunkSeed(options.seed, 0, options.shard),
        last: chunkSeed(options.seed, Math.max(chunk - 1, 0), options.shard),
      },
      modelStates: { covered: states.size, total: totals.states },
      modelTransitions: { covered: transitions.size, total: totals.transitions },
      counterexamples: results.counterexamples
        .filter((c) => c.path.endsWith('.json') && !c.path.includes('.itf.'))
        .map((c) => c.path),
    };
  },
};

function selfTestModelBug(bug: ModelBug): BugResult {
  const started = performance.now();
  const violation = explore(createClusterModel({ hosts: 2, bug }), { engine: 'auto' }).violations[0];
  return {
    name: bug.name,
    level: bug.level,
    breaks: bug.breaks,
    caught: violation !== undefined,
    ...(violation?.invariant ? { invariant: violation.invariant } : {}),
    seconds: Math.round((performance.now() - started) / 10) / 100,
    ...(violation ? { size: violation.trace.length - 1 } : {}),
  };
}

function fuzzedBugResult(context: StageContext, bug: SeededBug, chunk: FuzzChunkResult): BugResult {
  return {
    name: bug.name,
    level: bug.level,
    breaks: bug.breaks,
    caught: chunk.found,
    ...(chunk.violation ? { invariant: chunk.violation.invariant } : {}),
    seconds: Math.round((chunk.timeToFirstFailureMs ?? chunk.elapsedMs) / 10) / 100,
    ...(chunk.faults !== undefined ? { size: chunk.faults } : {}),
    ...(chunk.tracePath ? { counterexample: rel(context, chunk.tracePath) } : {}),
  };
}

export const bugsStage: GateStage = {
  name: 'bugs',
  weight: 2.5,
  async run(context) {
    const { options, signal } = context;
    const bugs = fuzzableBugs();
    const fuzzed = bugs.filter((b) => !findModelBug(b.name));
    const perBugMs = Math.max(
      BUG_BUDGET_MS_MIN,
      Math.min(BUG_BUDGET_MS_MAX, (context.budgetSeconds * 1000) / Math.max(1, fuzzed.length)),
    );
    const pool = new FuzzPool(options.workers);
    const results: BugResult[] = [];
    try {
      for (const bug of bugs.filter((b) => findModelBug(b.name))) {
        if (!signal.aborted) results.push(selfTestModelBug(findModelBug(bug.name)!));
      }
      for (let i = 0; i < fuzzed.length && !signal.aborted; i += options.workers) {
        const batch = fuzzed.slice(i, i + options.workers);
        const chunks = await pool.runRound(
          batch.map((bug) => ({
            seed: options.seed,
            bug: bug.name,
            budgetMs: Math.floor(perBugMs * 0.75),
            shrinkBudgetMs: Math.floor(perBugMs * 0.25),
            outDir: join(options.reportsDir, 'counterexamples', 'bugs'),
          })),
        );
        batch.forEach((bug, j) => {
          results.push(fuzzedBugResult(context, bug, chunks[j]!));
          options.log(`bugs: ${bug.name} ${chunks[j]!.found ? 'caught' : 'NOT caught'}`);
        });
      }
    } finally {
      await pool.close();
    }
    context.results.bugs = results;
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
