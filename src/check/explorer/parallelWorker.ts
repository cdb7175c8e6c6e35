// One worker of a parallel search (parallel.ts): it owns the states whose packed row hashes to it,
// and expands them level by level. Successors it owns are stored here; the others are forwarded
// (packed: every worker packs and codes alike) through the coordinator, which hands each worker
// the rows it owns at the end of the level. Safety properties are checked here on every new state;
// counterexample traces come from the sequential search (see parallel.ts).
import { parentPort } from 'node:worker_threads';
import { compiledEngine } from './compiledEngine.ts';
import { GrowableInt32 } from './growable.ts';
import { UnseenValueError } from './layout.ts';
import { PackingTooNarrowError } from './packer.ts';
import {
  type Figures,
  loadModel,
  type ModelSource,
  ownerOf,
  safetyChecks,
  type WorkerReply,
  type WorkerRequest,
} from './parallelProtocol.ts';
import type { ExplorerModel } from './types.ts';

type Init = Extract<WorkerRequest, { kind: 'init' }>;

class WorkerSearch {
  private readonly engine: ReturnType<typeof compiledEngine<unknown>>;
  private readonly outboxes: GrowableInt32[];
  private frontier = new GrowableInt32();
  private next = new GrowableInt32();
  private readonly checks: ReturnType<typeof safetyChecks>;
  private readonly violated = new Set<string>();
  private readonly witnessed = new Set<string>();
  private transitions = 0;
  private readonly words: number;

  constructor(model: ExplorerModel<unknown>, init: Init) {
    const { self, workers } = init;
    this.outboxes = Array.from({ length: workers }, () => new GrowableInt32());
    let words = 0;
    const route = {
      owns: (row: Int32Array, at: number) => ownerOf(row, at, words, workers) === self,
      forward: (row: Int32Array, at: number) => {
        const box = this.outboxes[ownerOf(row, at, words, workers)]!;
        for (let i = 0; i < words; i++) box.push(row[at + i]!);
      },
    };
    this.engine = compiledEngine(model, {
      identityCodes: true,
      seeds: init.seeds,
      route,
      fixedBits: init.bits,
      symmetry: init.symmetry,
    });
    words = this.words = this.engine.packer.words;
    this.checks = safetyChecks(model, (name, fn) => this.engine.predicate(name, fn));
    // The warm-up checked these states already; only the frontier matters here.
    for (let k = 0, at = 0; at < init.rows.length; k++, at += words) {
      const index = this.engine.absorb(init.rows, at);
      if (init.frontier[k] === 1 && this.engine.lastWasNew()) this.frontier.push(index);
    }
  }

  private onNew(index: number): void {
    this.next.push(index);
    for (const p of this.checks.always) {
      if (!this.violated.has(p.name) && !this.engine.holdsOnNew(p.handle)) this.violated.add(p.name);
    }
    for (const p of this.checks.sometimes) {
      if (!this.witnessed.has(p.name) && this.engine.holdsOnNew(p.handle)) this.witnessed.add(p.name);
    }
  }

  private readonly visit = (_e: number, _action: number, target: number, isNew: boolean) => {
    if (isNew) this.onNew(target);
  };

  /** Expands this level's frontier; returns the rows owed to each other worker. */
  expand(): WorkerReply {
    const frontier = this.frontier;
    for (let i = 0; i < frontier.length; i++) {
      const index = frontier.get(i);
      const enabled = this.engine.expand(index, this.visit);
      this.transitions += enabled;
      if (enabled === 0 && !this.engine.holds(this.checks.stable, index)) this.violated.add('deadlock');
    }
    const rows = this.outboxes.map((box) => box.data.slice(0, box.length));
    for (const box of this.outboxes) box.length = 0;
    return { kind: 'expanded', rows, ...this.figures() };
  }

  /** Stores the rows other workers forwarded here; this level's new states become the frontier. */
  absorb(rows: Int32Array): WorkerReply {
    for (let at = 0; at + this.words <= rows.length; at += this.words) {
      const index = this.engine.absorb(rows, at);
      if (this.engine.lastWasNew()) this.onNew(index);
    }
    [this.frontier, this.next] = [this.next, this.frontier];
    this.next.length = 0;
    return { kind: 'absorbed', ...this.figures() };
  }

  figures(): Figures {
    return {
      states: this.engine.count(),
      frontier: this.frontier.length,
      transitions: this.transitions,
      violated: [...this.violated],
      witnessed: [...this.witnessed],
      storeBytes: this.engine.storeBytes(),
      orbitStates: this.engine.orbitStates() ?? 0,
    };
  }
}

let search: WorkerSearch | null = null;
/** The model, loaded once per source (by 'load', or by the first 'init'; a restart inits again). */
let loaded: { key: string; model: Promise<ExplorerModel<unknown>> } | null = null;

function modelOf(source: ModelSource): Promise<ExplorerModel<unknown>> {
  const key = JSON.stringify(source);
  if (loaded?.key !== key) loaded = { key, model: loadModel(source) };
  return loaded.model;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  if (request.kind === 'load') {
    await modelOf(request.source);
    return { kind: 'loaded' };
  }
  if (request.kind === 'init') {
    search = new WorkerSearch(await modelOf(request.source), request);
    return { kind: 'ready', ...search.figures() };
  }
  if (search === null) throw new Error(`'${request.kind}' before 'init'`);
  return request.kind === 'expand' ? search.expand() : search.absorb(request.rows);
}

function failure(error: unknown): WorkerReply {
  if (error instanceof PackingTooNarrowError) return { kind: 'narrow', fields: error.fields };
  if (error instanceof UnseenValueError) return { kind: 'unseen', table: error.table, value: error.value };
  return { kind: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

parentPort?.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (reply) => {
      const transfer = reply.kind === 'expanded' ? reply.rows.map((r) => r.buffer as ArrayBuffer) : [];
      parentPort?.postMessage(reply, transfer);
    },
    (error: unknown) => parentPort?.postMessage(failure(error)),
  );
});
