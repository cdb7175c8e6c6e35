// The compiled engine: states bit-packed (packer.ts) in an open-addressing table (rowTable.ts).
// A state's successors come from the compiled step run straight on the packed words
// (`stepPacked`: one combined trie per configuration and event walked through field descriptors,
// then a few masked writes; only the events a configuration can take are stepped, and of a long
// event list not those that a few key fields show disabled: EventFilter), so the hot
// loop never unpacks a row; where it cannot tell (a trie path not learnt yet, a code that outgrew its bits)
// the interpreted step runs on the unpacked row, extends the tries, and widens the packing when
// needed. Symmetry works on unpacked rows (symmetry.ts). The model's event list, properties and
// `stable` are tabulated like guards.
import type { EventObject, StateValue } from 'xstate';
import { assert } from '../../base/assert.ts';
import { type CompiledMachine, compileMachine, PACKED_MISS, type Plan } from './compile.ts';
import type { Engine, Visit } from './engine.ts';
import { UnsupportedMachineError } from './errors.ts';
import { Packer, readPacked } from './packer.ts';
import { RowTable } from './rowTable.ts';
import { RowSymmetry } from './symmetry.ts';
import { NODE_HEADER } from './tabulate.ts';
import type { ExplorerModel, ModelState } from './types.ts';

/** Where successors go in a parallel search: states are owned by one worker each. */
export interface Router {
  /** Whether this worker owns the state (a packed canonical row at `row[at ..]`). */
  owns(row: Int32Array, at: number): boolean;
  /** A successor another worker owns. */
  forward(row: Int32Array, at: number): void;
}

export interface CompiledEngineOptions {
  /** Apply the model's symmetry (default true). */
  symmetry?: boolean;
  /** Integers and booleans as their own codes, the same in every worker (parallel search). */
  identityCodes?: boolean;
  /** A parallel worker's value tables (see CompileOptions). */
  seeds?: readonly (readonly unknown[])[];
  /** A parallel search's router: successors owned elsewhere are forwarded, not stored. */
  route?: Router;
  /** A parallel search's shared packing (bits per field); it never widens. */
  fixedBits?: Uint8Array;
  /** An already compiled machine (the same model), e.g. to share tries between phases. */
  compiled?: CompiledMachine;
}

const SMALL_CONFIG_IDS = 1 << 12;

/** A configuration's plans (by event id) and, per event list, its events that can select a transition. */
interface ConfigEntry {
  plans: (Plan | null | undefined)[];
  live: (Int32Array | undefined)[];
  /** Per event list: its filter by key fields (null: none), made once the list has been expanded a while. */
  filters: (EventFilter | null | undefined)[];
  /** Per event list: expansions so far (until its filter is made). */
  expanded: number[];
}

/**
 * Skips the live events that are disabled for sure, by a few key fields: the first field each
 * event's step trie reads. For each combination of their codes, the events whose step trie ends
 * in "no successor" reading key fields only are dropped (that holds for every state with those
 * codes); the rest are stepped as before. A conclusion drawn from a path not learnt yet is drawn
 * again once the tries have learnt more.
 */
interface EventFilter {
  /** The fields that may key it, most telling first. */
  order: Int32Array;
  /** The key fields in the packing in force (a prefix of `order`: their codes fit KEY_BITS_MAX bits). */
  fields: Int32Array;
  /** known[field] = 1 for the key fields. */
  known: Uint8Array;
  /** The packing the keys are made in (codes concatenated by their bits). */
  version: number;
  byKey: Map<number, { events: Int32Array; inserts: number }>;
}

/** Expansions of a configuration's event list before its filter is made (its step tries exist by then). */
const FILTER_AFTER = 64;
/** Live events a list needs for a filter to pay (its key and look-up cost about as much as a few steps). */
const FILTER_EVENTS_MIN = 16;
/** Bits of a filter's key (its fields' codes side by side): a double holds integers this wide exactly. */
const KEY_BITS_MAX = 52;
/** POW2[b] = 2^b, to put b-bit codes side by side in a key above 32 bits. */
const POW2 = Float64Array.from({ length: 32 }, (_, b) => 2 ** b);
/** Keys a filter remembers before it starts over. */
const FILTER_KEYS_MAX = 1 << 14;

