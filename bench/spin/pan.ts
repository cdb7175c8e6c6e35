// SPIN on the toy model's Promela port (model.pml beside this file): generate pan.c for the
// given bounds, compile it as the team's yardstick does (gcc -O2 -DSAFETY -DNOREDUCE: no partial
// order reduction, so the state space is the xstate model's), run it with lean settings (a small
// DFS stack, a hash table sized for the bound) and read states, rate and memory from its report.
// When spin or gcc is missing the result says so; nothing is estimated in its place.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODEL = join(dirname(fileURLToPath(import.meta.url)), 'model.pml');

export type PanResult =
  | {
      available: true;
      states: number;
      transitions: number;
      /** pan's own search time (excludes generating and compiling pan.c). */
      seconds: number;
      statesPerSecond: number;
      /** "actual memory usage for states" ÷ states stored. */
      bytesPerState: number;
      /** "total actual memory usage" (states, hash table, DFS stack) ÷ states stored. */
      totalBytesPerState: number;
      stateVectorBytes: number;
    }
  | { available: false; reason: string };

/** Why SPIN cannot run here, or null. */
export function spinMissing(): string | null {
  for (const tool of ['spin', 'gcc']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install -y spin gcc); no SPIN figures in this run`;
    }
  }
  return null;
}

const number = (text: string, pattern: RegExp): number => {
  const match = pattern.exec(text);
  if (!match) throw new Error(`pan's report has no ${pattern}:\n${text}`);
  return Number(match[1]);
};

/** Builds and runs pan for bounds L/O/E; `hashBits` is pan's -w (2^w slots). */
export function runPan(bounds: [number, number, number], hashBits: number): PanResult {
  const missing = spinMissing();
  if (missing) return { available: false, reason: missing };
  const dir = mkdtempSync(join(tmpdir(), 'ftcheck-spin-'));
  try {
    const [l, o, e] = bounds;
    const defines = [`-DMAXLOG=${l}`, `-DMAXOUT=${o}`, `-DMAXEPOCH=${e}`, '-DBUG=0'];
    execFileSync('spin', [...defines, '-a', MODEL], { cwd: dir, stdio: 'ignore' });
    execFileSync('gcc', ['-O2', '-DSAFETY', '-DNOREDUCE', '-o', 'pan', 'pan.c'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const out = execFileSync('./pan', ['-m100000', `-w${hashBits}`], { cwd: dir, encoding: 'utf8' });
    if (!/errors: 0/.test(out)) throw new Error(`SPIN found an error in the correct toy model:\n${out}`);
    const states = number(out, /(\d+) states, stored/);
    const seconds = number(out, /pan: elapsed time ([\d.e+-]+) seconds/);
    const megabytes = (label: string) => number(out, new RegExp(`([\\d.]+)\\s+${label}`)) * 2 ** 20;
    return {
      available: true,
      states,
      transitions: number(out, /(\d+) transitions \(= stored\+matched\)/),
      seconds,
      statesPerSecond: Math.round(states / Math.max(seconds, 1e-3)),
      bytesPerState: Number((megabytes('actual memory usage for states') / states).toFixed(1)),
      totalBytesPerState: Number((megabytes('total actual memory usage') / states).toFixed(1)),
      stateVectorBytes: number(out, /State-vector (\d+) byte/),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
