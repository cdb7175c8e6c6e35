// `ftcheck bugs`: every seeded bug the gate's self-test injects — the catalog (model, data-plane and
// cluster bugs) and the composite ones (a bug plus the configuration it needs) — with its level,
// the invariants it breaks and what it does.

import { INVARIANTS } from '../../base/invariants.ts';
import { COMPOSITE_BUGS, fuzzableBugs } from '../../check/bugs/composite.ts';
import type { CommandRegistrar } from './index.ts';

export const registerBugs: CommandRegistrar = (program, io) => {
  program
    .command('bugs')
    .description('list the seeded bugs every checker must catch (the gate injects each one)')
    .option('--json', 'print the catalog as JSON')
    .action((flags: { json?: boolean }) => {
      const bugs = fuzzableBugs().map((bug) => {
        const composite = COMPOSITE_BUGS.find((c) => c.name === bug.name);
        return composite ? { ...bug, base: composite.base, config: composite.config } : bug;
      });
      if (flags.json) {
        io.out(JSON.stringify(bugs, null, 2));
        return;
      }
      const width = Math.max(...bugs.map((b) => b.name.length));
      for (const bug of bugs) {
        const breaks = bug.breaks.map((id) => `${id} ${INVARIANTS[id]}`).join(', ');
        io.out(`${bug.name.padEnd(width)}  ${bug.level.padEnd(10)}  breaks ${breaks}`);
        io.out(`${''.padEnd(width)}  ${bug.description}`);
        if ('base' in bug) {
          io.out(`${''.padEnd(width)}  composite: ${bug.base} with ${JSON.stringify(bug.config)}`);
        }
      }
    });
};
