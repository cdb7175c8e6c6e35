// `ftcheck replay <trace.json> [--detail slice|events|messages|all] [--json]`: re-runs a
// counterexample trace file and confirms that the recorded invariant breaks again at the same
// simulated time. Prints the timeline up to the violation (by default the causal slice: what led
// to it) and writes it as a Mermaid sequenceDiagram. Exit 1 when a violation reproduces (or a
// different one appears), 0 when the run is clean (the bug is fixed), 2 on a malformed file.
// Output depends only on the file: a replay is byte-identical run to run.
import { readFileSync } from 'node:fs';
import { findComponentCheck } from '../../../properties/components/checks.ts';
import { replayComponentFinding } from '../../../properties/components/component-check.ts';
import {
  ComponentFileError,
  isComponentFile,
  readComponentFile,
} from '../../../properties/components/component-file.ts';
import { formatMicros } from '../../base/duration.ts';
import { replayTraceFile } from '../../check/fuzz/replay.ts';
import {
  TIMELINE_DETAIL_DEFAULT,
  TIMELINE_DETAILS,
  type TimelineDetail,
} from '../../check/fuzz/trace-timeline.ts';
import type { TimelineEvent } from '../../check/results.ts';
import { readTraceFile, TraceFileError } from '../../check/trace-file.ts';
import { writeFileAtomic } from '../../report/atomic-write.ts';
import { timelineRows } from '../../report/timeline.ts';
import { timelineToMermaid } from '../../report/timeline-mermaid.ts';
import { type CliIo, EXIT_VIOLATION, UsageError } from '../context.ts';
import type { CommandRegistrar } from './index.ts';

interface ReplayFlags {
  json?: boolean;
  mermaid?: string;
  detail: string;
}

function parseDetail(value: string): TimelineDetail {
  if (!(TIMELINE_DETAILS as readonly string[]).includes(value)) {
    throw new UsageError(`--detail must be one of ${TIMELINE_DETAILS.join('|')}, got '${value}'`);
  }
  return value as TimelineDetail;
}

export const registerReplay: CommandRegistrar = (program, io, setExit) => {
  program
    .command('replay')
    .description('re-run a counterexample trace file and confirm the violation reproduces')
    .argument('<trace>', 'counterexample trace file (reports/counterexamples/*.json)')
    .option('--mermaid <path>', 'where to write the sequence diagram (default: <trace>.mmd)')
    .option(
      '--detail <level>',
      `what the timeline shows: slice (what led to the violation), events (no messages), messages or all (${TIMELINE_DETAILS.join('|')})`,
      TIMELINE_DETAIL_DEFAULT,
    )
    .option('--json', 'print one JSON object')
    .action(async (tracePath: string, flags: ReplayFlags) => {
      const detail = parseDetail(flags.detail);
      if (claimsComponentFile(tracePath)) {
        setExit(replayComponent(tracePath, flags, io));
        return;
      }
      let file: ReturnType<typeof readTraceFile>;
      try {
        file = readTraceFile(tracePath);
      } catch (error) {
        if (error instanceof TraceFileError) throw new UsageError(error.message);
        throw error;
      }
      const replay = replayTraceFile(file, detail);
      const mermaidPath = flags.mermaid ?? `${tracePath.replace(/\.json$/, '')}.mmd`;
      await writeFileAtomic(mermaidPath, timelineToMermaid(replay.timeline));
      const expected = file.expected;
      const actual = replay.violation;
      if (flags.json) {
        io.out(
          JSON.stringify({
            reproduced: replay.reproduced,
            expected: {
              invariant: expected.invariant,
              atMicros: expected.atMicros,
              host: expected.host ?? null,
            },
            actual:
              actual === null
                ? null
                : {
                    invariant: actual.invariant,
                    atMicros: actual.timeUs,
                    host: actual.host ?? null,
                    message: actual.message,
                  },
            detail,
            traceDigest: replay.traceDigest,
            mermaid: mermaidPath,
          }),
        );
      } else {
        for (const line of timelineLines(replay.timeline)) io.out(line);
        if (replay.reproduced && actual !== null) {
          io.out(
            `reproduced: ${actual.invariant} violated at ${formatMicros(actual.timeUs)} on ${actual.host ?? 'the cluster'}: ${actual.message}`,
          );
        } else if (actual !== null) {
          io.out(
            `changed: expected ${expected.invariant} at ${formatMicros(expected.atMicros)}, got ${actual.invariant} at ${formatMicros(actual.timeUs)}: ${actual.message}`,
          );
        } else {
          io.out(
            `fixed: ${expected.invariant} no longer breaks (expected at ${formatMicros(expected.atMicros)})`,
          );
        }
        io.out(`sequence diagram: ${mermaidPath}`);
      }
      if (actual !== null) setExit(EXIT_VIOLATION);
    });
};

/** Whether the file says it is a component check's counterexample (anything unreadable: no). */
function claimsComponentFile(path: string): boolean {
  try {
    return isComponentFile(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
}

/** Re-runs a component check's shrunk input (seed and fast-check path); the exit code. */
function replayComponent(path: string, flags: ReplayFlags, io: CliIo): number {
  let file: ReturnType<typeof readComponentFile>;
  try {
    file = readComponentFile(path);
  } catch (error) {
    if (error instanceof ComponentFileError) throw new UsageError(error.message);
    throw error;
  }
  const check = findComponentCheck(file.check);
  if (check === undefined)
    throw new UsageError(`${path}: check: no component check is named '${file.check}'`);
  const actual = replayComponentFinding(check, file);
  if (flags.json) {
    io.out(
      JSON.stringify({
        reproduced: actual !== null && actual.invariant === file.invariant,
        component: file.check,
        expected: { invariant: file.invariant, message: file.message },
        actual: actual === null ? null : { invariant: actual.invariant, message: actual.message },
      }),
    );
  } else {
    io.out(`component check ${file.check} (${check.component}) on: ${file.counterexample}`);
    if (actual === null) io.out(`fixed: ${file.invariant} no longer breaks (${check.claim})`);
    else if (actual.invariant === file.invariant)
      io.out(`reproduced: ${actual.invariant}: ${actual.message}`);
    else io.out(`changed: expected ${file.invariant}, got ${actual.invariant}: ${actual.message}`);
  }
  return actual === null ? 0 : EXIT_VIOLATION;
}

function timelineLines(events: readonly TimelineEvent[]): string[] {
  const lines: string[] = [];
  for (const row of timelineRows(events)) {
    if ('omitted' in row) {
      lines.push(`  … ${row.omitted} events omitted`);
      continue;
    }
    const { event } = row;
    lines.push(
      `${formatMicros(event.atMicros).padStart(10)}  ${event.lane.padEnd(8)} ${event.kind.toUpperCase().padEnd(9)} ${eventLine(event)}`,
    );
  }
  return lines;
}

/** A message end says where it went or came from: "→ h3 log 0–36", "← h1 log 0–36 LOST (partition)". */
function eventLine(event: TimelineEvent): string {
  const lost = event.lost === undefined ? '' : ` LOST (${event.lost})`;
  if (event.to !== undefined) return `→ ${event.to} ${event.text}${lost}`;
  if (event.from !== undefined) return `← ${event.from} ${event.text}${lost}`;
  return event.text;
}
