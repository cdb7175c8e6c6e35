import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/cli/config.ts';

describe('configuration', () => {
  it('fills documented defaults', () => {
    const config = parseConfig({}, 'test');
    expect(config.hosts).toBe(3);
    expect(config.budget).toBeUndefined();
    expect(config.campaign).toEqual({});
    expect(config.bugs).toEqual([]);
  });
  it('names every bad field', () => {
    expect(() => parseConfig({ hosts: 9, budget: 'soon', extra: 1 }, 'cfg.json')).toThrow(
      /cfg\.json: invalid configuration[\s\S]*hosts:[\s\S]*budget: expected a duration/,
    );
    expect(() => parseConfig({ extra: 1 }, 'cfg.json')).toThrow(/extra/);
  });
  it('loads JSON and TypeScript files, and reports malformed JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-config-'));
    writeFileSync(join(dir, 'ftcheck.config.json'), JSON.stringify({ hosts: 2, seed: 9 }));
    expect((await loadConfig(dir)).hosts).toBe(2);
    const tsPath = join(dir, 'other.config.ts');
    writeFileSync(tsPath, 'export default { hosts: 4, guests: ["ledger"] };\n');
    expect((await loadConfig(dir, tsPath)).guests).toEqual(['ledger']);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    await expect(loadConfig(dir, join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
  });
});
