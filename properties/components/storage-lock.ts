// The shared storage array's lock and write fence (src/cluster/shared-storage.ts), against its
// contract: a test-and-set is granted to a claimant that names the current generation (which it
// then owns, one higher) and, again, to the owner that retries after a lost reply; a write lands
// only when it carries the current generation from its owner, and a read sees exactly the writes
// that landed. Claims and writes come from any host with any generation, stale and future ones
// included — the fence is a second line of defence, so in cluster runs a stale writer reaches it
// only when something else already went wrong, and a weakened fence passes until then.
import fc from 'fast-check';
import { SharedStorage } from '../../src/cluster/shared-storage.ts';
import { DISK_SECTOR_BYTES } from '../../src/vm/api.ts';
import type { ComponentCheck } from './component-check.ts';

type LockOp =
  | { op: 'claim'; host: number; known: number }
  | { op: 'write'; host: number; generation: number; sector: number; fill: number }
  | { op: 'read'; sector: number };

const HOSTS = 4;
const SECTORS = 4;
/** Generations are drawn relative to the current one (−2 … +1), or 0 ("never learnt one"). */
const opArb: fc.Arbitrary<LockOp> = fc.oneof(
  fc.record({
    op: fc.constant('claim' as const),
    host: fc.integer({ min: 1, max: HOSTS }),
    known: fc.integer({ min: -3, max: 1 }),
  }),
  fc.record({
    op: fc.constant('write' as const),
    host: fc.integer({ min: 1, max: HOSTS }),
    generation: fc.integer({ min: -2, max: 1 }),
    sector: fc.integer({ min: 0, max: SECTORS - 1 }),
    fill: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ op: fc.constant('read' as const), sector: fc.integer({ min: 0, max: SECTORS - 1 }) }),
);

/** A generation drawn relative to the current one: −3 stands for 0, the others for current + n. */
const absolute = (relative: number, current: number) =>
  relative === -3 ? 0 : Math.max(0, current + relative);

function run(ops: readonly LockOp[]): void {
  const storage = new SharedStorage();
  storage.createVm('vm1', 'h1');
  // The contract, kept apart: the current generation and its owner, and what each sector holds.
  let generation = 1;
  let owner = 'h1';
  const sectors = new Array<number>(SECTORS).fill(0);
  for (const [i, step] of ops.entries()) {
    const where = `operation #${i}`;
    if (step.op === 'claim') {
      const host = `h${step.host}`;
      const known = absolute(step.known, generation);
      const result = storage.testAndSet('vm1', host, known);
      const held = `generation ${generation} held by ${owner}`;
      const wins = known >= 1 && known === generation;
      const retries = known >= 1 && known === generation - 1 && owner === host;
      if (wins) {
        generation++;
        owner = host;
      }
      if (result.granted !== (wins || retries) || result.generation !== generation) {
        throw new Error(
          `${where}: a test-and-set by ${host} knowing generation ${known} was ${result.granted ? 'granted' : 'denied'} generation ${result.generation}; the lock was at ${held}, so it must be ${wins || retries ? 'granted' : 'denied'} with generation ${generation}`,
        );
      }
    } else if (step.op === 'write') {
      const host = `h${step.host}`;
      const at = absolute(step.generation, generation);
      const result = storage.write(
        'vm1',
        host,
        at,
        step.sector,
        new Uint8Array(DISK_SECTOR_BYTES).fill(step.fill),
      );
      const lands = at === generation && host === owner;
      if (lands) sectors[step.sector] = step.fill;
      if (result.ok !== lands) {
        throw new Error(
          `${where}: a write by ${host} at generation ${at} was ${result.ok ? 'accepted' : 'fenced'}; the lock is at generation ${generation} held by ${owner}, so it must be ${lands ? 'accepted' : 'fenced'}`,
        );
      }
    } else {
      const data = storage.read('vm1', step.sector, 1);
      const expected = sectors[step.sector]!;
      const wrong = data.findIndex((byte) => byte !== expected);
      if (wrong >= 0) {
        throw new Error(
          `${where}: sector ${step.sector} reads ${data[wrong]} at byte ${wrong}; the last write that landed there wrote ${expected}`,
        );
      }
    }
  }
}

export const storageLockCheck: ComponentCheck = {
  name: 'storage-lock',
  component: 'src/cluster/shared-storage.ts (SharedStorage)',
  invariant: 'I3',
  claim:
    'a test-and-set is granted exactly to a claimant naming the current generation and to its owner retrying, and a write lands exactly when it carries the current generation from its owner',
  property: () => fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => run(ops)),
};
