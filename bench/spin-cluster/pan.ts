// SPIN on the Promela port of ftcheck's cluster model (promela.ts beside this file): generate the
// model for the given bounds, build pan once (`spin -a`, gcc -DSAFETY -DNOREDUCE: no partial order
// reduction, so pan stores exactly the model's reachable states), then run it as often as wanted
// with lean settings (a small DFS stack, a hash table sized for the state count) and read states,
// rate and memory from its report.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert } from '../../src/base/assert.ts';
import { clusterPromela, type PromelaOptions } from './promela.ts';

/** pan's DFS stack (-m). The model's DFS goes about 40 steps deep; pan says so if it is too small. */
export const PAN_DEPTH_MAX = 10_000;

export interface PanRun {
  states: number;
  /** pan's count: stored + matched, with the initial state and `timeout` self-loops of end states. */
  transitions: number;
  errors: number;
  depth: number;
  /** pan's own search time (excludes generating and compiling pan.c). */
  seconds: number;
  statesPerSecond: number;
  /** pan's user + system CPU time (the whole process: its start and report included). */
  cpuSeconds: number;
  statesPerCpuSecond: number;
  /** "actual memory usage for states" ÷ states stored. */
  bytesPerState: number;
  /** "total actual memory usage" (states, hash table, DFS stack) ÷ states stored. */
  totalBytesPerState: number;
  stateVectorBytes: number;
  hashBits: number;
}

export interface Pan {
  /** The generated model's source (for reading or a failure report). */
  promela: string;
  /** generate + spin -a + gcc, in seconds. */
  buildSeconds: number;
  /** Runs the search; `continueOnErrors` (pan -c0 -E) goes on past assertion violations and counts them. */
  run(hashBits: number, continueOnErrors?: boolean): PanRun;
  dispose(): void;
}

/** FTCHECK_SKIP_SPIN=1: do without SPIN on purpose (its tests are skipped, the bench says so). */
export const spinSkipped = () => process.env.FTCHECK_SKIP_SPIN === '1';

/** Why spin or gcc cannot run here, or null. `npm test`'s pretest installs both. */
export function spinMissing(): string | null {
  const probes: [string, string[]][] = [
    ['spin', ['-V']],
    ['gcc', ['--version']],
  ];
  for (const [tool, args] of probes) {
    if (spawnSync(tool, args, { stdio: 'ignore', timeout: 10_000 }).status !== 0) {
      return `${tool} is not installed: apt-get install -y spin gcc (npm test's pretest does it as root), or set FTCHECK_SKIP_SPIN=1 to do without SPIN on purpose`;
    }
  }
  return null;
}

const number = (text: string, pattern: RegExp): number => {
  const match = pattern.exec(text);
  if (!match) throw new Error(`pan's report has no ${pattern}:\n${text}`);
  return Number(match[1]);
};

/** The children's user + system time from `times` (its second line: `0m1.330000s 0m0.070000s`). */
function childCpuSeconds(timesOutput: string): number {
  const lines = timesOutput.trim().split('\n');
  const match = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1)!.trim());
  if (!match) throw new Error(`no CPU times from the shell's \`times\`: ${timesOutput}`);
  const [, um, us, sm, ss] = match.map(Number);
  return um! * 60 + us! + sm! * 60 + ss!;
}

/** pan's -w for a state count: at least twice as many slots as states. */
export const hashBitsFor = (states: number) => Math.max(16, Math.ceil(Math.log2(Math.max(states, 1))) + 1);

function parse(out: string, hashBits: number): PanRun {
  // A truncated search would undercount: pan prints this when the DFS stack was too small.
  if (/max search depth too small/.test(out))
    throw new Error(`pan's -m${PAN_DEPTH_MAX} is too small:\n${out}`);
  if (!/Full statespace search/.test(out))
    throw new Error(`pan did not search the full state space:\n${out}`);
  const states = number(out, /(\d+) states, stored/);
  const seconds = number(out, /pan: elapsed time ([\d.e+-]+) seconds/);
  const megabytes = (label: string) => number(out, new RegExp(`([\\d.]+)\\s+${label}`)) * 2 ** 20;
  return {
    states,
    transitions: number(out, /(\d+) transitions \(= stored\+matched\)/),
    errors: number(out, /errors: (\d+)/),
    depth: number(out, /depth reached (\d+)/),
    seconds,
    statesPerSecond: Math.round(states / Math.max(seconds, 1e-3)),
    cpuSeconds: 0,
    statesPerCpuSecond: 0,
    bytesPerState: Number((megabytes('actual memory usage for states') / states).toFixed(1)),
    totalBytesPerState: Number((megabytes('total actual memory usage') / states).toFixed(1)),
    stateVectorBytes: number(out, /State-vector (\d+) byte/),
    hashBits,
  };
}

/**
 * Generates the model and builds pan in a temporary directory. `optimize` is gcc's -O level: 2 for
 * measurements (as the toy yardstick), 0 where only counts matter (a fifth of the compile time).
 */
export function buildPan(options: PromelaOptions, optimize: 0 | 2 = 2): Pan {
  const missing = spinMissing();
  if (missing) throw new Error(missing);
  const started = performance.now();
  const promela = clusterPromela(options);
  const dir = mkdtempSync(join(tmpdir(), 'ftcheck-spin-cluster-'));
  try {
    writeFileSync(join(dir, 'cluster.pml'), promela);
    execFileSync('spin', ['-a', 'cluster.pml'], { cwd: dir, stdio: 'pipe' });
    execFileSync('gcc', [`-O${optimize}`, '-DSAFETY', '-DNOREDUCE', '-o', 'pan', 'pan.c'], {
      cwd: dir,
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const buildSeconds = (performance.now() - started) / 1000;
  return {
    promela,
    buildSeconds,
    run(hashBits, continueOnErrors = false) {
      assert(Number.isInteger(hashBits) && hashBits >= 10 && hashBits <= 32, 'pan -w is 10..32');
      const args = [`-m${PAN_DEPTH_MAX}`, `-w${hashBits}`, ...(continueOnErrors ? ['-c0', '-E'] : [])];
      // Going on past errors, pan prints a line per failed assert (millions): keep only its report.
      const filter = continueOnErrors ? " | grep -v '^pan:[0-9]*: assertion violated'" : '';
      // `times` (POSIX) prints the shell's and then its children's user and system CPU time.
      const script = `./pan ${args.join(' ')}${filter}; status=$?; times >&2; exit $status`;
      const child = spawnSync('sh', ['-c', script], { cwd: dir, encoding: 'utf8', maxBuffer: 16 << 20 });
      if (child.status !== 0)
        throw new Error(`pan failed (${child.status}): ${child.stderr}\n${child.stdout}`);
      const out = child.stdout;
      const result = parse(out, hashBits);
      result.cpuSeconds = childCpuSeconds(child.stderr);
      result.statesPerCpuSecond = Math.round(result.states / Math.max(result.cpuSeconds, 1e-3));
      if (!continueOnErrors && result.errors !== 0) throw new Error(`SPIN found an error:\n${out}`);
      return result;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
