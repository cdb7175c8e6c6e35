#!/usr/bin/env node
// The `ftcheck` executable (dist/src/cli/bin.js in the package; `src/cli/ftcheck.js` runs it from
// the sources). Kept small on purpose: `--version` answers before anything else loads, and `main`
// loads only the command it runs.
import { toolVersion } from '../base/package-root.ts';

// A reader that stops early (`ftcheck bugs | head -1`) closes the pipe: end quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${toolVersion()}\n`);
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(argv);
}
