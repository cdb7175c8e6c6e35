// `ftcheck diagram`: regenerates the protocol diagrams from the machines (Mermaid, DOT, SVG, and
// sequence diagrams of the seeded bugs' counterexamples). `--check` exits 1 when they are stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DIAGRAM_DIR, generateDiagrams, writeDiagrams } from '../../report/diagrams/generate.ts';
import { EXIT_VIOLATION } from '../context.ts';
import type { CommandRegistrar } from './index.ts';

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export const registerDiagram: CommandRegistrar = (program, io, setExit) => {
  program
    .command('diagram')
    .description('generate the protocol diagrams from the xstate machines')
    .option('--out <dir>', 'output folder', DEFAULT_DIAGRAM_DIR)
    .option('--check', 'only check that the diagrams in the folder are current (exit 1 when stale)')
    .action(async (flags: { out: string; check?: boolean }) => {
      if (flags.check) {
        const stale = [...(await generateDiagrams())].filter(
          ([p, c]) => readOrEmpty(join(flags.out, p)) !== c,
        );
        for (const [path] of stale) io.out(`stale: ${join(flags.out, path)}`);
        io.out(stale.length ? 'diagrams are stale: run `ftcheck diagram`' : 'diagrams are current');
        if (stale.length) setExit(EXIT_VIOLATION);
        return;
      }
      for (const file of await writeDiagrams(flags.out)) io.out(`wrote ${file}`);
    });
};
