// `ftcheck merge`: combines the results.json of several runs (the shards of a CI matrix) into one
// set of reports. Exit 1 when the merged verdict is not a pass, 2 when an input file is malformed.

import type { GateResults } from '../../check/results.ts';
import { MergeError, mergeResults } from '../../report/merge.ts';
import { ResultsError, readResults } from '../../report/results-schema.ts';
import { writeReports } from '../../report/write-reports.ts';
import { EXIT_VIOLATION, UsageError } from '../context.ts';
import type { CommandRegistrar } from './index.ts';

interface MergeOptions {
  out: string;
  json?: boolean;
}

async function readAll(files: string[]): Promise<GateResults[]> {
  const parts: GateResults[] = [];
  for (const file of files) {
    try {
      parts.push(await readResults(file));
    } catch (error) {
      if (error instanceof ResultsError) throw new UsageError(error.message);
      throw error;
    }
  }
  return parts;
}

export const registerMerge: CommandRegistrar = (program, io, setExit) => {
  program
    .command('merge')
    .description('merge the results.json of several runs (e.g. CI shards) into one set of reports')
    .argument('<results...>', 'results.json files to merge')
    .option('--out <dir>', 'folder to write the merged reports into', 'reports')
    .option('--json', 'print the merged results as JSON on stdout')
    .action(async (files: string[], options: MergeOptions) => {
      const parts = await readAll(files);
      let merged: GateResults;
      try {
        merged = mergeResults(parts);
      } catch (error) {
        if (error instanceof MergeError) throw new UsageError(`cannot merge: ${error.message}`);
        throw error;
      }
      const written = await writeReports(merged, options.out);
      if (options.json) {
        io.out(JSON.stringify(merged, null, 2));
      } else {
        io.out(`merged ${parts.length} results: verdict ${merged.verdict}`);
        for (const file of written) io.out(`  wrote ${file}`);
      }
      if (merged.verdict !== 'pass') setExit(EXIT_VIOLATION);
    });
};
