// A quiet service: the guest runs no timer (`kvstore-quiet`) and its one client waits longer than
// failure detection's timeouts between requests. Between two requests the pair has nothing to
// log, so the only traffic on the logging channel is the primary's keepalives and the
// secondary's acknowledgements of them: each side then knows the other is alive from those alone.
// A correct pair stays engaged through any number of such stretches (I8: no failover without a
// failure); one whose keepalives go unanswered, or whose silence detection counts only log bytes,
// fails over a healthy pair. One run in eight is quiet.
//
// Why: both other guests tick every 10 ms, so their log and acknowledgements never pause for
// more than a few milliseconds and a keepalive never has to carry liveness on its own (fault
// hunt 10: a secondary that stopped acknowledging keepalives went unnoticed in 600 runs).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import type { RunSpec } from '../../src/check/fuzz/run-spec.ts';
import { CLUSTER_CONFIG_DEFAULT } from '../../src/cluster/config.ts';
import { oneRunIn } from './fault-schedule.ts';

export interface QuietService {
  /** The client's pause between requests, in tenths of the longer detection timeout (13–30). */
  paceTenths: number;
}

/** None in seven runs of eight. */
export function quietServiceArb(): fc.Arbitrary<QuietService | undefined> {
  return oneRunIn(8, fc.record({ paceTenths: fc.integer({ min: 13, max: 30 }) }));
}

/**
 * The spec with the quiet guest and one client per VM pausing `paceTenths`/10 of the longer of
 * the heartbeat and logging timeouts between requests (so a pause always outlasts detection).
 */
export function withQuietService(spec: RunSpec, quiet: QuietService): RunSpec {
  const timeoutUs = Math.max(
    spec.config.heartbeatTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.heartbeatTimeoutUs,
    spec.config.loggingTimeoutUs ?? CLUSTER_CONFIG_DEFAULT.loggingTimeoutUs,
  );
  return {
    ...spec,
    guest: 'kvstore-quiet',
    clientsPerVm: 1,
    requestIntervalUs: Math.ceil((timeoutUs * quiet.paceTenths) / 10),
  };
}
