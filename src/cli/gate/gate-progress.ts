// The gate's progress on a TTY: one bar over its stages, the stage running and its latest line
// (e.g. "fuzz: 400 schedules, 4/12 seeds") as the bar's detail, instead of a scroll of log lines.
// A stage that fails is still written out in full. Off a TTY the gate keeps its plain log lines.
import type { Progress } from '../progress.ts';

export interface GateProgress {
  log(line: string): void;
  finish(): void;
}

const DETAIL_CHARS_MAX = 60;

export function gateProgress(
  stageNames: readonly string[],
  progress: Progress,
  write: (line: string) => void,
): GateProgress {
  let done = 0;
  let stage = '';
  return {
    log(line) {
      if (/^gate: \S+ failed/.test(line)) {
        write(line);
        return;
      }
      const started = /^gate: (\S+)$/.exec(line)?.[1];
      if (started !== undefined && stageNames.includes(started)) {
        done = stageNames.indexOf(started);
        stage = started;
        progress.update(done, stage);
        return;
      }
      const detail = line.startsWith(`${stage}:`) ? line : `${stage}: ${line}`;
      progress.update(
        done,
        detail.length > DETAIL_CHARS_MAX ? `${detail.slice(0, DETAIL_CHARS_MAX - 1)}…` : detail,
      );
    },
    finish() {
      progress.update(stageNames.length, 'done');
      progress.finish();
    },
  };
}
