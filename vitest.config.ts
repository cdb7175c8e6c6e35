import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/temp-root.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker less than the CPUs: a single worker on CI's 2-core machine,
    // where the suite is CPU-bound and takes twice as long as it must. At least two.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
    // The suite already runs a test file per CPU: a gate under test runs its campaign in its own
    // thread unless the test asks for workers (src/cli/config.ts defaultWorkers).
    env: { FTCHECK_WORKERS: '1' },
  },
});
