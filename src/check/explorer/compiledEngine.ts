// The compiled engine: successors by the compiled step (compile.ts) on unpacked rows, symmetry
// on rows (symmetry.ts), states bit-packed (packer.ts) in an open-addressing table (rowTable.ts).
// The model's event list, properties and `stable` are tabulated like guards.
import type { EventObject, StateValue } from 'xstate';
import { type CompiledMachine, compileMachine } from './compile.ts';
import type { Engine, Visit } from './engine.ts';
import { UnsupportedMachineError } from './errors.ts';
import { Packer } from './packer.ts';
import { RowTable } from './rowTable.ts';
import { RowSymmetry } from './symmetry.ts';
import type { ExplorerModel, ModelState } from './types.ts';

export interface CompiledEngineOptions {
  /** Apply the model's symmetry (default true). */
  symmetry?: boolean;
  /** An already compiled machine (the same model), e.g. to share tries between phases. */
  compiled?: CompiledMachine;
}

export function compiledEngine<C>(model: ExplorerModel<C>, options: CompiledEngineOptions = {}) {
  if (typeof model.symmetry === 'function' && options.symmetry !== false) {
    throw new UnsupportedMachineError(
      'symmetry is given as a function of the context; the compiled engine needs it as data (arrays / records / values / regions)',
    );
  }
  const spec = typeof model.symmetry === 'object' && options.symmetry !== false ? model.symmetry : undefined;
  const machine = options.compiled ?? compileMachine(model.machine, model.input, spec);
  const symmetry = spec ? new RowSymmetry(spec, machine) : null;
  const width = machine.width;
  const packer = new Packer(width, machine.domainSize);
  const table = new RowTable(packer.words);
  const src = new Int32Array(width);
  const dst = new Int32Array(width);
  const tmp = new Int32Array(width);
  let packed = new Int32Array(Math.max(1, width));
  let created: Int32Array = dst;
  let orbits = 0;
  const eventLists: Int32Array[] = [];
  const events = machine.tabulated(
    "the model's events",
    (s) => model.events(s as ModelState<C>),
    (list) => JSON.stringify(list),
  );
  const eventIdsOf = (row: Int32Array) => {
    const id = events.lookup(row);
    let ids = eventLists[id];
    if (ids === undefined)
      ids = eventLists[id] = Int32Array.from(events.values[id]!, (e) => machine.eventId(e));
    return ids;
  };

  const widen = () => {
    const oldUnpack = packer.unpack;
    packer.widen(machine.domainSize);
    if (packed.length < packer.words) packed = new Int32Array(packer.words);
    const row = new Int32Array(width);
    table.relayout(packer.words, (from, fromOffset, to, toOffset) => {
      oldUnpack(from, fromOffset, row);
      packer.pack(row, to, toOffset);
    });
  };
  const intern = (row: Int32Array): number => {
    if (!packer.pack(row, packed, 0)) {
      widen();
      packer.pack(row, packed, 0);
    }
    const index = table.intern(packed, 0);
    if (table.lastWasNew) {
      created = row;
      if (symmetry) orbits += symmetry.orbitSize(row);
    }
    return index;
  };
  const unpack = (index: number, row: Int32Array) => packer.unpack(table.slots, table.offsetOf(index), row);
  const toState = (row: Int32Array) => machine.decode(row) as ModelState<C>;
  const canonicalRow = (state: ModelState<C>) => {
    const row = machine.encode(state as { value: StateValue; context: unknown });
    symmetry?.canonicalize(row);
    return row;
  };

  const engine: Engine<C> & { machine: CompiledMachine; bytesPerState(): number } = {
    kind: 'compiled',
    machine,
    predicate: (label, fn) => machine.predicate(label, fn as never),
    start() {
      const row = machine.initialRow.slice();
      symmetry?.canonicalize(row);
      intern(row);
    },
    count: () => table.count,
    expand(index: number, visit: Visit) {
      unpack(index, src);
      const config = machine.configuration(src);
      const plans = machine.plansOf(config);
      const ids = eventIdsOf(src);
      let enabled = 0;
      for (let e = 0; e < ids.length; e++) {
        const action = ids[e]!;
        if (!machine.stepIn(plans, config, src, action, dst)) continue;
        enabled++;
        if (symmetry) symmetry.canonicalize(dst);
        const target = intern(dst);
        visit(e, action, target, table.lastWasNew);
      }
      return enabled;
    },
    holdsOnNew: (p) => machine.holds(p, created),
    holds(p, index) {
      unpack(index, tmp);
      return machine.holds(p, tmp);
    },
    state(index) {
      const row = new Int32Array(width);
      unpack(index, row);
      return toState(row);
    },
    initial: () => toState(machine.initialRow),
    events: (s) => model.events(s),
    stepConcrete(s, e: EventObject) {
      const from = machine.encode(s as { value: StateValue; context: unknown });
      const to = new Int32Array(width);
      return machine.step(from, machine.eventId(e), to) ? toState(to) : null;
    },
    canonicalKey: (s) => canonicalRow(s).join(','),
    keyOfIndex(index) {
      unpack(index, tmp);
      return tmp.join(',');
    },
    action: (id) => machine.events[id]!,
    storeBytes: () => table.byteLength(),
    bytesPerState: () => table.bytesPerState(),
    orbitStates: () => (symmetry ? orbits : null),
  };
  return engine;
}
