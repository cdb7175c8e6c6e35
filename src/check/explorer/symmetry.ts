// Symmetry over interchangeable identities (hosts), declared as data and applied to rows. An
// identity owns slices of the row: an element of a context array (`arrays: ['hosts']`), an entry of
// records keyed by identity (`records: ['applied']` for applied.A / applied.B), a parallel region
// (`regions: { A: 'hostA', B: 'hostB' }`, its region words); fields may hold an identity
// (`values: ['lock']`). The canonical representative of a state orders the identities by their
// key — which value fields point at them, then their slices — so two states that differ only by a
// renaming of identities get the same row. Ties are identical slices, so the order is unique.
import type { CompiledMachine } from './compile.ts';
import { UnsupportedMachineError } from './errors.ts';
import { type ContextLayout, fieldsOf } from './layout.ts';
import type { ChartNode, Statechart } from './statechart.ts';

/** Which parts of a state belong to which identity (see the file header). */
export interface SymmetrySpec {
  /** Context arrays whose i-th element belongs to identity i. */
  arrays?: readonly string[];
  /** Context records keyed by identity. */
  records?: readonly string[];
  /** Context fields whose value may be an identity. */
  values?: readonly string[];
  /** The parallel region (a child of the root) of each identity. */
  regions?: Readonly<Record<string, string>>;
  /** The identities, in order; default: the keys of `regions`, else array positions 0..n-1. */
  ids?: readonly (string | number)[];
}

const splitPath = (path: string) => path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));

/** The row fields each identity owns (aligned: the k-th of every identity correspond), and value fields. */
export function identitySlices(
  spec: SymmetrySpec,
  layout: ContextLayout,
  chart: Statechart,
  wordBase: number,
): { ids: readonly (string | number)[]; perId: number[][]; valueFields: number[] } {
  const ids = spec.ids ?? (spec.regions ? Object.keys(spec.regions) : arrayIds(spec, layout));
  if (ids.length < 2) throw new UnsupportedMachineError('symmetry needs at least two identities');
  const n = ids.length;
  const perId: number[][] = ids.map(() => []);
  for (const path of spec.arrays ?? []) {
    const node = layout.nodeAt(splitPath(path));
    if (node?.kind !== 'array' || node.children.length !== n) {
      throw new UnsupportedMachineError(
        `symmetry: context.${path} is not an array of ${n} elements (one per identity)`,
      );
    }
    node.children.forEach((child, i) => {
      perId[i]!.push(...fieldsOf(child));
    });
  }
  for (const path of spec.records ?? []) {
    const node = layout.nodeAt(splitPath(path));
    if (node?.kind !== 'object' || !ids.every((id) => node.keys.includes(String(id)))) {
      throw new UnsupportedMachineError(
        `symmetry: context.${path} is not a record keyed by ${ids.join(', ')}`,
      );
    }
    ids.forEach((id, i) => {
      perId[i]!.push(...fieldsOf(node.children[node.keys.indexOf(String(id))]!));
    });
  }
  if (spec.regions) {
    ids.forEach((id, i) => {
      const name = spec.regions![String(id)];
      const region = name === undefined ? undefined : chart.root.states[name];
      if (!region || chart.root.type !== 'parallel') {
        throw new UnsupportedMachineError(
          `symmetry: '${name}' is not a parallel region of the machine (for identity ${id})`,
        );
      }
      perId[i]!.push(...regionWords(region, chart, wordBase));
    });
  }
  const span = perId[0]!.length;
  if (span === 0 || !perId.every((p) => p.length === span)) {
    throw new UnsupportedMachineError('symmetry: the identities do not own slices of the same shape');
  }
  const owned = new Set(perId.flat());
  const valueFields = (spec.values ?? []).map((path) => {
    const node = layout.nodeAt(splitPath(path));
    if (node?.kind !== 'leaf') throw new UnsupportedMachineError(`symmetry: context.${path} is not a field`);
    if (owned.has(node.field)) {
      throw new UnsupportedMachineError(`symmetry: context.${path} lies inside an identity's slice`);
    }
    return node.field;
  });
  return { ids, perId, valueFields };
}

function arrayIds(spec: SymmetrySpec, layout: ContextLayout): number[] {
  const first = spec.arrays?.[0];
  const node = first === undefined ? undefined : layout.nodeAt(splitPath(first));
  if (node?.kind !== 'array')
    throw new UnsupportedMachineError('symmetry: name the identities (ids, regions or an array)');
  return node.children.map((_, i) => i);
}

