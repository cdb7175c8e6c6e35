// Parallel breadth-first search on worker threads (`explore --workers N`). States are
// hash-partitioned: each worker owns the states whose packed row hashes to it
// (parallelProtocol.ts). The search is level-synchronous: every worker expands its frontier,
// keeping the successors it owns and handing the coordinator the others, which it delivers to
// their owners before the next level. So states, transitions and depth are exactly the sequential
// search's, whatever the scheduling.
//
// The coordinator first explores alone (the warm-up) until a level is wide enough to share; that
// also fixes how rows are packed and coded in every worker. A worker that meets a code the shared
// packing cannot hold, or a value the shared tables lack, makes the search restart from the
// warm-up with it (rare: the warm-up has seen most values). Checked in parallel: `always`,
// `sometimes` and deadlocks. A violation stops the search at the end of its level, and the
// sequential search then gives the shortest counterexample (it stops at that same depth). The
// temporal properties need the whole graph in one place: a sequential search checks them after
// the parallel one, and the result says so.
import { Worker } from 'node:worker_threads';
import { assert } from '../../base/assert.ts';
import { compiledEngine } from './compiledEngine.ts';
import { UnsupportedMachineError } from './errors.ts';
import { type ExploreOptions, type ExploreResult, explore, type PropertyResult } from './explore.ts';
import { GrowableInt32 } from './growable.ts';
import { Packer } from './packer.ts';
import {
  type Figures,
  loadModel,
  type ModelSource,
  ownerOf,
  safetyChecks,
  type WorkerReply,
  type WorkerRequest,
} from './parallelProtocol.ts';
import { isModelFault, STEPS_COMPLETE, thrownByChecker } from './thrown.ts';
import type { ExplorerModel, ModelState } from './types.ts';
import { askWorker } from './worker-ask.ts';

/** The built package starts the compiled worker; the sources go through a tsx bootstrap (Node 20). */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./parallel-worker-entry.mjs', import.meta.url)
  : new URL('./parallelWorker.js', import.meta.url);

export interface ParallelOptions extends ExploreOptions {
  /** Worker threads (≥ 2). */
  workers: number;
  /** The workers start once a BFS level has this many states (default 20 000; tests lower it). */
  shareAt?: number;
}

/** A bound on restarts: each one widens a field or adds a value, so a model needs few. */
const RESTARTS_MAX = 64;
type Pred = (s: ModelState<unknown>) => boolean;
type Engine = ReturnType<typeof compiledEngine<unknown>>;

interface WarmUp {
  engine: Engine;
  /** States [frontierStart, count) are the frontier: the next level to expand. */
  frontierStart: number;
  /** The depth of the frontier. */
  depth: number;
  transitions: number;
  violated: boolean;
  witnessed: Set<string>;
  complete: boolean;
}

/** The sequential beginning of a parallel search, coded as the workers will code (identity codes). */
function warmUp(model: ExplorerModel<unknown>, symmetry: boolean, shareAt: number): WarmUp {
  const engine = compiledEngine(model, { identityCodes: true, symmetry });
  const checks = safetyChecks(model, (name, fn) => engine.predicate(name, fn as Pred));
  const witnessed = new Set<string>();
  let violated = false;
  const onNew = () => {
    for (const p of checks.always) if (!engine.holdsOnNew(p.handle)) violated = true;
    for (const p of checks.sometimes) if (engine.holdsOnNew(p.handle)) witnessed.add(p.name);
  };
  engine.start();
  onNew();
  let transitions = 0;
  let depth = 0;
  let levelEnd = 1;
  const visit = (_e: number, _a: number, _t: number, isNew: boolean) => {
    if (isNew) onNew();
  };
  for (let current = 0; current < engine.count(); current++) {
    if (current === levelEnd) {
      depth++;
      levelEnd = engine.count();
      if (violated) break;
      if (levelEnd - current >= shareAt) {
        return { engine, frontierStart: current, depth, transitions, violated, witnessed, complete: false };
      }
    }
    let enabled: number;
    try {
      enabled = engine.expand(current, visit);
    } catch (error) {
      // A step that throws is a finding: the sequential search reports it with its path.
      if (!isModelFault(error)) throw error;
      return {
        engine,
        frontierStart: current,
        depth,
        transitions,
        violated: true,
        witnessed,
        complete: false,
      };
    }
    transitions += enabled;
    if (enabled === 0 && !engine.holds(checks.stable, current)) violated = true;
  }
  return { engine, frontierStart: engine.count(), depth, transitions, violated, witnessed, complete: true };
}

