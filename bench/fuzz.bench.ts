// Fuzzing figures for reports/bench.json: schedules per second on the system as shipped, and for
// every seeded bug the time to first failure and the size of the shrunk schedule (faults), median
// over 5 campaign seeds. A bug not found within the search budget counts as not found.
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import { ModelCoverageTracker } from '../src/check/conformance/model-coverage.ts';
import { fuzzableBugs } from '../src/check/fuzz/bug-injection.ts';

const SEEDS = [1, 2, 3, 4, 5];
const SEARCH_BUDGET_MS = Number(process.env.FUZZ_BENCH_SEARCH_MS ?? 30_000);
const SHRINK_BUDGET_MS = Number(process.env.FUZZ_BENCH_SHRINK_MS ?? 15_000);
const CLEAN_BUDGET_MS = Number(process.env.FUZZ_BENCH_CLEAN_MS ?? 20_000);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export async function run(): Promise<Record<string, Record<string, unknown>>> {
  const tracker = new ModelCoverageTracker();
  const clean = fuzzCampaign({
    seed: 1,
    bug: null,
    budgetMs: CLEAN_BUDGET_MS,
    outDir: null,
    onResult: (_spec, result) => tracker.add(result.trace.entries),
  });
  const coverage = tracker.coverage();
  const bugs: Record<string, unknown> = {};
  for (const bug of fuzzableBugs()) {
    const times: number[] = [];
    const faults: number[] = [];
    const invariants = new Set<string>();
    for (const seed of SEEDS) {
      const result = fuzzCampaign({
        seed,
        bug: bug.name,
        budgetMs: SEARCH_BUDGET_MS,
        shrinkBudgetMs: SHRINK_BUDGET_MS,
        outDir: null,
      });
      if (!result.found) continue;
      times.push(result.timeToFirstFailureMs);
      faults.push(result.traceFile.search.faultsShrunk);
      invariants.add(result.violation.invariant);
    }
    const timeMedian = SEEDS.length - times.length > SEEDS.length / 2 ? null : median(times);
    bugs[bug.name] = {
      found: `${times.length}/${SEEDS.length}`,
      timeToFirstFailureSecondsMedian: timeMedian === null ? null : round(timeMedian / 1000),
      shrunkFaultsMedian: median(faults),
      invariants: [...invariants].sort(),
    };
    process.stderr.write(`fuzz bench: ${bug.name} ${JSON.stringify(bugs[bug.name])}\n`);
  }
  return {
    fuzz: {
      schedulesPerSecond: round(clean.schedulesPerSecond),
      cleanCampaign: {
        runs: clean.runs,
        found: clean.found ? clean.violation.message : false,
        budgetSeconds: CLEAN_BUDGET_MS / 1000,
      },
      modelCoverage: {
        states: `${coverage.states.covered.length}/${coverage.states.total}`,
        transitions: `${coverage.transitions.covered.length}/${coverage.transitions.total}`,
      },
      searchBudgetSeconds: SEARCH_BUDGET_MS / 1000,
      bugs,
    },
  };
}
