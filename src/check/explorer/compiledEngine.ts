// The compiled engine: the machine's own guards and assigns run on plain contexts through the
// step table of compile.ts; states live as packed rows ([leaf, ...codec words]) in a RowTable.
import { createActor, type EventObject } from 'xstate';
import { type CandidateList, type CompiledMachine, compileMachine } from './compile.ts';
import type { Engine, Visit } from './engine.ts';
import { RowTable } from './rowTable.ts';
import type { ExplorerModel, ModelState, StateCodec } from './types.ts';

type Ctx = Record<string, unknown>;

export function initialContextOf(model: ExplorerModel<unknown>): Ctx {
  const actor = createActor(model.machine, { input: model.input });
  const scope = (actor as unknown as { _actorScope: unknown })._actorScope;
  return model.machine.getInitialSnapshot(scope as never, model.input).context as Ctx;
}

export function compiledEngine<C>(model: ExplorerModel<C>, compiled?: CompiledMachine): Engine<C> {
  const codec = model.codec as StateCodec<C> | undefined;
  if (!codec)
    throw new Error(`model ${model.name}: the compiled engine needs a codec (use the generic engine)`);
  const machine =
    compiled ?? compileMachine(model.machine, initialContextOf(model as ExplorerModel<unknown>));
  const width = codec.width + 1;
  const table = new RowTable(width);
  const scratch = new Int32Array(width);
  const out = { leaf: 0, context: {} as Ctx };
  const symmetry = model.symmetry;
  const canonicalizeRow = codec.canonicalize?.bind(codec);

  const pack = (leaf: number, context: C, target: Int32Array) => {
    target[0] = leaf;
    if (symmetry && !canonicalizeRow) context = symmetry(context);
    codec.encode(context, target, 1);
    if (symmetry && canonicalizeRow) canonicalizeRow(target, 1);
  };
  const stateAt = (index: number): ModelState<C> => {
    const leaf = table.rows[index * width]!;
    return { value: machine.leafValues[leaf]!, context: codec.decode(table.rows, index * width + 1) };
  };
  // Candidates per (leaf, event index), valid while the model returns the same events array.
  let cachedEvents: readonly EventObject[] | null = null;
  let cache: (CandidateList | null)[][] = [];
  const candidatesOf = (events: readonly EventObject[], leaf: number) => {
    if (events !== cachedEvents) {
      cachedEvents = events;
      cache = [];
    }
    let row = cache[leaf];
    if (row === undefined) row = cache[leaf] = events.map((e) => machine.candidatesFor(leaf, e.type));
    return row;
  };
  const keyOfRow = (row: Int32Array, offset: number) =>
    Array.from(row.subarray(offset, offset + width)).join(',');

  return {
    kind: 'compiled',
    start() {
      pack(machine.initialLeaf, machine.initialContext as C, scratch);
      table.intern(scratch, 0);
      return stateAt(0);
    },
    count: () => table.count,
    expand(index: number, visit: Visit<C>) {
      const leaf = table.rows[index * width]!;
      const context = codec.decode(table.rows, index * width + 1) as Ctx;
      const value = machine.leafValues[leaf]!;
      const events = model.events({ value, context: context as C });
      const candidates = candidatesOf(events, leaf);
      let enabled = 0;
      for (let e = 0; e < events.length; e++) {
        if (!machine.stepWith(candidates[e]!, leaf, context, events[e]!, out)) continue;
        enabled++;
        pack(out.leaf, out.context as C, scratch);
        const target = table.intern(scratch, 0);
        visit(
          e,
          target,
          table.lastWasNew ? { value: machine.leafValues[out.leaf]!, context: out.context as C } : null,
        );
      }
      return enabled;
    },
    state: stateAt,
    events: (s) => model.events(s),
    stepConcrete(s, e: EventObject) {
      const leaf = machine.leafOf(s.value);
      if (!machine.step(leaf, s.context as Ctx, e, out)) return null;
      return { value: machine.leafValues[out.leaf]!, context: out.context as C };
    },
    canonicalKey(s) {
      const row = new Int32Array(width);
      pack(machine.leafOf(s.value), s.context, row);
      return keyOfRow(row, 0);
    },
    keyOfIndex: (index) => keyOfRow(table.rows, index * width),
    storeBytes: () => table.byteLength(),
  };
}
