// The deterministic discrete-event loop. Simulated time is an integer number of microseconds; the
// only way to make something happen is to schedule it, and events at the same instant fire in
// scheduling order (EventQueue's sequence number). All randomness comes from `prng(name)`, one
// stream per component, forked from the run's seed.
import { assert } from '../base/assert.ts';
import { Prng } from '../base/prng.ts';
import { EventQueue } from './event-queue.ts';
import { TRACE_ENTRIES_MAX_DEFAULT, type TraceDetailName, TraceRecorder } from './trace.ts';

export const EVENTS_PER_RUN_MAX_DEFAULT = 50_000_000;

export interface SimulatorOptions {
  seed: number;
  /** Stored trace entries at most (see TraceRecorder). */
  traceEntriesMax?: number;
  /** What the trace records (default 'all'; fuzzing runs use 'events'). */
  traceDetail?: TraceDetailName;
  /** Events fired per run at most: a run that reaches it stops with `reason: 'events-max'`. */
  eventsMax?: number;
}

/** A scheduled action; `cancel` stops it from firing. */
export interface Timer {
  readonly atUs: number;
  cancelled: boolean;
  readonly action: () => void;
}

export type RunStop = 'until' | 'idle' | 'stopped' | 'events-max';

export class Simulator {
  readonly seed: number;
  readonly trace: TraceRecorder;
  readonly eventsMax: number;
  private readonly queue = new EventQueue<Timer>();
  private readonly root: Prng;
  private readonly streams = new Map<string, Prng>();
  private nowUs = 0;
  private fired = 0;
  private stopRequested = false;

  constructor(options: SimulatorOptions) {
    assert(Number.isInteger(options.seed), 'simulator seed must be an integer');
    this.seed = options.seed >>> 0;
    this.root = new Prng(this.seed);
    this.trace = new TraceRecorder(
      this.seed,
      options.traceEntriesMax ?? TRACE_ENTRIES_MAX_DEFAULT,
      options.traceDetail ?? 'all',
    );
    this.eventsMax = options.eventsMax ?? EVENTS_PER_RUN_MAX_DEFAULT;
  }

  get now(): number {
    return this.nowUs;
  }

  get eventsFired(): number {
    return this.fired;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** The component's own PRNG stream; the same name always gives the same stream object. */
  prng(name: string): Prng {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = this.root.fork(name);
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** Runs `action` at absolute time `atUs` (not in the past). */
  at(atUs: number, action: () => void): Timer {
    assert(Number.isInteger(atUs), 'event time must be an integer number of microseconds');
    assert(atUs >= this.nowUs, 'cannot schedule an event in the past');
    const timer: Timer = { atUs, cancelled: false, action };
    this.queue.push(atUs, timer);
    return timer;
  }

  /** Runs `action` after `delayUs` (≥ 0) microseconds. */
  after(delayUs: number, action: () => void): Timer {
    assert(Number.isInteger(delayUs) && delayUs >= 0, 'delay must be a non-negative integer');
    return this.at(this.nowUs + delayUs, action);
  }

  cancel(timer: Timer | undefined): void {
    if (timer !== undefined) timer.cancelled = true;
  }

  /** Ends the current `run` after the event being fired. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Fires events in (time, sequence) order up to and including time `untilUs`, then sets the
   * clock to `untilUs`. Returns why it stopped.
   */
  run(untilUs: number): RunStop {
    assert(Number.isInteger(untilUs) && untilUs >= this.nowUs, 'run target must be an integer ≥ now');
    this.stopRequested = false;
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined) {
        this.nowUs = untilUs;
        return 'idle';
      }
      if (next > untilUs) break;
      if (this.fired >= this.eventsMax) return 'events-max';
      const timer = this.queue.pop()!;
      if (timer.cancelled) continue;
      this.nowUs = timer.atUs;
      this.fired++;
      timer.action();
      if (this.stopRequested) return 'stopped';
    }
    this.nowUs = untilUs;
    return 'until';
  }
}
