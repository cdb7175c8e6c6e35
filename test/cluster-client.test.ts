import { describe, expect, it } from 'vitest';
import { Client, type ClientWorkload } from '../src/cluster/client.ts';
import { Simulator } from '../src/sim/simulator.ts';

/** Requests are one byte (their index); an answer is [index, 0xaa]. */
const workload = (count: number): ClientWorkload => ({
  requestCount: count,
  encode: (index) => new Uint8Array([index]),
  match: (response) =>
    response.length === 2 && response[1] === 0xaa && response[0]! < count ? response[0]! : null,
});

describe('Client', () => {
  it('sends on schedule, one at a time, and records every answer', () => {
    const sim = new Simulator({ seed: 1 });
    const sent: string[] = [];
    const client = new Client(
      'c1',
      'vm1',
      sim,
      workload(3),
      { startUs: 100, intervalUs: 1000, timeoutUs: 10_000, retriesMax: 2 },
      (c, bytes) => {
        sent.push(`${bytes[0]}@${sim.now}`);
        // The "server" answers after 1500 us: request 1 goes out late, after the answer to 0.
        sim.after(1500, () => c.receive(new Uint8Array([bytes[0]!, 0xaa])));
      },
    );
    client.start();
    sim.run(1_000_000);
    expect(sent).toEqual(['0@100', '1@1600', '2@3100']);
    expect(client.status).toEqual(['answered', 'answered', 'answered']);
    expect(client.received.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(client.done).toBe(true);
  });
  it('retransmits on timeout, counts duplicates, and gives up after retriesMax', () => {
    const sim = new Simulator({ seed: 1 });
    let transmissions = 0;
    const client = new Client(
      'c1',
      'vm1',
      sim,
      workload(2),
      { startUs: 0, intervalUs: 0, timeoutUs: 100, retriesMax: 2 },
      (c, bytes) => {
        transmissions++;
        if (bytes[0] === 0 && transmissions === 2) {
          // The first copy's answer arrives twice; a stray packet arrives too.
          sim.after(10, () => c.receive(new Uint8Array([0, 0xaa])));
          sim.after(20, () => c.receive(new Uint8Array([0, 0xaa])));
          sim.after(30, () => c.receive(new Uint8Array([9, 9, 9])));
        }
      },
    );
    client.start();
    sim.run(1_000_000);
    expect(client.status).toEqual(['answered', 'gave-up']);
    expect(client.received.map((r) => [r.index, r.duplicate])).toEqual([
      [0, false],
      [0, true],
      [null, false],
    ]);
    expect(transmissions).toBe(2 + 3);
    expect(client.retransmissions).toBe(1 + 2);
    expect(sim.trace.stored().some((e) => e[1] === 'client' && e[3].op === 'give-up')).toBe(true);
  });
});