export function compiledEngine<C>(model: ExplorerModel<C>, options: CompiledEngineOptions = {}) {
  if (typeof model.symmetry === 'function' && options.symmetry !== false) {
    throw new UnsupportedMachineError(
      'symmetry is given as a function of the context; the compiled engine needs it as data (arrays / records / values / regions)',
    );
  }
  const spec = typeof model.symmetry === 'object' && options.symmetry !== false ? model.symmetry : undefined;
  const machine =
    options.compiled ??
    compileMachine(model.machine, model.input, spec, {
      identityCodes: options.identityCodes,
      seeds: options.seeds,
    });
  const route = options.route;
  const symmetry = spec ? new RowSymmetry(spec, machine) : null;
  const width = machine.width;
  const packer = new Packer(width, machine.domainSize, options.fixedBits);
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

  let layoutEpoch = 0;
  const srcPacked = new Int32Array(Math.max(1, width));
  const out = new Int32Array(Math.max(1, width));
  let srcUnpacked = false;
  let createdPacked = false;
  const wordBase = machine.wordBase;
  const multipliers = machine.chart.multipliers;
  /** Per configuration id: its plans and, per event list, the events that may select a transition. */
  const configs = new Map<number, ConfigEntry>();
  /** The same entries by id, for ids below SMALL_CONFIG_IDS (an array read, not a map lookup). */
  const smallConfigs = new Array<ConfigEntry | undefined>(SMALL_CONFIG_IDS).fill(undefined);
  const everyEvent: Int32Array[] = [];
  /** 0 .. n - 1: every event of a list (while some event's plan is still unknown). */
  const allOf = (n: number) => {
    let all = everyEvent[n];
    if (all === undefined) all = everyEvent[n] = Int32Array.from({ length: n }, (_, e) => e);
    return all;
  };
  /** The events of list `ids` whose plan selects something in this configuration, in list order. */
  const liveEvents = (entry: ConfigEntry, list: number, ids: Int32Array): Int32Array => {
    let live = entry.live[list];
    if (live !== undefined) return live;
    const plans = entry.plans;
    const kept: number[] = [];
    for (let e = 0; e < ids.length; e++) {
      const plan = plans[ids[e]!];
      if (plan === undefined) return allOf(ids.length); // not built yet: the step will build it
      if (plan !== null) kept.push(e);
    }
    live = entry.live[list] = Int32Array.from(kept);
    return live;
  };

  /**
   * The filter of an event list (null: nothing to key on). Its key fields, in priority order: the
   * fields the live events' step tries read first, then those they read second.
   */
  const makeFilter = (entry: ConfigEntry, live: Int32Array, ids: Int32Array): EventFilter | null => {
    const tries = machine.tries;
    const pool = tries.pool;
    const chosen = new Uint8Array(width);
    const fields: number[] = [];
    const choose = (node: number) => {
      if (node <= 0 || chosen[pool[node]!] === 1) return;
      chosen[pool[node]!] = 1;
      fields.push(pool[node]!);
    };
    const roots: number[] = [];
    for (let k = 0; k < live.length; k++) {
      const plan = entry.plans[ids[live[k]!]!];
      if (!plan || plan.stepTrie < 0) continue;
      const root = tries.roots[plan.stepTrie]!;
      if (root <= 0) continue;
      roots.push(root);
      choose(root);
    }
    for (const root of roots) {
      for (let c = 0; c < pool[root + 1]!; c++) choose(pool[root + NODE_HEADER + c]!);
    }
    if (fields.length === 0) return null;
    return {
      order: Int32Array.from(fields),
      fields: new Int32Array(0),
      known: new Uint8Array(width),
      version: -1,
      byKey: new Map(),
    };
  };
  /** The live events not ruled out by the filter's key fields for the state in `srcPacked`. */
  const candidates = (
    filter: EventFilter,
    plans: (Plan | null | undefined)[],
    live: Int32Array,
    ids: Int32Array,
    desc: Int32Array,
  ): Int32Array => {
    if (filter.version !== packer.version) keyFields(filter, desc);
    if (filter.fields.length === 0) return live;
    let key = 0;
    const fields = filter.fields;
    for (let i = 0; i < fields.length; i++) {
      const d = desc[fields[i]!]!;
      key = key * POW2[d & 31]! + readPacked(srcPacked, 0, d); // exact: the key fields fit 52 bits
    }
    const tries = machine.tries;
    const known = filter.byKey.get(key);
    if (known !== undefined && (known.inserts < 0 || known.inserts === tries.inserts)) return known.events;
    const kept: number[] = [];
    let final = true;
    for (let k = 0; k < live.length; k++) {
      const e = live[k]!;
      const plan = plans[ids[e]!];
      // A general selection has no step trie (always stepped); a chain's may not be learnt yet.
      const decided =
        plan === undefined || plan === null
          ? -1
          : plan.chain === null
            ? 1
            : plan.stepTrie < 0
              ? -1
              : tries.decidesZero(plan.stepTrie, srcPacked, 0, desc, filter.known);
      if (decided === 0) continue;
      if (decided < 0) final = false;
      kept.push(e);
    }
    if (filter.byKey.size >= FILTER_KEYS_MAX) filter.byKey.clear();
    const events = Int32Array.from(kept);
    filter.byKey.set(key, { events, inserts: final ? -1 : tries.inserts });
    return events;
  };
  /** A filter's key fields in the packing in force: the longest prefix of its order that fits KEY_BITS_MAX. */
  const keyFields = (filter: EventFilter, desc: Int32Array) => {
    filter.version = packer.version;
    filter.byKey.clear();
    filter.known.fill(0);
    let bits = 0;
    let n = 0;
    while (n < filter.order.length && bits + (desc[filter.order[n]!]! & 31) <= KEY_BITS_MAX) {
      bits += desc[filter.order[n]!]! & 31;
      filter.known[filter.order[n]!] = 1;
      n++;
    }
    filter.fields = filter.order.slice(0, n);
    assert(bits <= KEY_BITS_MAX, 'a filter key is an exact integer');
  };
  /** The events to step in a state: the live ones, filtered once the list has its filter. */
  const eventsToStep = (
    entry: ConfigEntry,
    list: number,
    live: Int32Array,
    ids: Int32Array,
    desc: Int32Array,
  ) => {
    let filter = entry.filters[list];
    if (filter === undefined) {
      const seen = (entry.expanded[list] ?? 0) + 1;
      entry.expanded[list] = seen;
      if (seen < FILTER_AFTER) return live;
      filter = entry.filters[list] = live.length >= FILTER_EVENTS_MIN ? makeFilter(entry, live, ids) : null;
    }
    return filter === null ? live : candidates(filter, entry.plans, live, ids, desc);
  };

  const widen = () => {
    const oldDesc = packer.desc.slice();
    const oldBits = packer.bits.slice();
    packer.widen(machine.domainSize, machine.domainSaturated);
    if (packed.length < packer.words) packed = new Int32Array(packer.words);
    const desc = packer.desc;
    const words = packer.words;
    for (let f = 0; f < width; f++)
      assert(packer.bits[f]! >= oldBits[f]!, 'a widening never narrows a field');
    // Field by field from the old descriptors to the new ones (every code fits: no field narrowed).
    table.relayout(words, (from, fromOffset, to, toOffset) => {
      for (let w = 0; w < words; w++) to[toOffset + w] = 0;
      for (let f = 0; f < width; f++) {
        const code = readPacked(from, fromOffset, oldDesc[f]!);
        const d = desc[f]!;
        const at = toOffset + (d >>> 10);
        to[at] = to[at]! | (code << ((d >>> 5) & 31));
      }
    });
    layoutEpoch++;
  };
  const intern = (row: Int32Array): number => {
    if (!packer.pack(row, packed, 0)) {
      machine.layout.observe(row);
      widen();
      assert(packer.pack(row, packed, 0), 'a row fits the widened packing');
    }
    const index = table.intern(packed, 0);
    if (table.lastWasNew) {
      created = row;
      createdPacked = false;
      if (symmetry) orbits += symmetry.orbitSize(row);
    }
    return index;
  };
  const unpack = (index: number, row: Int32Array) => packer.unpack(table.rows, table.offsetOf(index), row);
  const toState = (row: Int32Array) => machine.decode(row) as ModelState<C>;
  const canonicalRow = (state: ModelState<C>) => {
    const row = machine.encode(state as { value: StateValue; context: unknown });
    symmetry?.canonicalize(row);
    return row;
  };
  const unpackSource = () => {
    if (!srcUnpacked) packer.unpack(srcPacked, 0, src);
    srcUnpacked = true;
  };
  const idsOf = (list: number) => {
    let ids = eventLists[list];
    if (ids === undefined)
      ids = eventLists[list] = Int32Array.from(events.values[list]!, (e) => machine.eventId(e));
    return ids;
  };
  /** The interpreted successor of one event (on the unpacked source). */
  const slowEvent = (e: number, action: number, visit: Visit): number => {
    unpackSource();
    const config = machine.configuration(src);
    if (!machine.stepIn(machine.plansOf(config), config, src, action, dst)) return 0;
    if (symmetry) symmetry.canonicalize(dst);
    if (route) {
      if (!packer.pack(dst, packed, 0)) {
        machine.layout.observe(dst);
        packer.widen(machine.domainSize); // throws: a shared packing does not widen
      }
      if (!route.owns(packed, 0)) {
        route.forward(packed, 0);
        return 1;
      }
    }
    const target = intern(dst);
    visit(e, action, target, table.lastWasNew);
    return 1;
  };
  /** A successor `stepPacked` wrote to `out`: canonicalise, intern, visit. */
  const fastSuccessor = (e: number, action: number, visit: Visit) => {
    if (symmetry) {
      packer.unpack(out, 0, dst);
      if (symmetry.canonicalize(dst)) assert(packer.pack(dst, out, 0), 'symmetry keeps the packing');
    }
    if (route && !route.owns(out, 0)) {
      route.forward(out, 0);
      return;
    }
    const target = table.intern(out, 0);
    const isNew = table.lastWasNew;
    if (isNew) {
      createdPacked = true;
      if (symmetry) orbits += symmetry.orbitSize(dst);
    }
    visit(e, action, target, isNew);
  };

  const engine: Engine<C> & {
    machine: CompiledMachine;
    packer: Packer;
    table: RowTable;
    bytesPerState(): number;
    /** The initial state's canonical row (unpacked). */
    initialRow(): Int32Array;
    /** Stores a packed canonical row (one another worker forwarded); its index. */
    absorb(row: Int32Array, at: number): number;
    /** The initial state's canonical row, packed. */
    packedInitialRow(): Int32Array;
    lastWasNew(): boolean;
  } = {
    kind: 'compiled',
    machine,
    packer,
    table,
    initialRow() {
      const row = machine.initialRow.slice();
      symmetry?.canonicalize(row);
      return row;
    },
    absorb(row, at) {
      const index = table.intern(row, at);
      if (table.lastWasNew) {
        for (let w = 0; w < packer.words; w++) out[w] = row[at + w]!;
        createdPacked = true;
        if (symmetry) {
          packer.unpack(out, 0, dst);
          orbits += symmetry.orbitSize(dst);
        }
      }
      return index;
    },
    packedInitialRow() {
      const row = machine.initialRow.slice();
      symmetry?.canonicalize(row);
      const words = new Int32Array(packer.words);
      if (!packer.pack(row, words, 0)) {
        machine.layout.observe(row);
        packer.widen(machine.domainSize, machine.domainSaturated);
      }
      return words;
    },
    lastWasNew: () => table.lastWasNew,
    predicate: (label, fn) => machine.predicate(label, fn as never),
    start(options = {}) {
      if (options.targets) table.index();
      const row = machine.initialRow.slice();
      symmetry?.canonicalize(row);
      intern(row);
    },
    count: () => table.count,
    expand(index: number, visit: Visit) {
      const offset = table.offsetOf(index);
      let words = packer.words;
      const rows = table.rows;
      for (let w = 0; w < words; w++) srcPacked[w] = rows[offset + w]!;
      srcUnpacked = false;
      let desc = packer.desc;
      let id = 0;
      for (let k = 0; k < multipliers.length; k++)
        id += readPacked(srcPacked, 0, desc[wordBase + k]!) * multipliers[k]!;
      let entry = id < SMALL_CONFIG_IDS ? smallConfigs[id] : configs.get(id);
      if (entry === undefined) {
        let config = machine.chart.configurationById(id);
        if (config === undefined) {
          unpackSource();
          config = machine.configuration(src);
        }
        entry = { plans: machine.plansOf(config), live: [], filters: [], expanded: [] };
        if (id < SMALL_CONFIG_IDS) smallConfigs[id] = entry;
        else configs.set(id, entry);
      }
      const plans = entry.plans;
      let list = machine.tries.lookupPacked(events.trie, srcPacked, 0, desc);
      if (list < 0) {
        unpackSource();
        list = events.lookup(src);
      }
      const ids = idsOf(list);
      const live = eventsToStep(entry, list, liveEvents(entry, list, ids), ids, desc);
      let epoch = layoutEpoch;
      let enabled = 0;
      for (let k = 0; k < live.length; k++) {
        const e = live[k]!;
        const action = ids[e]!;
        const status = machine.stepPacked(plans, srcPacked, words, action, out, 0, desc, packer.version);
        if (status === 0) continue;
        if (status === 1) {
          enabled++;
          fastSuccessor(e, action, visit);
          continue;
        }
        if (status !== PACKED_MISS) throw new Error(`unexpected step status ${status}`);
        enabled += slowEvent(e, action, visit);
        if (layoutEpoch !== epoch) {
          // The packing widened: repack the source for the events still to come.
          epoch = layoutEpoch;
          desc = packer.desc;
          words = packer.words;
          packer.pack(src, srcPacked, 0);
        }
      }
      return enabled;
    },
    holdsOnNew(p) {
      if (!createdPacked) return machine.holds(p, created);
      const known = machine.tries.lookupPacked(p, out, 0, packer.desc);
      if (known >= 0) return known === 1;
      packer.unpack(out, 0, tmp);
      return machine.holds(p, tmp);
    },
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
