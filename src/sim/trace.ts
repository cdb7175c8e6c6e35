// The trace recorder: every event of a run (message sent / received / dropped / duplicated, fault,
// agent state change, command, output delivered, lock and disk operation, client view) with its
// simulated time, as compact versioned JSON. Entries are arrays `[timeUs, kind, subject, detail]`
// so a trace of a long run stays small; `detail` is a flat record of primitives.
//
// Detail levels keep recording cheap where nobody reads it: `events` (faults, agent state changes,
// roles, lock operations, VM operations, notes, violations — what a fuzzing run needs), `messages`
// (also every network message with its log positions, outputs held / released / suppressed,
// client requests and answers, disk I/O) and `all` (also payload bytes). Call sites test
// `trace.detail >= TRACE_DETAIL_MESSAGES` before they build an entry, so a level that is off costs
// one comparison. Recording only observes: a run does the same at every level.
//
// Storage is bounded by `traceEntriesMax`; past it entries are still counted, digested and shown
// to observers (monitors), only not stored, and the trace says `truncated: true`. The running
// digest covers every entry, so I6 (byte-identical runs) can be checked on any run length.
import { assert } from '../base/assert.ts';
import { hashTraceEntry } from './entry-hash.ts';

export const TRACE_VERSION = 1;
export const TRACE_ENTRIES_MAX_DEFAULT = 200_000;

export const TRACE_DETAIL_EVENTS = 0;
export const TRACE_DETAIL_MESSAGES = 1;
export const TRACE_DETAIL_ALL = 2;
/** Level names, lowest first (index = level). */
export const TRACE_DETAIL_NAMES = ['events', 'messages', 'all'] as const;
export type TraceDetailName = (typeof TRACE_DETAIL_NAMES)[number];

export function traceDetailLevel(name: TraceDetailName): number {
  const level = TRACE_DETAIL_NAMES.indexOf(name);
  assert(level >= 0, `unknown trace detail '${name}'`);
  return level;
}

export const TRACE_KINDS = [
  'send',
  'recv',
  'drop',
  'dup',
  'fault',
  'state',
  'command',
  'role',
  'output',
  'lock',
  'disk',
  'client',
  'vm',
  'info',
  'violation',
] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

export type TraceValue = string | number | boolean | null;
export type TraceDetail = Readonly<Record<string, TraceValue>>;
export type TraceEntry = readonly [timeUs: number, kind: TraceKind, subject: string, detail: TraceDetail];

export interface Trace {
  version: typeof TRACE_VERSION;
  seed: number;
  /** What was recorded (see the detail levels above); two traces compare only at the same level. */
  detail: TraceDetailName;
  /** Entries counted, stored or not. */
  entriesTotal: number;
  truncated: boolean;
  /** FNV-1a (hex) over the JSON of every entry, in order. */
  digest: string;
  entries: TraceEntry[];
}

/** Sees every entry as it is recorded; `position` is its index in the full (untruncated) trace. */
export type TraceObserver = (entry: TraceEntry, position: number) => void;

export class TraceRecorder {
  private readonly entries: TraceEntry[] = [];
  private readonly observers: TraceObserver[] = [];
  private count = 0;
  private hash = 0x811c9dc5;

  /** Recording level: test `detail >= TRACE_DETAIL_MESSAGES` (etc.) before building an entry. */
  readonly detail: number;

  constructor(
    readonly seed: number,
    readonly entriesMax: number = TRACE_ENTRIES_MAX_DEFAULT,
    detail: TraceDetailName = 'all',
  ) {
    assert(Number.isInteger(entriesMax) && entriesMax >= 0, 'traceEntriesMax must be a non-negative integer');
    this.detail = traceDetailLevel(detail);
  }

  /** Index the next entry will get. */
  get position(): number {
    return this.count;
  }

  observe(observer: TraceObserver): void {
    this.observers.push(observer);
  }

  record(timeUs: number, kind: TraceKind, subject: string, detail: TraceDetail = {}): void {
    assert(Number.isInteger(timeUs) && timeUs >= 0, 'trace time must be a non-negative integer');
    const entry: TraceEntry = [timeUs, kind, subject, detail];
    this.hash = hashTraceEntry(this.hash, timeUs, kind, subject, detail);
    const position = this.count++;
    if (this.entries.length < this.entriesMax) this.entries.push(entry);
    for (const observer of this.observers) observer(entry, position);
  }

  get digest(): string {
    return this.hash.toString(16).padStart(8, '0');
  }

  toJSON(): Trace {
    return {
      version: TRACE_VERSION,
      seed: this.seed,
      detail: TRACE_DETAIL_NAMES[this.detail]!,
      entriesTotal: this.count,
      truncated: this.count > this.entries.length,
      digest: this.digest,
      entries: this.entries.slice(),
    };
  }

  /** Stored entries, read-only view (for timelines and tests). */
  stored(): readonly TraceEntry[] {
    return this.entries;
  }
}

/** One line per entry ("12.500ms fault h1 kind=crash"), for timelines and diffs. */
export function formatTraceEntry(entry: TraceEntry): string {
  const [timeUs, kind, subject, detail] = entry;
  const fields = Object.entries(detail)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const ms = (timeUs / 1000).toFixed(3);
  return `${ms}ms ${kind} ${subject}${fields === '' ? '' : ` ${fields}`}`;
}
