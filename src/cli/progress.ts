// Progress for long work: a bar with rate and ETA on a TTY (cli-progress), and quiet,
// line-oriented updates otherwise (CI logs): one line at start, at most one per `lineEverySeconds`,
// one at the end. The bar measures `total` in `unit`s; work done in other units (a fuzz campaign
// budgeted in seconds runs schedules) is shown as a count with its own rate.
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** `done` in `unit`s; `count` of `countUnit` items finished so far, when those differ. */
  update(done: number, detail?: string, count?: number): void;
  finish(detail?: string): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit: string;
  /** Set when the items worked on are not the bar's unit (e.g. 'schedules' within a time budget). */
  countUnit?: string;
  tty: boolean;
  write: (line: string) => void;
  lineEverySeconds?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  return options.tty ? new BarProgress(options) : new LineProgress(options);
}

/** "312 schedules, 13/s" (or "13/s" of the bar's own unit). */
function throughput(
  options: ProgressOptions,
  done: number,
  count: number | undefined,
  seconds: number,
): string {
  if (options.countUnit === undefined) return `${rate(done, seconds)}/s`;
  const items = count ?? 0;
  return `${items.toLocaleString('en-US')} ${options.countUnit}, ${rate(items, seconds)}/s`;
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private readonly started = performance.now();

  constructor(private readonly options: ProgressOptions) {
    this.bar = new SingleBar({
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {throughput} | ETA {eta_formatted} {detail}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    });
    this.bar.start(options.total, 0, { throughput: throughput(options, 0, 0, 0), detail: '' });
  }

  update(done: number, detail = '', count?: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(Math.min(done, this.options.total), {
      throughput: throughput(this.options, done, count, seconds),
      detail,
    });
  }

  finish(detail = ''): void {
    this.bar.update(this.options.total, { detail });
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly started = performance.now();
  private lastLine = 0;
  private last = { done: 0, count: undefined as number | undefined };

  constructor(private readonly options: ProgressOptions) {
    options.write(`${options.label}: started (${options.total} ${options.unit})`);
  }

  update(done: number, detail = '', count?: number): void {
    this.last = { done, count };
    const seconds = (performance.now() - this.started) / 1000;
    if (seconds - this.lastLine < (this.options.lineEverySeconds ?? 15)) return;
    this.lastLine = seconds;
    this.options.write(
      `${this.options.label}: ${done}/${this.options.total} ${this.options.unit}, ${throughput(this.options, done, count, seconds)} ${detail}`.trimEnd(),
    );
  }

  finish(detail = ''): void {
    const seconds = (performance.now() - this.started) / 1000;
    const figures =
      this.options.countUnit === undefined
        ? ''
        : ` (${throughput(this.options, this.last.done, this.last.count, seconds)})`;
    this.options.write(`${this.options.label}: done in ${seconds.toFixed(1)}s${figures} ${detail}`.trimEnd());
  }
}

function rate(done: number, seconds: number): string {
  if (seconds <= 0) return '0';
  const perSecond = done / seconds;
  return perSecond >= 10 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1);
}