class Pool {
  private readonly workers: Worker[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => new Worker(WORKER_ENTRY));
  }

  private ask(worker: Worker, request: WorkerRequest, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    return askWorker<WorkerReply>(worker, request, 'explorer worker', transfer);
  }

  all(request: (i: number) => WorkerRequest, transfer: (i: number) => ArrayBuffer[] = () => []) {
    return Promise.all(this.workers.map((w, i) => this.ask(w, request(i), transfer(i))));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** What the warm-up fixes for every worker: bits per field and the shared value tables. */
interface Shared {
  bits: Uint8Array;
  seeds: unknown[][];
}

/**
 * The warm-up's packing with a bit of headroom: every field one bit wider than it needs now, but
 * those whose domain is complete (region words, booleans that took both values).
 */
function initialShared(warm: WarmUp): Shared {
  const { machine, packer } = warm.engine;
  const bits = Uint8Array.from({ length: machine.width }, (_, f) => {
    const needed = Math.max(packer.bits[f]!, Packer.bitsFor(machine.domainSize(f)));
    return machine.domainSaturated(f) ? needed : Math.min(31, needed + 1);
  });
  return { bits, seeds: machine.layout.tableSeeds() };
}

/** The warm-up's states repacked with the shared packing, split by owner. */
function distribute(warm: WarmUp, bits: Uint8Array, workers: number) {
  const { engine } = warm;
  const shared = new Packer(engine.machine.width, () => 1, bits);
  const row = new Int32Array(engine.machine.width);
  const packed = new Int32Array(shared.words);
  const rows = Array.from({ length: workers }, () => new GrowableInt32());
  const frontier = Array.from({ length: workers }, () => [] as number[]);
  for (let i = 0; i < engine.count(); i++) {
    engine.packer.unpack(engine.table.rows, engine.table.offsetOf(i), row);
    assert(shared.pack(row, packed, 0), 'the shared packing holds every state of the warm-up');
    const owner = ownerOf(packed, 0, shared.words, workers);
    for (let w = 0; w < shared.words; w++) rows[owner]!.push(packed[w]!);
    frontier[owner]!.push(i >= warm.frontierStart ? 1 : 0);
  }
  return rows.map((r, i) => ({ rows: r.data.slice(0, r.length), frontier: Uint8Array.from(frontier[i]!) }));
}

type RunOutcome =
  | { restart: Extract<WorkerReply, { kind: 'narrow' | 'unseen' }> }
  | { figures: Figures[]; depth: number; complete: boolean; violated: boolean };

const restartOf = (replies: WorkerReply[]) =>
  replies.find(
    (r): r is Extract<WorkerReply, { kind: 'narrow' | 'unseen' }> =>
      r.kind === 'narrow' || r.kind === 'unseen',
  );
const sum = (figures: Figures[], key: 'states' | 'frontier' | 'transitions' | 'storeBytes' | 'orbitStates') =>
  figures.reduce((n, f) => n + f[key], 0);

/** One parallel search from the warm-up's frontier, level by level, on the booted pool. */
async function parallelRun(
  source: ModelSource,
  options: ParallelOptions & { symmetry: boolean },
  warm: WarmUp,
  shared: Shared,
  pool: Pool,
  booted: Promise<unknown>,
): Promise<RunOutcome> {
  const maxStates = options.maxStates ?? 10_000_000;
  const parts = distribute(warm, shared.bits, options.workers);
  await booted;
  const ready = await pool.all(
    (self) => ({
      kind: 'init',
      source,
      self,
      workers: options.workers,
      symmetry: options.symmetry,
      bits: shared.bits,
      seeds: shared.seeds,
      ...parts[self]!,
    }),
    (self) => [parts[self]!.rows.buffer as ArrayBuffer],
  );
  const early = restartOf(ready);
  if (early) return { restart: early };
  let figures = ready as Figures[];
  let depth = warm.depth;
  for (;;) {
    if (sum(figures, 'frontier') === 0) return { figures, depth, complete: true, violated: false };
    if (sum(figures, 'states') >= maxStates) return { figures, depth, complete: false, violated: false };
    const expanded = await pool.all(() => ({ kind: 'expand' }));
    const narrow = restartOf(expanded);
    if (narrow) return { restart: narrow };
    const sent = expanded as Extract<WorkerReply, { kind: 'expanded' }>[];
    const inbound = sent.map((_, to) => concat(sent.map((r) => r.rows[to]!)));
    const absorbed = await pool.all(
      (i) => ({ kind: 'absorb', rows: inbound[i]! }),
      (i) => [inbound[i]!.buffer as ArrayBuffer],
    );
    const late = restartOf(absorbed);
    if (late) return { restart: late };
    figures = absorbed as Figures[];
    if (sum(figures, 'frontier') > 0) depth++;
    if (figures.some((f) => f.violated.length > 0))
      return { figures, depth, complete: false, violated: true };
  }
}

function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Explores the model `source` builds, on `options.workers` threads; see the file header. A machine
 * the compiled engine refuses runs sequentially under `engine: 'auto'` (the result says why).
 */
export async function exploreParallel<C>(
  source: ModelSource,
  options: ParallelOptions,
): Promise<ExploreResult<C>> {
  assert(
    Number.isInteger(options.workers) && options.workers >= 2,
    'a parallel search has 2 workers or more',
  );
  if (options.engine === 'generic') {
    throw new UnsupportedMachineError(
      'a parallel search runs the compiled engine; --engine generic is sequential',
    );
  }
  const started = performance.now();
  const model = (await loadModel(source)) as ExplorerModel<C>;
  const symmetry = options.symmetry !== false && model.symmetry !== undefined;
  // The workers boot (threads, modules, the model) while the coordinator warms up alone; a search
  // that ends before the workers are needed closes them unused.
  const pool = new Pool(options.workers);
  const booted = pool.all(() => ({ kind: 'load', source }));
  booted.catch(() => {}); // awaited, and so reported, by the parallel run (or not needed at all)
  try {
    return await searchOnPool(model, source, options, { started, symmetry, pool, booted });
  } finally {
    await pool.close();
  }
}

/** `exploreParallel` with its pool booting: the warm-up, then the parallel runs (restarts included). */
async function searchOnPool<C>(
  model: ExplorerModel<C>,
  source: ModelSource,
  options: ParallelOptions,
  run: { started: number; symmetry: boolean; pool: Pool; booted: Promise<unknown> },
): Promise<ExploreResult<C>> {
  const { started, symmetry } = run;
  const untyped = model as ExplorerModel<unknown>;
  const sequential = (note: string, restarts = 0): ExploreResult<C> => {
    const result = explore(model, options);
    const temporal = !hasTemporal(untyped) ? 'none' : options.skipLiveness ? 'skipped' : 'sequential';
    return { ...result, parallel: { workers: options.workers, note, temporal, restarts } };
  };
  let warm: WarmUp;
  try {
    warm = warmUp(untyped, symmetry, options.shareAt ?? 20_000);
  } catch (error) {
    if (options.engine === 'compiled' || !(error instanceof UnsupportedMachineError)) throw error;
    return sequential(
      `sequential: a parallel search needs the compiled engine, which refused the machine: ${error.message}`,
    );
  }
  if (warm.complete)
    return sequential('sequential: the search finished before a level was wide enough to share');
  if (warm.violated) return sequential('sequential: a violation was found before the workers started');
  let shared = initialShared(warm);
  for (let restarts = 0; ; restarts++) {
    assert(restarts <= RESTARTS_MAX, 'a parallel search restarts a bounded number of times');
    let outcome: Awaited<ReturnType<typeof parallelRun>>;
    try {
      outcome = await parallelRun(source, { ...options, symmetry }, warm, shared, run.pool, run.booted);
    } catch (error) {
      // A worker met a step of the model that throws (its stack names the model, not ftcheck).
      if (!(error instanceof Error) || thrownByChecker(error.message)) throw error;
      return sequential(
        'a worker met a step that throws; the sequential search reports it with its path',
        restarts,
      );
    }
    if ('restart' in outcome) {
      shared = widened(shared, outcome.restart);
      continue;
    }
    if (outcome.violated) {
      return sequential(
        `the parallel search found a violation at depth ${outcome.depth}; the sequential search gives its shortest counterexample`,
        restarts,
      );
    }
    return parallelResult(model, options, warm, outcome, { started, restarts, symmetry });
  }
}

/** The shared packing or tables after a worker met what they could not hold. */
function widened(shared: Shared, restart: Extract<WorkerReply, { kind: 'narrow' | 'unseen' }>): Shared {
  if (restart.kind === 'unseen') {
    const seeds = shared.seeds.map((t) => [...t]);
    seeds[restart.table]!.push(restart.value);
    // Should its code outgrow the field's bits, the next run restarts once more, wider.
    return { bits: shared.bits, seeds };
  }
  const bits = shared.bits.slice();
  for (const f of restart.fields) bits[f] = Math.min(31, bits[f]! + 2);
  return { bits, seeds: shared.seeds };
}

function parallelResult<C>(
  model: ExplorerModel<C>,
  options: ParallelOptions,
  warm: WarmUp,
  run: Extract<RunOutcome, { figures: Figures[] }>,
  meta: { started: number; restarts: number; symmetry: boolean },
): ExploreResult<C> {
  const { figures } = run;
  const witnessed = new Set([...figures.flatMap((f) => f.witnessed), ...warm.witnessed]);
  const describe = (p: { name: string; description?: string }) => p.description ?? p.name;
  // No violation reaches here (the sequential search reports those): what is not found is open.
  const decided = (holds: boolean): PropertyResult['status'] =>
    holds ? 'holds' : run.complete ? 'violated' : 'unknown';
  const properties: PropertyResult<C>[] = [];
  const always = [
    ...(model.properties ?? []).filter((p) => p.kind === 'always'),
    ...(model.invariants ?? []).map((p) => ({ ...p, kind: 'always' as const })),
  ];
  for (const p of always) {
    properties.push({
      name: p.name,
      kind: 'always',
      invariant: p.id,
      description: describe(p),
      status: decided(run.complete),
    });
  }
  for (const p of model.properties ?? []) {
    if (p.kind !== 'sometimes') continue;
    properties.push({
      name: p.name,
      kind: 'sometimes',
      invariant: p.id,
      description: describe(p),
      status: decided(witnessed.has(p.name)),
    });
  }
  properties.push({
    name: 'deadlock',
    kind: 'deadlock',
    description: 'no event is enabled in a state the model does not call stable',
    status: run.complete ? 'holds' : 'unknown',
  });
  const { id, ...throws } = STEPS_COMPLETE;
  properties.push({ ...throws, kind: 'always', invariant: id, status: run.complete ? 'holds' : 'unknown' });
  const states = sum(figures, 'states');
  const orbitStates = meta.symmetry ? sum(figures, 'orbitStates') : null;
  const result: ExploreResult<C> = {
    model: model.name,
    engine: 'compiled',
    engineReason: `the machine compiles; ${options.workers} worker threads, states hash-partitioned`,
    ...(model.input !== undefined ? { input: model.input } : {}),
    symmetry: {
      applied: meta.symmetry,
      orbitStates,
      reduction: orbitStates === null ? null : Number((orbitStates / states).toFixed(3)),
    },
    states,
    transitions: warm.transitions + sum(figures, 'transitions'),
    depth: run.depth,
    complete: run.complete,
    seconds: 0,
    statesPerSecond: 0,
    storeBytes: sum(figures, 'storeBytes'),
    properties,
    violations: [],
    parallel: {
      workers: options.workers,
      note: `the workers took over at depth ${warm.depth}, a level of ${warm.engine.count() - warm.frontierStart} states`,
      temporal: 'none',
      restarts: meta.restarts,
    },
  };
  // The safety search's own time; the temporal search reports its own.
  result.seconds = (performance.now() - meta.started) / 1000;
  result.statesPerSecond = Math.round(states / Math.max(result.seconds, 1e-9));
  temporalPhase(model, options, result);
  return result;
}

const hasTemporal = (model: ExplorerModel<unknown>) =>
  (model.liveness ?? []).length > 0 || (model.properties ?? []).some((p) => p.kind === 'eventually');

/** The temporal properties, by a sequential search (see the file header), unless skipped. */
function temporalPhase<C>(model: ExplorerModel<C>, options: ParallelOptions, result: ExploreResult<C>): void {
  const report = result.parallel!;
  if (!hasTemporal(model as ExplorerModel<unknown>)) return;
  if (options.skipLiveness || !result.complete) {
    report.temporal = 'skipped';
    return;
  }
  const temporal = explore(model, { ...options, safety: false });
  report.temporal = 'sequential';
  report.temporalSearch = {
    states: temporal.states,
    transitions: temporal.transitions,
    seconds: temporal.seconds,
    complete: temporal.complete,
  };
  result.properties.push(...temporal.properties);
  result.violations.push(...temporal.violations);
  if (temporal.fairness) result.fairness = temporal.fairness;
  if (!temporal.complete) result.complete = false;
  result.storeBytes = Math.max(result.storeBytes, temporal.storeBytes);
}
