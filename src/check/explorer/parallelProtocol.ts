// What the coordinator of a parallel search (parallel.ts) and its workers (parallelWorker.ts)
// say to each other, and the functions both sides must agree on: how a model is loaded (a module
// and a factory export, since functions cannot cross threads), which worker owns a state, and
// which properties a worker checks.
import type { ExplorerModel, ModelState } from './types.ts';

type Pred = (s: ModelState<unknown>) => boolean;

/** A model a worker can load: `(await import(module))[exportName](...args)`. */
export interface ModelSource {
  /** A file URL of an ES module. */
  module: string;
  /** An exported function returning the ExplorerModel. */
  exportName: string;
  /** Its arguments (structured-cloneable data). */
  args?: unknown[];
}

export type WorkerRequest =
  /** Load the model's module now (a worker boots while the coordinator warms up). */
  | { kind: 'load'; source: ModelSource }
  | {
      kind: 'init';
      source: ModelSource;
      self: number;
      workers: number;
      symmetry: boolean;
      /** The shared packing: bits per field. */
      bits: Uint8Array;
      /** The shared value tables of the fields not coded as themselves (layout.ts). */
      seeds: unknown[][];
      /** States found before the workers started (packed rows this worker owns), and which are frontier. */
      rows: Int32Array;
      frontier: Uint8Array;
    }
  /** Expand the frontier; successors owned elsewhere come back per owner. */
  | { kind: 'expand' }
  /** Store what the others forwarded, then make this level's new states the frontier. */
  | { kind: 'absorb'; rows: Int32Array };

export interface Figures {
  states: number;
  /** States of the level to expand next. */
  frontier: number;
  transitions: number;
  violated: string[];
  witnessed: string[];
  storeBytes: number;
  /** The sum of the orbit sizes of the stored states (with symmetry), else 0. */
  orbitStates: number;
}

export type WorkerReply =
  | { kind: 'loaded' }
  | ({ kind: 'ready' } & Figures)
  | ({ kind: 'expanded'; rows: Int32Array[] } & Figures)
  | ({ kind: 'absorbed' } & Figures)
  /** The shared packing is too narrow for these fields: the search restarts wider. */
  | { kind: 'narrow'; fields: number[] }
  /** A value not in the shared tables: the search restarts with it. */
  | { kind: 'unseen'; table: number; value: unknown }
  | { kind: 'error'; error: string };

export async function loadModel(source: ModelSource): Promise<ExplorerModel<unknown>> {
  const module = (await import(source.module)) as Record<string, unknown>;
  const factory = module[source.exportName];
  if (typeof factory !== 'function') {
    throw new Error(`${source.module} has no exported function ${source.exportName}`);
  }
  return (factory as (...args: unknown[]) => ExplorerModel<unknown>)(...(source.args ?? []));
}

/**
 * The worker that owns a state: a hash of its packed canonical row (the packing is shared), modulo
 * the workers. Its mixing differs from the hash table's, so a worker's states spread over its table.
 */
export function ownerOf(row: Int32Array, at: number, words: number, workers: number): number {
  let h = 0x9e3779b9 | 0;
  for (let i = 0; i < words; i++) {
    h = Math.imul(h ^ row[at + i]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return ((h ^ (h >>> 15)) >>> 0) % workers;
}

/** The always / sometimes properties and the stable predicate of a model, registered on an engine. */
export function safetyChecks(model: ExplorerModel<unknown>, predicate: (name: string, fn: Pred) => number) {
  const properties = model.properties ?? [];
  const always = [...properties.filter((q) => q.kind === 'always'), ...(model.invariants ?? [])].map((p) => ({
    name: p.name,
    handle: predicate(`always '${p.name}'`, (p as { holds: Pred }).holds),
  }));
  const sometimes = properties
    .filter((p) => p.kind === 'sometimes')
    .map((p) => ({ name: p.name, handle: predicate(`sometimes '${p.name}'`, (p as { holds: Pred }).holds) }));
  const states = (model.machine.root as unknown as { states: Record<string, { type: string }> }).states;
  const isFinal = (s: ModelState<unknown>) =>
    typeof s.value === 'string' && states[s.value]?.type === 'final';
  return { always, sometimes, stable: predicate('stable', (model.stable ?? isFinal) as Pred) };
}
