// What a storage outage costs after it ends. A storage request that timed out is retried with a
// doubled timeout — at most BACKOFF_TIMEOUTS_MAX times the storage timeout — as retrying storage
// stacks do (SCSI command timeouts, TCP's retransmission timer): a host cannot tell a cut path
// from a slow array, and without the backoff a slow array would time out every retry. So when a
// cut heals, the attempt in flight was sent with a timeout that grew with the outage: the first
// reply can come that long after the heal. The timeouts before it add up to at least the one in
// flight less one storage timeout, so the one in flight is at most the outage plus one storage
// timeout; a retry pause follows it. An implementation that backs off further than that, or never
// retries, is still reported.
import type { ClusterConfig } from '../../cluster/config.ts';
import type { StorageSilence } from './environment-truth.ts';

/** The longest timeout a storage retry may wait, in storage timeouts. */
export const BACKOFF_TIMEOUTS_MAX = 64;

/**
 * How much later than `clockStartUs` a host's first storage reply may come because of the outage
 * `silence` (none: 0): the attempt in flight at the heal, then a retry pause.
 */
export function storageBackoffUs(
  config: ClusterConfig,
  silence: StorageSilence | null,
  clockStartUs: number,
): number {
  if (silence === null) return 0;
  const lengthUs = silence.toUs - silence.fromUs;
  const inFlightUs = Math.min(
    lengthUs + config.storageTimeoutUs,
    BACKOFF_TIMEOUTS_MAX * config.storageTimeoutUs,
  );
  return Math.max(0, silence.toUs + inFlightUs + config.storageRetryUs - clockStartUs);
}