function regionWords(region: ChartNode, chart: Statechart, wordBase: number): number[] {
  const words: number[] = [];
  const visit = (node: ChartNode) => {
    const w = chart.wordOf.get(node);
    if (w !== undefined) words.push(wordBase + w);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(region);
  return words;
}

export class RowSymmetry {
  readonly ids: readonly (string | number)[];
  /** positions[i * span + k]: the k-th row field owned by identity i. */
  private readonly positions: Int32Array;
  private readonly span: number;
  private readonly valueFields: Int32Array;
  /** idCodes[v * n + i]: the code of identity i in value field v. */
  private readonly idCodes: Int32Array;
  private readonly order: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly scratch: Int32Array;
  private readonly factorials: number[] = [1];

  constructor(spec: SymmetrySpec, machine: CompiledMachine) {
    const { ids, perId, valueFields } = identitySlices(spec, machine.layout, machine.chart, machine.wordBase);
    const n = ids.length;
    this.ids = ids;
    this.span = perId[0]!.length;
    this.positions = Int32Array.from(perId.flat());
    for (let k = 0; k < this.span; k++) {
      const table = machine.layout.tableOf[perId[0]![k]!];
      if (perId.some((p) => p[k]! < machine.wordBase && machine.layout.tableOf[p[k]!] !== table)) {
        throw new UnsupportedMachineError(
          'symmetry: the machine was compiled without this symmetry (value tables differ)',
        );
      }
    }
    this.valueFields = Int32Array.from(valueFields);
    this.idCodes = Int32Array.from(valueFields.flatMap((f) => ids.map((id) => machine.layout.code(f, id))));
    this.order = new Int32Array(n);
    this.slotOf = new Int32Array(n);
    this.scratch = new Int32Array(n * this.span);
    for (let i = 1; i <= n; i++) this.factorials.push(this.factorials[i - 1]! * i);
  }

  /** Compares identities i and j of `row` by their key (negative: i first). */
  private compare(row: Int32Array, i: number, j: number): number {
    const n = this.ids.length;
    for (let v = 0; v < this.valueFields.length; v++) {
      const value = row[this.valueFields[v]!]!;
      const a = value === this.idCodes[v * n + i] ? 0 : 1;
      const b = value === this.idCodes[v * n + j] ? 0 : 1;
      if (a !== b) return a - b;
    }
    const p = this.positions;
    const span = this.span;
    for (let k = 0; k < span; k++) {
      const d = row[p[i * span + k]!]! - row[p[j * span + k]!]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Rewrites `row` to its canonical representative; returns whether it changed. */
  canonicalize(row: Int32Array): boolean {
    const n = this.ids.length;
    const order = this.order;
    for (let i = 0; i < n; i++) order[i] = i;
    let moved = false;
    for (let i = 1; i < n; i++) {
      const id = order[i]!;
      let j = i - 1;
      while (j >= 0 && this.compare(row, order[j]!, id) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      if (j + 1 !== i) moved = true;
      order[j + 1] = id;
    }
    if (!moved) return false;
    const p = this.positions;
    const span = this.span;
    const scratch = this.scratch;
    for (let k = 0; k < n * span; k++) scratch[k] = row[p[k]!]!;
    for (let slot = 0; slot < n; slot++) {
      const from = order[slot]!;
      this.slotOf[from] = slot;
      for (let k = 0; k < span; k++) row[p[slot * span + k]!] = scratch[from * span + k]!;
    }
    for (let v = 0; v < this.valueFields.length; v++) {
      const f = this.valueFields[v]!;
      for (let i = 0; i < n; i++) {
        if (row[f] === this.idCodes[v * n + i]) {
          row[f] = this.idCodes[v * n + this.slotOf[i]!]!;
          break;
        }
      }
    }
    return true;
  }

  /** How many states the canonical `row` stands for: n! over the orders of identical identities. */
  orbitSize(row: Int32Array): number {
    const n = this.ids.length;
    let size = this.factorials[n]!;
    let run = 1;
    for (let i = 1; i < n; i++) {
      if (this.compare(row, i - 1, i) === 0) {
        run++;
        size /= run;
      } else run = 1;
    }
    return size;
  }
}
