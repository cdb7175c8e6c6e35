// `ftcheck bugs`: the seeded-bug catalog — name, level, the invariants it breaks, what it does.

import { INVARIANTS } from '../../base/invariants.ts';
import { BUG_CATALOG } from '../../check/bugs/catalog.ts';
import type { CommandRegistrar } from './index.ts';

export const registerBugs: CommandRegistrar = (program, io) => {
  program
    .command('bugs')
    .description('list the seeded bugs every checker must catch')
    .option('--json', 'print the catalog as JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        io.out(JSON.stringify(BUG_CATALOG, null, 2));
        return;
      }
      const width = Math.max(...BUG_CATALOG.map((b) => b.name.length));
      for (const bug of BUG_CATALOG) {
        const breaks = bug.breaks.map((id) => `${id} ${INVARIANTS[id]}`).join(', ');
        io.out(`${bug.name.padEnd(width)}  ${bug.level.padEnd(10)}  breaks ${breaks}`);
        io.out(`${''.padEnd(width)}  ${bug.description}`);
      }
    });
};
