// Print the generated Promela model, or check that SPIN and ftcheck find the same states at a bound.
//   node --import tsx bench/spin-cluster/cli.ts print '{"hosts":3}' > cluster.pml
//   node --import tsx bench/spin-cluster/cli.ts check '{"hosts":2,"entries":1}'
//   node --import tsx bench/spin-cluster/cli.ts check '{"hosts":2,"bug":"output-before-ack"}'
// `check` explores without host symmetry on ftcheck's compiled engine (safety properties) and runs
// pan; with a bug both go on past violations, so their counts still compare. Exit 1 when they differ.

import { findModelBug } from '../../models/bugs.ts';
import { createClusterModel } from '../../models/clusterModel.ts';
import { explore } from '../../src/check/explorer/explore.ts';
import { buildPan, hashBitsFor } from './pan.ts';
import { clusterPromela, type PromelaOptions } from './promela.ts';

const [command, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}') as PromelaOptions;
if (command === 'print') {
  process.stdout.write(clusterPromela(options));
} else if (command === 'check') {
  const bug = options.bug === undefined ? undefined : findModelBug(options.bug);
  const model = createClusterModel({ ...options, bug });
  const ours = explore(model, {
    engine: 'compiled',
    symmetry: false,
    skipLiveness: true,
    stopAtFirstViolation: bug === undefined,
  });
  const pan = buildPan(options, 0);
  try {
    const spin = pan.run(hashBitsFor(ours.states), bug !== undefined);
    const same = spin.states === ours.states;
    const found = `ftcheck ${ours.violations.length} violated properties, SPIN ${spin.errors} failed asserts`;
    process.stdout.write(
      `${ours.model}: ftcheck ${ours.states} states, SPIN ${spin.states} (${same ? 'equal' : 'DIFFERENT'}); ${found}\n`,
    );
    if (!same) process.exitCode = 1;
  } finally {
    pan.dispose();
  }
} else {
  process.stderr.write('usage: cli.ts print|check \'{"hosts":3,"entries":2,...,"bug":"name"}\'\n');
  process.exitCode = 2;
}
