import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../src/sim/event-queue.ts';
import { Simulator } from '../src/sim/simulator.ts';

describe('EventQueue', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200, size: 'max' })], {
    seed: 1,
    numRuns: 200,
  })('pops in (time, scheduling order) order', (times) => {
    const queue = new EventQueue<number>();
    for (const [index, time] of times.entries()) queue.push(time, index);
    const popped: number[] = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) popped.push(item);
    const expected = times.map((time, index) => ({ time, index }));
    expected.sort((a, b) => a.time - b.time || a.index - b.index);
    expect(popped).toEqual(expected.map((e) => e.index));
  });
  it('rejects fractional or negative times', () => {
    const queue = new EventQueue<string>();
    expect(() => queue.push(1.5, 'x')).toThrow(/integer/);
    expect(() => queue.push(-1, 'x')).toThrow(/non-negative/);
  });
});

describe('Simulator', () => {
  it('fires events in time order, ties in scheduling order, and advances the clock', () => {
    const sim = new Simulator({ seed: 1 });
    const log: string[] = [];
    sim.at(20, () => log.push(`b@${sim.now}`));
    sim.at(10, () => {
      log.push(`a@${sim.now}`);
      sim.after(0, () => log.push(`a2@${sim.now}`));
      sim.after(10, () => log.push(`a3@${sim.now}`));
    });
    expect(sim.run(100)).toBe('idle');
    expect(log).toEqual(['a@10', 'a2@10', 'b@20', 'a3@20']);
    expect(sim.now).toBe(100);
  });
  it('stops at the horizon and resumes later; cancelled timers never fire', () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    const cancelled = sim.at(30, () => log.push(-1));
    for (const t of [10, 50, 90]) sim.at(t, () => log.push(t));
    sim.cancel(cancelled);
    expect(sim.run(60)).toBe('until');
    expect(log).toEqual([10, 50]);
    expect(sim.now).toBe(60);
    sim.run(100);
    expect(log).toEqual([10, 50, 90]);
    expect(sim.eventsFired).toBe(3);
  });
  it('refuses to schedule in the past and bounds the number of events', () => {
    const sim = new Simulator({ seed: 1, eventsMax: 5 });
    const tick = (): void => {
      sim.after(1, tick);
    };
    sim.at(0, tick);
    expect(sim.run(1000)).toBe('events-max');
    expect(sim.eventsFired).toBe(5);
    expect(() => sim.at(0, () => {})).toThrow(/past/);
  });
  it('gives each component its own stream, independent of creation order', () => {
    const a = new Simulator({ seed: 9 });
    const b = new Simulator({ seed: 9 });
    const fromA = a.prng('network:logging').nextU32();
    b.prng('something-else').nextU32();
    expect(b.prng('network:logging').nextU32()).toBe(fromA);
    expect(a.prng('network:logging')).toBe(a.prng('network:logging'));
  });
  it('stop() ends the run after the current event', () => {
    const sim = new Simulator({ seed: 1 });
    sim.at(5, () => sim.stop());
    sim.at(6, () => {});
    expect(sim.run(10)).toBe('stopped');
    expect(sim.now).toBe(5);
    expect(sim.pending).toBe(1);
  });
});
