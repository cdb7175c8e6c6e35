// The simulated network's fault state (src/cluster/network.ts) against the fault schedule's
// rules: a cut of a pair or of every link of a host, a heal of a pair, of a host's links or of
// everything; delay, loss and duplication set on a pair, on a host's links or on the whole
// network, a later setting of the same scope replacing the earlier one, the strongest in force on
// a link winning, never below the network's base rates. Any sequence of cuts, heals, impairments
// and lifts, asked about every link after every step. A cluster run asks only about the links its
// traffic uses, at the moments it uses them, so a stale answer (a cache not refreshed, a scope
// looked up under the wrong key) shows only when a run happens to lean on it (fault hunt 13: a
// per-link cache never cleared was first caught at run 66).
import fc from 'fast-check';
import { type LinkParams, Network } from '../../src/cluster/network.ts';
import { STORAGE_ENDPOINT } from '../../src/cluster/storage-path.ts';
import { Simulator } from '../../src/sim/simulator.ts';
import type { ComponentCheck } from './component-check.ts';

const ENDPOINTS = ['h1', 'h2', 'h3', STORAGE_ENDPOINT];
const BASE: LinkParams = {
  latencyUs: 100,
  jitterUs: 0,
  lossRate: 0.05,
  duplicateRate: 0,
  bandwidthBytesPerUs: 125,
};

type Scope = { a?: string; b?: string };
type NetworkOp =
  | ({ op: 'partition' } & Required<Pick<Scope, 'a'>> & Pick<Scope, 'b'>)
  | ({ op: 'heal' } & Scope)
  | ({ op: 'impair'; delayUs?: number; lossRate?: number } & Scope);

const endpoint = fc.constantFrom(...ENDPOINTS);
/** A pair (two different endpoints), a host's links, or (where allowed) nothing: everything. */
const scope = (everything: boolean): fc.Arbitrary<Scope> =>
  fc.oneof(
    fc
      .tuple(endpoint, endpoint)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => ({ a, b })),
    endpoint.map((a) => ({ a })),
    ...(everything ? [fc.constant({})] : []),
  );

const opArb: fc.Arbitrary<NetworkOp> = fc.oneof(
  scope(false).map((s) => ({ op: 'partition' as const, a: s.a!, ...(s.b === undefined ? {} : { b: s.b }) })),
  scope(true).map((s) => ({ op: 'heal' as const, ...s })),
  fc
    .tuple(
      scope(true),
      fc.oneof(
        fc.integer({ min: 0, max: 3 }).map((n) => ({ delayUs: n * 50_000 })),
        fc.integer({ min: 0, max: 4 }).map((n) => ({ lossRate: n / 4 })),
      ),
    )
    .map(([s, change]) => ({ op: 'impair' as const, ...s, ...change })),
);

const key = (a?: string, b?: string) =>
  a === undefined ? '*' : b === undefined ? a : a < b ? `${a}|${b}` : `${b}|${a}`;

/** The rules, from scratch: what each link must show after the ops so far. */
class Reference {
  readonly cuts = new Set<string>();
  readonly delays = new Map<string, number>();
  readonly losses = new Map<string, number>();

  apply(step: NetworkOp): void {
    if (step.op === 'partition') this.cuts.add(key(step.a, step.b));
    else if (step.op === 'heal') {
      if (step.a === undefined) this.cuts.clear();
      else if (step.b !== undefined) this.cuts.delete(key(step.a, step.b));
      else for (const cut of [...this.cuts]) if (cut.split('|').includes(step.a)) this.cuts.delete(cut);
    } else {
      if (step.delayUs !== undefined) this.delays.set(key(step.a, step.b), step.delayUs);
      if (step.lossRate !== undefined) this.losses.set(key(step.a, step.b), step.lossRate);
    }
  }

  private scopes(source: string, target: string): string[] {
    return ['*', source, target, key(source, target)];
  }

  cut(source: string, target: string): boolean {
    return [source, target, key(source, target)].some((k) => this.cuts.has(k));
  }

  delay(source: string, target: string): number {
    return Math.max(0, ...this.scopes(source, target).map((k) => this.delays.get(k) ?? 0));
  }

  loss(source: string, target: string): number {
    return Math.max(BASE.lossRate, ...this.scopes(source, target).map((k) => this.losses.get(k) ?? 0));
  }
}

function describeOp(step: NetworkOp): string {
  const where =
    step.a === undefined ? 'everywhere' : step.b === undefined ? `on ${step.a}` : `${step.a}–${step.b}`;
  if (step.op !== 'impair') return `${step.op} ${where}`;
  return step.delayUs !== undefined ? `delay ${step.delayUs} µs ${where}` : `loss ${step.lossRate} ${where}`;
}

function run(ops: readonly NetworkOp[]): void {
  const sim = new Simulator({ seed: 1 });
  const network = new Network('heartbeat', sim, BASE, { up: () => true, incarnation: () => 0 });
  const reference = new Reference();
  for (const [i, step] of ops.entries()) {
    if (step.op === 'partition') network.partition(step.a, step.b);
    else if (step.op === 'heal') network.heal(step.a, step.b);
    else {
      network.impair(
        {
          ...(step.delayUs === undefined ? {} : { extraDelayUs: step.delayUs }),
          ...(step.lossRate === undefined ? {} : { lossRate: step.lossRate }),
        },
        step.a,
        step.b,
      );
    }
    reference.apply(step);
    for (const source of ENDPOINTS) {
      for (const target of ENDPOINTS) {
        if (source === target) continue;
        const link = { source, target };
        const shown = [network.isPartitioned(link), network.extraDelayOf(link), network.lossRateOf(link)];
        const owed = [
          reference.cut(source, target),
          reference.delay(source, target),
          reference.loss(source, target),
        ];
        if (shown.every((value, k) => value === owed[k])) continue;
        const after = ops
          .slice(0, i + 1)
          .map(describeOp)
          .join(', ');
        throw new Error(
          `after ${after}: the link ${source}→${target} shows cut ${shown[0]}, delay ${shown[1]} µs, loss ${shown[2]}; the schedule's rules give cut ${owed[0]}, delay ${owed[1]} µs, loss ${owed[2]}`,
        );
      }
    }
  }
}

export const networkCheck: ComponentCheck = {
  name: 'network',
  component: 'src/cluster/network.ts (Network)',
  invariant: 'I7',
  claim:
    "after any cuts, heals, impairments and lifts, every link is cut, delayed and lossy exactly as the fault schedule's rules say",
  property: () => fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => run(ops)),
};
