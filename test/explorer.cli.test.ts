import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('ftcheck explore / bugs / diagram', () => {
  it('explore --json: exit 0 and the figures when every property holds', async () => {
    const c = capture();
    expect(await main(['explore', '--hosts', '2', '--json'], c.io)).toBe(0);
    const result = JSON.parse(c.out.join(''));
    expect(result).toMatchObject({ states: 46_901, transitions: 217_535, complete: true, violations: [] });
    for (const key of ['seconds', 'statesPerSecond', 'peakRssBytes']) expect(result[key]).toBeGreaterThan(0);
    // What was checked: engine and why, bounds, symmetry, every property with its kind.
    expect(result).toMatchObject({
      engine: 'compiled',
      engineReason: 'the machine compiles',
      bounds: { hosts: 2, entries: 2, crashes: 1, partitions: 1, storageLosses: 1 },
      symmetry: { applied: true, orbitStates: 93_707, reduction: 1.998 },
      fairness: { states: 70_725, complete: true },
    });
    const kinds = result.properties.map((p: { name: string; kind: string; status: string }) => [
      p.kind,
      p.name,
      p.status,
    ]);
    expect(kinds).toContainEqual(['always', 'singleActingPrimary', 'holds']);
    expect(kinds).toContainEqual(['reachable', 'protectionReachable', 'holds']);
    expect(kinds).toContainEqual(['eventually', 'protectionRestored', 'holds']);
    expect(kinds).toContainEqual(['eventually', 'requestsAnswered', 'holds']);
    expect(kinds).toContainEqual(['deadlock', 'deadlock', 'holds']);
  });

  it('explore --no-symmetry explores the full space and checks fairness in the same search', async () => {
    const c = capture();
    expect(await main(['explore', '--hosts', '2', '--no-symmetry', '--json'], c.io)).toBe(0);
    const result = JSON.parse(c.out.join(''));
    expect(result).toMatchObject({ states: 70_725, symmetry: { applied: false } });
    expect(result.fairness).toBeUndefined();
  });

  it('explore --bug with a starvation bug: exit 1 and a lasso (stem, then a cycle that repeats)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-explore-'));
    const c = capture();
    const args = ['explore', '--hosts', '2', '--bug', 'snapshot-outlasts-respawn-timeout', '--out', out];
    expect(await main(args, c.io)).toBe(1);
    const text = c.out.join('\n');
    expect(text).toContain('VIOLATION protectionRestored (I5) [eventually]');
    expect(text).toContain('6 steps, then steps 7-9 repeat forever (step 9 is the state of step 6 again)');
    expect(text).toMatch(/eventually\s+protectionRestored \(I5\)\s+violated/);
    expect(text).toMatch(/always\s+singleActingPrimary \(I3\)\s+holds/);
  });

  it('explore --bug: exit 1, a step table, and an ITF counterexample file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ftcheck-explore-'));
    const c = capture();
    expect(await main(['explore', '--hosts', '2', '--bug', 'output-before-ack', '--out', out], c.io)).toBe(1);
    const text = c.out.join('\n');
    expect(text).toContain('VIOLATION outputReproducible (I2)');
    expect(text).toContain('OUTPUT(host=1)');
    const itf = JSON.parse(
      readFileSync(join(out, 'explore-h2-output-before-ack-outputReproducible.itf.json'), 'utf8'),
    );
    expect(itf.states.length).toBe(6);
    expect(itf.states[5].released).toEqual({ '#bigint': '1' });
  });

  it('explore rejects bad input with exit 2 and names the flag', async () => {
    for (const [args, message] of [
      [['explore', '--hosts', '9'], /--hosts must be an integer in 2..6, got '9'/],
      [['explore', '--hosts', 'x'], /--hosts must be an integer in 2..6, got 'x'/],
      [['explore', '--bug', 'nope'], /unknown bug 'nope'/],
      [['explore', '--engine', 'fast'], /--engine must be/],
      [['explore', '--crashes', '8'], /--crashes must be an integer in 0\.\.7/],
      [['explore', '--entries', '0'], /--entries must be at least 1/],
    ] as const) {
      const c = capture();
      expect(await main([...args], c.io)).toBe(2);
      expect(c.err.join('')).toMatch(message);
    }
  });

  it('bugs --json lists the catalog', async () => {
    const c = capture();
    expect(await main(['bugs', '--json'], c.io)).toBe(0);
    const catalog = JSON.parse(c.out.join(''));
    expect(catalog.find((b: { name: string }) => b.name === 'respawn-on-primary-host')).toMatchObject({
      level: 'model',
      breaks: ['I5'],
    });
  });

  it('diagram --check passes on the committed diagrams and fails on an empty folder', async () => {
    const c = capture();
    expect(await main(['diagram', '--check'], c.io)).toBe(0);
    const empty = capture();
    expect(
      await main(['diagram', '--check', '--out', mkdtempSync(join(tmpdir(), 'ftcheck-diagram-'))], empty.io),
    ).toBe(1);
    expect(empty.out.join('\n')).toContain('stale:');
  });
});
