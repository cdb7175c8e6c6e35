// `replay`: re-runs a counterexample trace file (a path, or one already read) and says whether the
// recorded violation breaks again at the same simulated time — what `ftcheck replay` does.
import { type ReplayResult, replayTraceFile } from '../check/fuzz/replay.ts';
import { readTraceFile, type TraceFile } from '../check/trace-file.ts';

export function replay(trace: string | TraceFile): ReplayResult {
  return replayTraceFile(typeof trace === 'string' ? readTraceFile(trace) : trace);
}
