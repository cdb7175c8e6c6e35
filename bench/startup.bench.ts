// CLI start-up, as a user meets it: the built command (dist/, rebuilt first so the figures are of
// the current sources) against `node -e 0` in the same run, interleaved so machine load hits all
// alike. Target: `ftcheck --version` and `ftcheck bugs` within 300 ms wall on the 2-core machine.
// Also the TypeScript sources through tsx (what `npm start` runs) for comparison.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const DEV = join(ROOT, 'src', 'cli', 'ftcheck.js');
const ROUNDS = 15;
const TARGET_MS = 300;

const CASES: Record<string, string[]> = {
  nodeBaseline: ['-e', '0'],
  version: [BIN, '--version'],
  bugs: [BIN, 'bugs'],
  help: [BIN, '--help'],
  sourcesBugs: [DEV, 'bugs'],
};

/** GNU time, when installed, adds the child's CPU time: less sensitive to load than wall time. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Wall and CPU milliseconds of one run (CPU NaN without GNU time). */
function timeOnce(args: string[]): { wall: number; cpu: number } {
  const [command, argv] = GNU_TIME
    ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...args]]
    : [process.execPath, args];
  const started = performance.now();
  const child = spawnSync(command, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const wall = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  const times = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(child.stderr);
  return { wall, cpu: times ? (Number(times[1]) + Number(times[2])) * 1000 : Number.NaN };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stderr}`);
  const walls: Record<string, number[]> = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  const cpus: Record<string, number[]> = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
  for (const args of Object.values(CASES)) timeOnce(args); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(CASES)) {
      const { wall, cpu } = timeOnce(args);
      walls[name]!.push(wall);
      cpus[name]!.push(cpu);
    }
  }
  const ms = Object.fromEntries(Object.entries(walls).map(([name, values]) => [name, median(values)]));
  const cpuMs = Object.fromEntries(
    Object.entries(cpus).map(([name, values]) => [name, round(median(values))]),
  );
  const baseline = ms.nodeBaseline!;
  return {
    startup: {
      rounds: ROUNDS,
      loadAverage: round(loadavg()[0]!),
      nodeBaselineMs: round(baseline),
      versionMs: round(ms.version!),
      bugsMs: round(ms.bugs!),
      helpMs: round(ms.help!),
      sourcesBugsMs: round(ms.sourcesBugs!),
      versionRatio: round(ms.version! / baseline),
      bugsRatio: round(ms.bugs! / baseline),
      cpuMs,
      targetMs: TARGET_MS,
      withinTarget: ms.version! <= TARGET_MS && ms.bugs! <= TARGET_MS,
    },
  };
}
