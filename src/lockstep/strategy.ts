// The data plane's decisions, bound by name (xstate style): the correct implementation and the
// seeded bugs (src/lockstep/bugs.ts) are alternative values of this one object, so no bug is an
// `if` scattered through the recorder or the replayer.
import { Nondet, type VmInput } from '../vm/api.ts';
import type { LogEntrySink } from './log-entry.ts';
import { type ReleasePolicy, releaseAfterAck } from './output-gate.ts';

export interface DataPlaneStrategy {
  /** 'correct' or the seeded bug's name. */
  readonly name: string;
  /** Recorder: the sink the recorder writes entries through (a bug may drop or reorder them). */
  wrapSink(sink: LogEntrySink): LogEntrySink;
  /** Recorder: when a held output may be released (Output Rule). */
  readonly releasePolicy: ReleasePolicy;
  /** Replayer: instructions after its logged boundary at which an input is injected. */
  injectionDelay(input: VmInput): number;
  /** Replayer: whether reads of `source` are answered from the log (else the secondary's own host). */
  replaysNondet(source: Nondet): boolean;
  /** Replayer: whether the secondary's outputs are suppressed. */
  readonly suppressesOutput: boolean;
}

export const correctStrategy: DataPlaneStrategy = {
  name: 'correct',
  wrapSink: (sink) => sink,
  releasePolicy: releaseAfterAck,
  injectionDelay: () => 0,
  replaysNondet: () => true,
  suppressesOutput: true,
};

export function isTimeSource(source: Nondet): boolean {
  return (
    source === Nondet.TimeLo ||
    source === Nondet.TimeHi ||
    source === Nondet.MtimeLo ||
    source === Nondet.MtimeHi
  );
}
