// Fuzzing figures for reports/bench.json.
//
// - fuzz.yardstick: schedules per second on a *fixed* campaign — the 240 run specs frozen in
//   bench/fixtures/fuzz-yardstick.json (1.5 s simulated each, faults in the first 900 ms, at most
//   4 fault groups, 1 in 8 run twice for I6: the fuzzer's definition when issue 12 was filed) —
//   interleaved with a CPU-bound reference (crc on the reference interpreter) in the same process,
//   so `schedulesPerReferenceRun` means the same on any machine. The same measurement of the
//   baseline tree (commit BASELINE_COMMIT, checked out from git into a temporary folder) runs in
//   the same bench run when git has that commit; `speedupOverBaseline` is the ratio of the two.
// - fuzz.bugs: for every seeded bug the cluster runs (not the abstract environment's own, which
//   only the explorer checks), schedules to first failure (does not depend on the machine)
//   and seconds to first failure, median over 5 campaign seeds, searching at most
//   BUG_RUNS_MAX schedules (count budget; shrinking is not measured here).
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import { bugRunOptions, fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = join(benchDir, '..');
const corpus = join(benchDir, 'fixtures', 'fuzz-yardstick.json');
const child = join(benchDir, 'fuzz-yardstick.child.ts');
/** The tree issue 12 was filed against: the "today" of its 10x target. */
export const BASELINE_COMMIT = '60935ca';
const ROUNDS = Number(process.env.FUZZ_BENCH_ROUNDS ?? 1);
const SEEDS = [1, 2, 3, 4, 5];
const BUG_RUNS_MAX = Number(process.env.FUZZ_BENCH_BUG_RUNS ?? 300);

interface Yardstick {
  schedules: number;
  seconds: number;
  schedulesPerSecond: number;
  schedulesPerCpuSecond: number;
  referenceRuns: number;
  referenceRunSeconds: number;
  referenceMips: number;
  schedulesPerReferenceRun: number;
  schedulesPerReferenceCpuRun: number;
  loadAverage: [number, number];
}

function measure(tree: string): Yardstick {
  const out = execFileSync(process.execPath, ['--import', 'tsx', child, tree, corpus], {
    cwd: repoDir,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: 1_800_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Yardstick;
}

/** The baseline commit as a folder (sharing this node_modules), or null when git lacks it. */
function baselineTree(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'ftcheck-baseline-'));
  try {
    execSync(`git archive ${BASELINE_COMMIT} | tar -x -C ${JSON.stringify(dir)}`, {
      cwd: repoDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    symlinkSync(join(repoDir, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function summarise(samples: Yardstick[]) {
  const mean = (pick: (y: Yardstick) => number) =>
    samples.reduce((sum, y) => sum + pick(y), 0) / samples.length;
  return {
    schedulesPerSecond: round(mean((y) => y.schedulesPerSecond)),
    schedulesPerCpuSecond: round(mean((y) => y.schedulesPerCpuSecond)),
    referenceMips: round(
      mean((y) => y.referenceMips),
      1,
    ),
    schedulesPerReferenceRun: round(
      mean((y) => y.schedulesPerReferenceRun),
      3,
    ),
    schedulesPerReferenceCpuRun: round(
      mean((y) => y.schedulesPerReferenceCpuRun),
      3,
    ),
    loadAverage: samples.map((y) => y.loadAverage.map((l) => round(l, 1))),
  };
}

function yardstick() {
  const baseline = baselineTree();
  const current: Yardstick[] = [];
  const old: Yardstick[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      current.push(measure(repoDir));
      process.stderr.write(`fuzz bench: yardstick ${JSON.stringify(current.at(-1))}\n`);
      if (baseline === null) continue;
      old.push(measure(baseline));
      process.stderr.write(`fuzz bench: baseline ${JSON.stringify(old.at(-1))}\n`);
    }
  } finally {
    if (baseline !== null) rmSync(baseline, { recursive: true, force: true });
  }
  const now = summarise(current);
  const then = old.length > 0 ? summarise(old) : null;
  return {
    campaign:
      'bench/fixtures/fuzz-yardstick.json: 240 specs, 1.5 s simulated, faults in the first 900 ms, ≤ 4 fault groups, 1 in 8 checks I6',
    reference: 'crc on the reference interpreter, one run per 20 schedules, same process',
    ...now,
    baseline: then === null ? null : { commit: BASELINE_COMMIT, ...then },
    speedupOverBaseline:
      then === null ? null : round(now.schedulesPerReferenceRun / then.schedulesPerReferenceRun),
    speedupOverBaselineCpu:
      then === null ? null : round(now.schedulesPerReferenceCpuRun / then.schedulesPerReferenceCpuRun),
  };
}

/** Whether the bug changes anything the cluster runs (a bug of the abstract environment alone does not). */
function reachesCluster(name: string): boolean {
  const injected = bugRunOptions(name);
  return Object.keys(injected.options).length > 0 || Object.keys(injected.config).length > 0;
}

function bugFigures() {
  const bugs: Record<string, unknown> = {};
  for (const bug of fuzzableBugs().filter((b) => reachesCluster(b.name))) {
    const schedules: number[] = [];
    const seconds: number[] = [];
    const invariants = new Set<string>();
    for (const seed of SEEDS) {
      const result = fuzzCampaign({
        seed,
        bug: bug.name,
        runs: BUG_RUNS_MAX,
        shrinkBudgetMs: 0,
        outDir: null,
      });
      if (!result.found) continue;
      schedules.push(result.runsToFailure);
      seconds.push(result.timeToFirstFailureMs / 1000);
      invariants.add(result.violation.invariant);
    }
    const majority = schedules.length > SEEDS.length / 2;
    bugs[bug.name] = {
      found: `${schedules.length}/${SEEDS.length}`,
      schedulesToFirstFailure: schedules,
      schedulesToFirstFailureMedian: majority ? median(schedules) : null,
      secondsToFirstFailureMedian: majority ? round(median(seconds)!, 3) : null,
      invariants: [...invariants].sort(),
    };
    process.stderr.write(`fuzz bench: ${bug.name} ${JSON.stringify(bugs[bug.name])}\n`);
  }
  return bugs;
}

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const load = round(loadavg()[0]!, 1);
  const figures = yardstick();
  const bugs = bugFigures();
  const found = Object.values(bugs) as { secondsToFirstFailureMedian: number | null }[];
  // An escape has no median: it shows as found 0/5 (or a minority) in its own entry.
  const slowest = Math.max(...found.map((b) => b.secondsToFirstFailureMedian ?? Number.NEGATIVE_INFINITY));
  return {
    fuzz: {
      schedulesPerSecond: figures.schedulesPerSecond,
      yardstick: figures,
      loadAverageAtStart: load,
      bugSearchSchedulesMax: BUG_RUNS_MAX,
      slowestBugSecondsMedian: Number.isFinite(slowest) ? slowest : null,
      bugs,
    },
  };
}
