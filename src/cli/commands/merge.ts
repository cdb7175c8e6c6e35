// `ftcheck merge`: combines the results.json of several runs (the shards of a CI matrix) into one
// set of reports. Shards are untrusted input: each is validated field by field, the
// counterexamples it names are copied from its folder into the merged folder (links rewritten,
// reproduce commands relative to that folder), and the protocol diagrams are drawn afresh from
// the machines rather than taken from any shard. Shard files of an explore swarm merge into the
// swarm's result instead (merge-swarm.ts). Exit 1 when the merged verdict is not a pass,
// 2 when an input is malformed or hostile (the message names the file and the field).
import { join, relative } from 'node:path';
import type { GateResults } from '../../check/results.ts';
import { writeDiagrams } from '../../report/diagrams/generate.ts';
import { MergeError, mergeResults } from '../../report/merge.ts';
import { copyShardFiles, ShardFileError, type ShardPart } from '../../report/merge-files.ts';
import { ResultsError, readResults } from '../../report/results-schema.ts';
import { timelineToMermaid } from '../../report/timeline-mermaid.ts';
import { writeReports } from '../../report/write-reports.ts';
import { EXIT_VIOLATION, UsageError } from '../context.ts';
import { mergeSwarmShards, peekJson, swarmShardFiles } from '../merge-swarm.ts';
import type { CommandRegistrar } from './index.ts';

interface MergeOptions {
  out: string;
  json?: boolean;
}

async function readAll(files: string[]): Promise<ShardPart[]> {
  const parts: ShardPart[] = [];
  for (const [index, file] of files.entries()) {
    try {
      const results = await readResults(file);
      const shard = results.config.shard;
      parts.push({
        results,
        file,
        label: shard === undefined ? `part-${index + 1}` : `shard-${shard.index}`,
      });
    } catch (error) {
      if (error instanceof ResultsError) throw new UsageError(error.message);
      throw error;
    }
  }
  return parts;
}

/** The protocol diagrams of this ftcheck, drawn into the merged folder (never a shard's files). */
async function drawDiagrams(outDir: string): Promise<GateResults['diagrams']> {
  const folder = join(outDir, 'diagrams');
  const written = await writeDiagrams(folder);
  return written
    .map((file) => relative(outDir, file).split('\\').join('/'))
    .filter((path) => /^diagrams\/[^/]+\.svg$/.test(path))
    .map((svg) => ({
      name: svg.replace(/^diagrams\//, '').replace(/\.svg$/, ''),
      svg,
      mermaid: svg.replace(/\.svg$/, '.mmd'),
    }));
}

export const registerMerge: CommandRegistrar = (program, io, setExit) => {
  program
    .command('merge')
    .description(
      'merge the results.json of several runs (e.g. CI shards) into one set of reports, or the shard files of an explore swarm',
    )
    .argument(
      '<results...>',
      'results.json files to merge (each beside the files it names), or explore swarm shard files',
    )
    .option('--out <dir>', 'folder to write the merged reports into', 'reports')
    .option('--json', 'print the merged results as JSON on stdout')
    .action(async (files: string[], options: MergeOptions) => {
      const parsed = await peekJson(files);
      if (swarmShardFiles(files, parsed)) {
        setExit(mergeSwarmShards(files, parsed, options, io));
        return;
      }
      const parts = await readAll(files);
      let merged: GateResults;
      try {
        mergeResults(parts.map((part) => part.results)); // refuses mismatched shards before copying
        merged = mergeResults(await copyShardFiles(parts, options.out));
      } catch (error) {
        if (error instanceof MergeError) throw new UsageError(`cannot merge: ${error.message}`);
        if (error instanceof ShardFileError) throw new UsageError(error.message);
        throw error;
      }
      merged.diagrams = await drawDiagrams(options.out);
      // A shard's Mermaid text is not shown: each diagram is drawn again from the validated timeline.
      for (const example of merged.counterexamples) example.mermaid = timelineToMermaid(example.timeline);
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
