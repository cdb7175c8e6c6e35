import { describe, expect, it } from 'vitest';
import { Host } from '../src/cluster/host.ts';
import { Network } from '../src/cluster/network.ts';
import { SharedStorage } from '../src/cluster/shared-storage.ts';
import { StoragePath, type StorageReply } from '../src/cluster/storage-path.ts';
import { Simulator } from '../src/sim/simulator.ts';

const sector = (fill: number) => new Uint8Array(512).fill(fill);

describe('SharedStorage', () => {
  it('test-and-set grants the known generation once; the loser learns the winner', () => {
    const storage = new SharedStorage();
    expect(storage.createVm('vm1', 'h1')).toBe(1);
    expect(storage.testAndSet('vm1', 'h2', 1)).toEqual({ granted: true, generation: 2 });
    expect(storage.testAndSet('vm1', 'h1', 1)).toEqual({ granted: false, generation: 2, owner: 'h2' });
    // A retry by the winner after a lost reply is granted again, nobody else is.
    expect(storage.testAndSet('vm1', 'h2', 1)).toEqual({ granted: true, generation: 2 });
    expect(storage.testAndSet('vm1', 'h3', 1).granted).toBe(false);
  });
  it('fences a stale generation forever', () => {
    const storage = new SharedStorage();
    storage.createVm('vm1', 'h1');
    expect(storage.write('vm1', 'h1', 1, 3, sector(7))).toEqual({ ok: true });
    storage.testAndSet('vm1', 'h2', 1);
    expect(storage.write('vm1', 'h1', 1, 3, sector(9))).toEqual({ ok: false, fenced: true, generation: 2 });
    expect(storage.write('vm1', 'h1', 2, 3, sector(9)).ok).toBe(false);
    expect(storage.read('vm1', 3, 1)).toEqual(sector(7));
    expect(storage.write('vm1', 'h2', 2, 3, sector(8)).ok).toBe(true);
    expect(storage.read('vm1', 2, 2)).toEqual(new Uint8Array([...sector(0), ...sector(8)]));
    expect(storage.fencedWrites).toBe(2);
  });
  it('loads a disk image', () => {
    const storage = new SharedStorage();
    const image = new Uint8Array(700).fill(5);
    storage.createVm('vm1', 'h1', image);
    expect(storage.read('vm1', 1, 1).slice(0, 188)).toEqual(new Uint8Array(188).fill(5));
    expect(storage.read('vm1', 1, 1)[188]).toBe(0);
  });
});

function setup() {
  const sim = new Simulator({ seed: 1 });
  const hosts = new Map(
    ['h1', 'h2'].map((name) => [name, new Host({ name, rack: 'r1', cpuCapacity: 2, instructionsPerUs: 10 })]),
  );
  const network = new Network(
    'storage',
    sim,
    { latencyUs: 100, jitterUs: 0, lossRate: 0, duplicateRate: 0, bandwidthBytesPerUs: 1000 },
    {
      up: (e) => hosts.get(e)?.canUse('storage') ?? true,
      incarnation: (e) => hosts.get(e)?.incarnation ?? 0,
    },
  );
  const storage = new SharedStorage();
  storage.createVm('vm1', 'h1');
  const path = new StoragePath(sim, storage, network, 5_000);
  const replies: string[] = [];
  const record = (reply: StorageReply) =>
    replies.push(reply.ok ? `${reply.value.op}@${sim.now}` : `${reply.reason}@${sim.now}`);
  return { sim, hosts, network, storage, path, replies, record };
}

describe('StoragePath', () => {
  it('runs the operation at the array and replies after a round trip', () => {
    const { sim, hosts, path, storage, replies, record } = setup();
    path.request(hosts.get('h2')!, { op: 'test-and-set', vm: 'vm1', knownGeneration: 1 }, record);
    // 100 us latency + 1 us to serialise the 64-byte request, each way.
    sim.run(101);
    expect(storage.lock('vm1')).toEqual({ generation: 2, owner: 'h2' });
    expect(replies).toEqual([]);
    sim.run(10_000);
    expect(replies).toEqual(['test-and-set@202']);
    expect(sim.trace.stored().filter((e) => e[1] === 'lock')[0]![3]).toMatchObject({
      granted: true,
      generation: 2,
    });
  });
  it('survives one HBA, not both', () => {
    const { sim, hosts, path, replies, record } = setup();
    const h1 = hosts.get('h1')!;
    h1.failHba(0);
    path.request(h1, { op: 'read', vm: 'vm1', sector: 0, count: 1 }, record);
    sim.run(10_000);
    h1.failHba(1);
    path.request(h1, { op: 'read', vm: 'vm1', sector: 0, count: 1 }, record);
    sim.run(20_000);
    expect(replies).toEqual(['read@202', 'unreachable@10000']);
  });
  it('times out when the storage network is partitioned, and nothing was executed', () => {
    const { sim, hosts, network, path, storage, replies, record } = setup();
    network.partition('h2');
    path.request(hosts.get('h2')!, { op: 'test-and-set', vm: 'vm1', knownGeneration: 1 }, record);
    sim.run(100_000);
    expect(replies).toEqual(['timeout@5000']);
    expect(storage.lock('vm1').generation).toBe(1);
  });
  it('a write whose reply is lost still took effect (the caller must treat timeout as unknown)', () => {
    const { sim, hosts, network, path, storage, replies, record } = setup();
    path.request(
      hosts.get('h1')!,
      { op: 'write', vm: 'vm1', generation: 1, sector: 0, data: sector(1) },
      record,
    );
    sim.at(150, () => network.partition('h1'));
    sim.run(100_000);
    expect(replies).toEqual(['timeout@5000']);
    expect(storage.read('vm1', 0, 1)).toEqual(sector(1));
  });
});
