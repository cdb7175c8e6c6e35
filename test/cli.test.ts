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
  it('runs a guest as a lockstep pair with --lockstep', async () => {
    const c = capture();
    expect(
      await main(['run', 'guests/crc.elf', '--lockstep', '--max-instructions', '200000', '--json'], c.io),
    ).toBe(0);
    const report = JSON.parse(c.out.join(''));
    expect(report.mode).toBe('lockstep');
    expect(report.instructions).toBe(200000);
    expect(report.divergences).toBe(0);
  });
  it('runs a guest under fault tolerance on the cluster with --ft', async () => {
    const c = capture();
    expect(await main(['run', 'guests/kvstore.elf', '--ft', '--duration', '300ms', '--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.join(''));
    expect(report.verdicts).toMatchObject({
      I0: 'hold',
      I1: 'hold',
      I2: 'hold',
      I3: 'hold',
      I4: 'hold',
      I5: 'hold',
      I6: 'hold',
    });
  });
  it('rejects cluster flags without --ft', async () => {
    const c = capture();
    expect(await main(['run', 'guests/crc.elf', '--hosts', '3'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('--hosts needs --ft');
  });
});
