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

  constructor(initial: unknown) {
    this.shape = this.build(initial, []);
  }

  /** Makes `fields` share the first one's value table; only before any value is interned. */
  share(fields: readonly number[]): void {
    const table = this.tableOf[fields[0]!]!;
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
    const table = this.tables[this.tableOf[field]!]!;
    const codes = table.codes;
    const known = codes.get(value);
    if (known !== undefined) return known;
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      throw new UnsupportedMachineError(
        `context.${this.fields[field]!.name} became ${describe(value)}; in the initial context it is a primitive`,
      );
    }
    const code = table.values.length;
    codes.set(value, code);
    table.values.push(value);
    return code;
  }

  /** How many distinct values a field has taken so far. */
  domainSize(field: number): number {
    return this.values[field]!.length;
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
    if (node.kind === 'leaf') return this.values[node.field]![row[offset + node.field]!];
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
