import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

async function runJson(args: string[]): Promise<Record<string, unknown>> {
  const c = capture();
  expect(await main(['run', 'guests/crc.elf', '--json', ...args], c.io)).toBe(0);
  expect(c.out.length).toBe(1);
  return JSON.parse(c.out[0]!) as Record<string, unknown>;
}

describe('ftcheck run --engine', () => {
  it('reports the compiled engine by default and the interpreter on request, with identical results', async () => {
    const compiled = await runJson(['--max-instructions', '2000000']);
    const interpreted = await runJson(['--max-instructions', '2000000', '--engine', 'interpreter']);
    expect(compiled.engine).toBe('compiled');
    expect(interpreted.engine).toBe('interpreter');
    for (const field of ['stop', 'instructions', 'exitCode', 'console', 'simulatedMicros']) {
      expect(compiled[field]).toEqual(interpreted[field]);
    }
    expect(compiled.instructions).toBe(2_000_000);
    expect(typeof compiled.mips).toBe('number');
  });

  it('rejects an unknown engine with a usage error naming the choices', async () => {
    const c = capture();
    expect(await main(['run', 'guests/crc.elf', '--engine', 'turbo'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/--engine must be one of interpreter, compiled \(got 'turbo'\)/);
  });
});
