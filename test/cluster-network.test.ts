import { describe, expect, it } from 'vitest';
import { Host } from '../src/cluster/host.ts';
import { type LinkParams, Network } from '../src/cluster/network.ts';
import type { NetworkKind } from '../src/sim/fault-schedule.ts';
import { Simulator } from '../src/sim/simulator.ts';

const PARAMS: LinkParams = {
  latencyUs: 100,
  jitterUs: 0,
  lossRate: 0,
  duplicateRate: 0,
  bandwidthBytesPerUs: 10,
};

function setup(kind: NetworkKind, params: Partial<LinkParams> = {}, seed = 1) {
  const sim = new Simulator({ seed });
  const hosts = new Map(
    ['h1', 'h2', 'h3'].map((name) => [
      name,
      new Host({ name, rack: 'r1', cpuCapacity: 2, instructionsPerUs: 10 }),
    ]),
  );
  const network = new Network(
    kind,
    sim,
    { ...PARAMS, ...params },
    {
      up: (e) => hosts.get(e)?.canUse(kind) ?? true,
      incarnation: (e) => hosts.get(e)?.incarnation ?? 0,
    },
  );
  const arrivals: string[] = [];
  const send = (source: string, target: string, label: string, bytes = 0) =>
    network.send({ source, target }, bytes, label, () => arrivals.push(`${label}@${sim.now}`));
  return { sim, hosts, network, arrivals, send };
}

describe('Network', () => {
  it('delivers after latency plus serialisation time', () => {
    const { sim, arrivals, send } = setup('heartbeat');
    send('h1', 'h2', 'a', 1000);
    sim.run(10_000);
    expect(arrivals).toEqual(['a@200']);
  });
  it('drops across a partition, also for messages in flight, until healed', () => {
    const { sim, network, arrivals, send } = setup('logging');
    send('h1', 'h2', 'inflight');
    sim.at(50, () => network.partition('h1', 'h2'));
    sim.at(60, () => send('h1', 'h2', 'cut'));
    sim.at(70, () => send('h1', 'h3', 'other-pair'));
    sim.at(80, () => network.heal('h1', 'h2'));
    sim.at(90, () => send('h2', 'h1', 'healed'));
    sim.run(10_000);
    expect(arrivals).toEqual(['other-pair@170', 'healed@190']);
    const drops = sim.trace.stored().filter((e) => e[1] === 'drop');
    expect(drops.map((e) => e[3].why)).toEqual(['partition', 'partition']);
  });
  it('isolates a host from every peer and heals everything at once', () => {
    const { sim, network, arrivals, send } = setup('heartbeat');
    network.partition('h1');
    send('h2', 'h1', 'in');
    send('h1', 'h3', 'out');
    send('h2', 'h3', 'unrelated');
    sim.run(1000);
    network.heal();
    send('h2', 'h1', 'after');
    sim.run(2000);
    expect(arrivals).toEqual(['unrelated@100', 'after@1100']);
  });
  it('drops to and from a crashed host and to a rebooted incarnation', () => {
    const { sim, hosts, arrivals, send } = setup('heartbeat');
    send('h1', 'h2', 'before-crash');
    sim.at(50, () => hosts.get('h2')!.crash());
    sim.at(60, () => send('h1', 'h2', 'while-down'));
    sim.at(70, () => hosts.get('h2')!.repair());
    sim.run(10_000);
    expect(arrivals).toEqual([]);
    send('h1', 'h2', 'later');
    sim.run(20_000);
    expect(arrivals).toEqual(['later@10100']);
  });
  it('uses NIC state: the logging network needs the logging NIC, the client network one teamed NIC', () => {
    const logging = setup('logging');
    logging.hosts.get('h1')!.failLoggingNic();
    expect(logging.send('h1', 'h2', 'x')).toBe(false);
    const client = setup('client');
    client.hosts.get('h1')!.failClientNic(0);
    expect(client.send('h1', 'h2', 'x')).toBe(true);
    client.hosts.get('h1')!.failClientNic(1);
    expect(client.send('h1', 'h2', 'y')).toBe(false);
  });
  it('keeps reliable links FIFO under jitter and turns loss into retransmission delay', () => {
    const { sim, arrivals, send } = setup('logging', { jitterUs: 500, lossRate: 0.5 }, 3);
    for (let i = 0; i < 50; i++) sim.at(i, () => send('h1', 'h2', `m${i}`));
    sim.run(1_000_000);
    const order = arrivals.map((a) => Number(a.slice(1, a.indexOf('@'))));
    expect(order).toEqual(order.slice().sort((a, b) => a - b));
    expect(order.length).toBeGreaterThan(45);
  });
  it('loses, duplicates and delays datagrams by predicate, reproducibly for a seed', () => {
    const run = (seed: number) => {
      const { sim, network, arrivals, send } = setup('client', { jitterUs: 50 }, seed);
      network.impair({ lossRate: 0.3, duplicateRate: 0.2 });
      network.impair({ extraDelayUs: 1000 }, 'h3');
      for (let i = 0; i < 200; i++) send('h1', i % 2 === 0 ? 'h2' : 'h3', `m${i}`);
      sim.run(1_000_000);
      return { arrivals, digest: sim.trace.digest };
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6).digest).not.toBe(a.digest);
    const delivered = new Set(a.arrivals.map((x) => x.split('@')[0]));
    expect(delivered.size).toBeGreaterThan(100);
    expect(delivered.size).toBeLessThan(180);
    expect(a.arrivals.length).toBeGreaterThan(delivered.size);
    const slow = a.arrivals.filter((x) => Number(x.slice(1, x.indexOf('@'))) % 2 === 1);
    for (const x of slow) expect(Number(x.split('@')[1])).toBeGreaterThanOrEqual(1100);
  });
});
