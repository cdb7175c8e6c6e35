// The layout of a machine's context as a row of int32 fields: the shape of the initial context
// (plain objects, fixed-length arrays, primitives at the leaves) fixes one field per leaf, and
// each field interns its values to small codes (first seen, first numbered; codes never change).
// Fields that symmetry swaps share one value table, so a code means the same value in both.
// A row is the unpacked form of a state: context fields, then the statechart's region words.
// Shapes the layout cannot hold are refused with an error naming the path.
import { assert } from '../../base/assert.ts';
import { UnsupportedMachineError } from './errors.ts';

export type ShapeNode =
  | { kind: 'leaf'; field: number }
  | { kind: 'object'; keys: readonly string[]; children: readonly ShapeNode[] }
  | { kind: 'array'; children: readonly ShapeNode[] };

export interface Field {
  /** Readable path, e.g. `hosts[2].up` or `applied.A`. */
  name: string;
  path: readonly (string | number)[];
}

const pathText = (path: readonly (string | number)[]) =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Identity coding holds integers below this as themselves (codes are packed in at most 31 bits). */
const IDENTITY_LIMIT = 1 << 24;

interface ValueTable {
  values: unknown[];
  codes: Map<unknown, number>;
}

export class ContextLayout {
  readonly fields: Field[] = [];
  readonly shape: ShapeNode;
  /** Per field: code → value (shared between fields that share a table). */
  readonly values: unknown[][] = [];
  private readonly tables: ValueTable[] = [];
  /** Per field: the index of its value table. */
  readonly tableOf: number[] = [];

  /**
   * Identity coding (a parallel search, where every worker must code alike): non-negative integers
   * and booleans are their own codes; other fields ('table') intern values, and a worker starts
   * from the coordinator's tables (`seed`) and refuses values not in them (UnseenValueError).
   */
  private readonly identity: boolean;
  private readonly maxCode: number[] = [];
  private readonly kinds: ('int' | 'bool' | 'table')[] = [];
  private frozen = false;

  constructor(initial: unknown, options: { identity?: boolean } = {}) {
    this.identity = options.identity ?? false;
    this.shape = this.build(initial, []);
    if (this.identity) this.checkIdentity(initial);
  }

  private checkIdentity(initial: unknown): void {
    for (let f = 0; f < this.fields.length; f++) {
      let value: unknown = initial;
      for (const key of this.fields[f]!.path) value = (value as Record<string | number, unknown>)[key];
      const int = Number.isInteger(value) && (value as number) >= 0 && (value as number) < IDENTITY_LIMIT;
      this.kinds.push(typeof value === 'boolean' ? 'bool' : int ? 'int' : 'table');
      this.maxCode.push(0);
    }
  }

  /** The value of a code in a field. */
  valueAt(field: number, code: number): unknown {
    const kind = this.kinds[field];
    if (kind === undefined || kind === 'table') return this.values[field]![code];
    return kind === 'bool' ? code === 1 : code;
  }

  /** Identity coding: makes the domain of each field cover the codes of a row from elsewhere. */
  observe(row: Int32Array): void {
    if (!this.identity) return;
    for (let f = 0; f < this.fields.length; f++) {
      const table = this.tableOf[f]!;
      if (this.kinds[f] !== 'table' && row[f]! > this.maxCode[table]!) this.maxCode[table] = row[f]!;
    }
  }

  /** The interned values of every table (identity coding: what workers start from). */
  tableSeeds(): unknown[][] {
    return this.tables.map((t) => [...t.values]);
  }

  /** Identity coding in a worker: starts from the coordinator's tables and accepts no new value. */
  seed(seeds: readonly (readonly unknown[])[]): void {
    assert(this.identity, 'only identity-coded layouts are seeded');
    assert(seeds.length === this.tables.length, 'one seed per value table');
    for (let t = 0; t < seeds.length; t++) {
      const table = this.tables[t]!;
      assert(table.values.length === 0, 'a table is seeded before any value is interned');
      for (const value of seeds[t]!) {
        table.codes.set(value, table.values.length);
        table.values.push(value);
      }
    }
    this.frozen = true;
  }

  /** Makes `fields` share the first one's value table; only before any value is interned. */
  share(fields: readonly number[]): void {
    const table = this.tableOf[fields[0]!]!;
    if (this.identity && fields.some((f) => this.kinds[f] !== this.kinds[fields[0]!])) {
      for (const f of fields) this.kinds[f] = 'table';
    }
    for (const f of fields) {
      assert(this.tables[this.tableOf[f]!]!.values.length === 0, 'tables are shared before interning');
      this.tableOf[f] = table;
      this.values[f] = this.tables[table]!.values;
    }
  }

  get count(): number {
    return this.fields.length;
  }

