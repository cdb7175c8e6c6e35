// Read-tracing views of a row. A guard, an action or a predicate is called on proxies that decode
// fields from the current row on demand and record which fields it read, in order: that read
// sequence is the path of the function's decision tree (tabulate.ts). Objects are handed out as
// proxies too, so passing a sub-object through unchanged (`{ ...c, hosts }`) reads nothing, and
// an action's result can name it as a copy. Writing through a view is refused: the functions a
// machine runs must be pure.
import { type AnyStateMachine, matchesState, type StateValue } from 'xstate';
import { ImpureFunctionError } from './errors.ts';
import { type ContextLayout, pathText, type ShapeNode } from './layout.ts';
import type { Statechart } from './statechart.ts';

export interface ProxyInfo {
  node: ShapeNode;
  path: readonly (string | number)[];
}

export class Tracer {
  row: Int32Array = new Int32Array(0);
  /** Field, code pairs in the order first read. */
  readonly reads: number[] = [];
  private readonly stamp: Int32Array;
  private epoch = 1;
  private label = '';
  private readonly info = new WeakMap<object, ProxyInfo>();
  readonly context: unknown;
  /** `{ value, context }` as the model's predicates see a state. */
  readonly state: { readonly value: StateValue; readonly context: unknown };
  /** A stand-in snapshot for xstate's built-in guards (stateIn, and/or/not). */
  readonly snapshot: object;

  constructor(
    readonly layout: ContextLayout,
    readonly chart: Statechart,
    machine: AnyStateMachine,
  ) {
    this.stamp = new Int32Array(layout.count + chart.wordCount);
    this.context = this.view(layout.shape, []);
    const tracer = this;
    this.state = {
      get value() {
        return tracer.readValue();
      },
      context: this.context,
    };
    this.snapshot = {
      machine,
      context: this.context,
      get value() {
        return tracer.readValue();
      },
      get _nodes() {
        return tracer.readConfiguration().nodes;
      },
      matches(value: StateValue) {
        return matchesState(value, tracer.readValue());
      },
    };
  }

  /** Starts a traced call on `row`; `label` names the function in errors. */
  begin(row: Int32Array, label: string): void {
    this.row = row;
    this.label = label;
    this.reads.length = 0;
    this.epoch++;
  }

  proxyInfo(value: unknown): ProxyInfo | undefined {
    return value !== null && typeof value === 'object' ? this.info.get(value) : undefined;
  }

  private read(field: number): number {
    const code = this.row[field]!;
    if (this.stamp[field] !== this.epoch) {
      this.stamp[field] = this.epoch;
      this.reads.push(field, code);
    }
    return code;
  }

  private readConfiguration() {
    const base = this.layout.count;
    for (let k = 0; k < this.chart.wordCount; k++) this.read(base + k);
    return this.chart.configurationAt(this.row, base);
  }

  private readValue(): StateValue {
    return this.readConfiguration().value;
  }

  private refuseWrite(path: readonly (string | number)[], key: string | symbol): never {
    const where = pathText([...path, typeof key === 'symbol' ? String(key) : key]);
    throw new ImpureFunctionError(`${this.label} writes context.${where}: guards and actions must be pure`);
  }

  private view(node: ShapeNode, path: readonly (string | number)[]): unknown {
    if (node.kind === 'leaf') throw new Error('a leaf has no view');
    const tracer = this;
    const isArray = node.kind === 'array';
    const keys = isArray ? node.children.map((_, i) => String(i)) : [...node.keys];
    const children = node.children.map((child, i) => {
      if (child.kind === 'leaf') return child.field;
      return this.view(child, [...path, isArray ? i : node.keys[i]!]);
    });
    const indexOf = (key: string | symbol): number => (typeof key === 'string' ? keys.indexOf(key) : -1);
    const get = (i: number) => {
      const c = children[i]!;
      return typeof c === 'number' ? tracer.layout.valueAt(c, tracer.read(c)) : c;
    };
    const target = isArray ? new Array(keys.length) : {};
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        const i = indexOf(key);
        if (i >= 0) return get(i);
        return Reflect.get(t, key, receiver);
      },
      has(t, key) {
        return indexOf(key) >= 0 || Reflect.has(t, key);
      },
      ownKeys() {
        return isArray ? [...keys, 'length'] : keys;
      },
      getOwnPropertyDescriptor(t, key) {
        const i = indexOf(key);
        if (i >= 0) return { value: get(i), writable: true, enumerable: true, configurable: true };
        return Reflect.getOwnPropertyDescriptor(t, key);
      },
      set(_t, key) {
        return tracer.refuseWrite(path, key);
      },
      defineProperty(_t, key) {
        return tracer.refuseWrite(path, key);
      },
      deleteProperty(_t, key) {
        return tracer.refuseWrite(path, key);
      },
    });
    this.info.set(proxy, { node, path });
    return proxy;
  }
}
