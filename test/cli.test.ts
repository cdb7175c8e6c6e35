import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('ftcheck CLI', () => {
  it('rejects an unknown option with exit code 2 and names it', async () => {
    const c = capture();
    expect(await main(['--no-such-flag'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('--no-such-flag');
  });
  it('prints help with exit code 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('Usage: ftcheck');
  });
});
