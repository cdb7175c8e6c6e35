// Progress for long work: a bar with rate and ETA on a TTY (cli-progress), and quiet,
// line-oriented updates otherwise (CI logs): one line at start, at most one per `lineEverySeconds`,
// one at the end.
import { SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit: string;
  tty: boolean;
  write: (line: string) => void;
  lineEverySeconds?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  return options.tty ? new BarProgress(options) : new LineProgress(options);
}

class BarProgress implements Progress {
  private readonly bar: SingleBar;
  private readonly started = performance.now();

  constructor(private readonly options: ProgressOptions) {
    this.bar = new SingleBar({
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | {rate}/s | ETA {eta_formatted} {detail}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    });
    this.bar.start(options.total, 0, { rate: '0', detail: '' });
  }

  update(done: number, detail = ''): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(Math.min(done, this.options.total), { rate: rate(done, seconds), detail });
  }

  finish(detail = ''): void {
    this.bar.update(this.options.total, { detail });
    this.bar.stop();
  }
}

class LineProgress implements Progress {
  private readonly started = performance.now();
  private lastLine = 0;

  constructor(private readonly options: ProgressOptions) {
    options.write(`${options.label}: started (${options.total} ${options.unit})`);
  }

  update(done: number, detail = ''): void {
    const seconds = (performance.now() - this.started) / 1000;
    if (seconds - this.lastLine < (this.options.lineEverySeconds ?? 15)) return;
    this.lastLine = seconds;
    this.options.write(
      `${this.options.label}: ${done}/${this.options.total} ${this.options.unit}, ${rate(done, seconds)}/s ${detail}`.trimEnd(),
    );
  }

  finish(detail = ''): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.options.write(`${this.options.label}: done in ${seconds.toFixed(1)}s ${detail}`.trimEnd());
  }
}

function rate(done: number, seconds: number): string {
  return seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '0';
}
