// The gate's TTY progress: a bar over its stages whose detail is the running stage and its latest
// line; a stage that fails is still written out in full.
import { describe, expect, it } from 'vitest';
import { gateProgress } from '../src/cli/gate/gate-progress.ts';
import type { Progress } from '../src/cli/progress.ts';

function fakeBar() {
  const updates: [number, string | undefined][] = [];
  let finished = false;
  const progress: Progress = {
    update: (done, detail) => updates.push([done, detail]),
    finish: () => {
      finished = true;
    },
  };
  return { progress, updates, finished: () => finished };
}

describe('gate progress', () => {
  it('advances one step per stage and shows the stage’s latest line as its detail', () => {
    const bar = fakeBar();
    const written: string[] = [];
    const gate = gateProgress(['explore', 'fuzz', 'bugs'], bar.progress, (line) => written.push(line));
    gate.log('gate: explore');
    gate.log('gate: fuzz');
    gate.log('fuzz: 200 schedules, 2/12 seeds');
    gate.log(`fuzz: ${'x'.repeat(100)}`);
    gate.log('gate: bugs failed: Error: boom');
    gate.finish();
    expect(bar.updates.slice(0, 3)).toEqual([
      [0, 'explore'],
      [1, 'fuzz'],
      [1, 'fuzz: 200 schedules, 2/12 seeds'],
    ]);
    expect(bar.updates[3]![1]!.length).toBe(60);
    expect(bar.updates[3]![1]!.endsWith('…')).toBe(true);
    expect(written).toEqual(['gate: bugs failed: Error: boom']);
    expect(bar.updates.at(-1)).toEqual([3, 'done']);
    expect(bar.finished()).toBe(true);
  });
});