  private build(value: unknown, path: (string | number)[]): ShapeNode {
    if (Array.isArray(value)) {
      return { kind: 'array', children: value.map((v, i) => this.build(v, [...path, i])) };
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      return { kind: 'object', keys, children: keys.map((k) => this.build(value[k], [...path, k])) };
    }
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      const where = path.length ? `context.${pathText(path)}` : 'the context';
      throw new UnsupportedMachineError(
        `${where} is ${describe(value)}: the compiled engine holds plain objects, arrays and primitives`,
      );
    }
    const field = this.fields.length;
    this.fields.push({ name: pathText(path), path: [...path] });
    const table: ValueTable = { values: [], codes: new Map() };
    this.tables.push(table);
    this.tableOf.push(field);
    this.values.push(table.values);
    return { kind: 'leaf', field };
  }

  /** The code of a value in a field, interning it when new. */
  code(field: number, value: unknown): number {
    const kind = this.kinds[field];
    if (kind === 'int' || kind === 'bool') return this.identityCode(field, kind, value);
    const table = this.tables[this.tableOf[field]!]!;
    const codes = table.codes;
    const known = codes.get(value);
    if (known !== undefined) return known;
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      throw new UnsupportedMachineError(
        `context.${this.fields[field]!.name} became ${describe(value)}; in the initial context it is a primitive`,
      );
    }
    if (this.frozen) throw new UnseenValueError(this.tableOf[field]!, value);
    const code = table.values.length;
    codes.set(value, code);
    table.values.push(value);
    return code;
  }

  private identityCode(field: number, kind: 'int' | 'bool', value: unknown): number {
    let code: number;
    if (kind === 'bool' && typeof value === 'boolean') code = value ? 1 : 0;
    else if (
      kind === 'int' &&
      Number.isInteger(value) &&
      (value as number) >= 0 &&
      (value as number) < IDENTITY_LIMIT
    ) {
      code = value as number;
    } else {
      throw new UnsupportedMachineError(
        `context.${this.fields[field]!.name} became ${describe(value)}; it starts as a ${kind === 'int' ? 'non-negative integer' : 'boolean'}, and a parallel search (--workers) codes such a field as the value itself (below 2^24)`,
      );
    }
    const table = this.tableOf[field]!;
    if (code > this.maxCode[table]!) this.maxCode[table] = code;
    return code;
  }

  /** How many distinct values a field has taken so far (identity coding: the largest code + 1). */
  domainSize(field: number): number {
    const kind = this.kinds[field];
    if (kind === 'int' || kind === 'bool') return this.maxCode[this.tableOf[field]!]! + 1;
    return this.values[field]!.length;
  }

  /**
   * Whether a field has taken every value it plausibly can: both booleans. The packing gives such
   * a field no spare bit (a third value still fits after a widening, it just costs one).
   */
  saturated(field: number): boolean {
    if (this.domainSize(field) !== 2) return false;
    if (this.kinds[field] === 'bool') return true;
    const values = this.values[field]!;
    return typeof values[0] === 'boolean' && typeof values[1] === 'boolean';
  }

  /** Writes a context's codes into `row[0 .. count)`; a shape that differs from the layout is refused. */
  encode(context: unknown, row: Int32Array): void {
    this.encodeNode(this.shape, context, row, []);
  }

  private encodeNode(node: ShapeNode, value: unknown, row: Int32Array, path: (string | number)[]): void {
    if (node.kind === 'leaf') {
      row[node.field] = this.code(node.field, value);
      return;
    }
    this.checkShape(node, value, path);
    if (node.kind === 'array') {
      const array = value as unknown[];
      for (let i = 0; i < node.children.length; i++)
        this.encodeNode(node.children[i]!, array[i], row, [...path, i]);
      return;
    }
    const record = value as Record<string, unknown>;
    for (let i = 0; i < node.keys.length; i++) {
      this.encodeNode(node.children[i]!, record[node.keys[i]!], row, [...path, node.keys[i]!]);
    }
  }

  /** Throws, naming the path, when `value` does not have the shape of `node`. */
  checkShape(node: ShapeNode, value: unknown, path: readonly (string | number)[]): void {
    const where = path.length ? `context.${pathText(path)}` : 'the context';
    if (node.kind === 'array') {
      if (!Array.isArray(value) || value.length !== node.children.length) {
        throw new UnsupportedMachineError(
          `${where} became ${describe(value)}; the layout (from the initial context) has an array of length ${node.children.length}`,
        );
      }
      return;
    }
    if (node.kind === 'object') {
      const keys = isPlainObject(value) ? Object.keys(value) : null;
      if (keys === null || keys.length !== node.keys.length || !node.keys.every((k) => keys.includes(k))) {
        throw new UnsupportedMachineError(
          `${where} became ${describe(value)}${keys ? ` with keys ${keys.join(', ')}` : ''}; the layout (from the initial context) has keys ${node.keys.join(', ')}`,
        );
      }
    }
  }

  /** A plain context object from a row. */
  decode(row: Int32Array, offset = 0): unknown {
    return this.decodeNode(this.shape, row, offset);
  }

  private decodeNode(node: ShapeNode, row: Int32Array, offset: number): unknown {
    if (node.kind === 'leaf') return this.valueAt(node.field, row[offset + node.field]!);
    if (node.kind === 'array') return node.children.map((c) => this.decodeNode(c, row, offset));
    const out: Record<string, unknown> = {};
    for (let i = 0; i < node.keys.length; i++)
      out[node.keys[i]!] = this.decodeNode(node.children[i]!, row, offset);
    return out;
  }

  /** The shape node at a path, or undefined. */
  nodeAt(path: readonly (string | number)[]): ShapeNode | undefined {
    let node: ShapeNode | undefined = this.shape;
    for (const key of path) {
      if (node === undefined || node.kind === 'leaf') return undefined;
      if (node.kind === 'array') node = typeof key === 'number' ? node.children[key] : undefined;
      else {
        const i = node.keys.indexOf(String(key));
        node = i < 0 ? undefined : node.children[i];
      }
    }
    return node;
  }
}

/** The fields of a shape node, in row order. */
export function fieldsOf(node: ShapeNode, out: number[] = []): number[] {
  if (node.kind === 'leaf') out.push(node.field);
  else for (const child of node.children) fieldsOf(child, out);
  return out;
}

export { pathText };

/** A worker of a parallel search met a value its seeded table does not hold: the search restarts with it. */
export class UnseenValueError extends Error {
  override name = 'UnseenValueError';
  constructor(
    readonly table: number,
    readonly value: unknown,
  ) {
    super(`value ${describe(value)} is not in the shared table ${table}`);
  }
}
