// Replaying a counterexample trace file: the same run spec, bug and seed give the same run, so
// the recorded violation must break again at the same simulated time. A replay that no longer
// shows it means the bug is fixed. The fuzzer recorded the run at the cheapest trace level; the
// replay records it at the level the timeline's detail needs (recording only observes, so the
// run is the same) and explains it.
import { runFt } from '../monitors/ft-run.ts';
import type { Violation } from '../monitors/violation.ts';
import type { TimelineEvent } from '../results.ts';
import type { TraceFile } from '../trace-file.ts';
import { runOptionsOf } from './run-spec.ts';
import {
  explainTrace,
  recordingDetail,
  TIMELINE_DETAIL_DEFAULT,
  type TimelineDetail,
} from './trace-timeline.ts';

export interface ReplayResult {
  /** The recorded invariant broke again at the recorded simulated time. */
  reproduced: boolean;
  /** The replay's violation of the recorded invariant (else its first violation of any), or null. */
  violation: Violation | null;
  /** Readable timeline up to the violation (the whole run when there is none), at `detail`. */
  timeline: TimelineEvent[];
  detail: TimelineDetail;
  /** Digest of the replay's trace (at the level `detail` records). */
  traceDigest: string;
  endUs: number;
}

export function replayTraceFile(
  file: TraceFile,
  detail: TimelineDetail = TIMELINE_DETAIL_DEFAULT,
): ReplayResult {
  const expected = file.expected;
  // Run on past other invariants' violations: the recorded one is what must break again.
  const result = runFt(runOptionsOf(file.run, file.bug, recordingDetail(detail), [expected.invariant]));
  const same = result.violations.find((v) => v.invariant === expected.invariant);
  const violation = same ?? result.violations[0] ?? null;
  const reproduced = same !== undefined && same.timeUs === expected.atMicros;
  return {
    reproduced,
    violation,
    timeline: explainTrace(result.trace.entries, violation, detail),
    detail,
    traceDigest: result.trace.digest,
    endUs: result.endUs,
  };
}
