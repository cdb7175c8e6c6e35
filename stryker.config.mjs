// StrykerJS configuration for ftcheck's implementation mutants: the data plane (src/lockstep) and
// the cluster (src/cluster), judged by ftcheck's own detector through Stryker's command runner
// (src/check/mutate/stryker/detect.mjs runs `ftcheck fuzz --runs N --seed S`). `ftcheck mutate
// --level implementation` runs Stryker with this file and adds the run count, seed, shard or
// sample; `npx stryker run` alone uses the defaults below. Seeded-bug strategies are not mutated:
// they only run under --bug.
const runs = process.env.FTCHECK_MUTATE_RUNS ?? '20';
const seed = process.env.FTCHECK_MUTATE_SEED ?? '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: `node src/check/mutate/stryker/detect.mjs --runs ${runs} --seed ${seed}` },
  mutate: [
    'src/lockstep/**/*.ts',
    'src/cluster/**/*.ts',
    '!src/lockstep/bugs.ts',
    '!src/cluster/cluster-bugs.ts',
  ],
  // Only what a run needs is copied into the sandbox.
  ignorePatterns: [
    '/reports',
    '/test',
    '/bench',
    '/.github',
    '/.ci',
    '/guests/**/*.c',
    '/guests/lib',
    '/.stryker-tmp',
  ],
  coverageAnalysis: 'off',
  concurrency: 1,
  // Type errors are what many mutants are; tsx strips types without checking them anyway.
  disableTypeChecks: true,
  incremental: true,
  incrementalFile: 'reports/mutate/stryker-incremental.json',
  reporters: ['json', 'progress'],
  jsonReporter: { fileName: 'reports/mutate/stryker.json' },
  // Stryker's timer only guards against a hang inside one simulated event: the fuzz run count and
  // the simulator's event allowance bound the work, so the timer is set far above a normal run.
  timeoutMS: 180_000,
  timeoutFactor: 3,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
