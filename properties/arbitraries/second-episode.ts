// A second episode: once the run's faults and scenarios have played out, one of the pair fails —
// the primary (its secondary goes live) or the secondary (the primary goes on alone) — and once
// the cluster had time to re-protect the VM, the secondary fails again: the same host that claimed
// the lock the first time claims it a second time. Both failures may meet storage trouble (lost
// requests and replies for a while), and the run's scenarios (the storage aftershock, the double
// fault, …) strike again after each, as they did after the run's own faults.
//
// Why: what one episode leaves behind must not shape the next. A failover or continue-alone is
// judged in every run, but nearly always once per host; a host that claims the lock, reissues its
// pending I/O or backs off its storage retries twice in one run came up almost never, so state
// carried across episodes — a retry backoff never reset after the reply that ended it, a counter
// or a fence kept from the last go-live — had nothing to act on (fault hunt 14: a test-and-set
// backoff never reset escaped 600 runs; it shows only when the same host's second lock claim
// meets lost storage replies).
//
// Drawn after every other field of a run, so adding it left every other draw of a seed as it was.
import fc from 'fast-check';
import { type FuzzFault, lastFaultUs, oneRunIn } from './fault-schedule.ts';

export interface SecondEpisode {
  /** The role that fails first: the primary (a failover), or the secondary (the primary goes on alone). */
  first: 'primary' | 'secondary';
  /** From the schedule's last fault to the first failure, then to the second: time to re-protect. */
  gapMs: number;
  /**
   * Storage trouble for a while around each of the two lock claims, drawn apart (none: a calm
   * storage): slow (round trips past the storage timeout: requests time out and back off) or cut
   * (every request or reply lost; the storage network's transport retransmits, so only a loss
   * rate of 1 loses them all). A slow first claim leaves a backed-off timeout behind; a cut in the
   * second loses the attempt that must not inherit it.
   */
  troubles: [StorageTrouble | undefined, StorageTrouble | undefined];
}

type StorageTrouble = { afterMs: number; forMs: number } & ({ kind: 'slow'; ms: number } | { kind: 'cut' });

const trouble: fc.Arbitrary<StorageTrouble | undefined> = fc.option(
  fc.oneof(
    fc.record({
      // Before the detection timeout (the lock is claimed once the failure is detected) or after.
      afterMs: fc.integer({ min: 0, max: 40 }).map((n) => n * 10),
      forMs: fc.integer({ min: 2, max: 20 }).map((n) => n * 100),
      kind: fc.constant('slow' as const),
      ms: fc.integer({ min: 15, max: 90 }).map((n) => n * 10),
    }),
    fc.record({
      afterMs: fc.integer({ min: 0, max: 40 }).map((n) => n * 10),
      forMs: fc.integer({ min: 1, max: 8 }).map((n) => n * 100),
      kind: fc.constant('cut' as const),
    }),
  ),
  { nil: undefined, freq: 4 },
);

const episode: fc.Arbitrary<SecondEpisode> = fc.record({
  first: fc.constantFrom<SecondEpisode['first']>('secondary', 'primary'),
  gapMs: fc.integer({ min: 12, max: 30 }).map((n) => n * 100),
  troubles: fc.tuple(trouble, trouble),
});

/** None in seven runs of eight. */
export function secondEpisodeArb(): fc.Arbitrary<SecondEpisode | undefined> {
  return oneRunIn(8, episode);
}

/**
 * `faults` (the run's own, with its scenarios), then the two failures, each followed by the
 * storage trouble and by what `scenarios` adds to a schedule ending in it.
 */
export function withSecondEpisode(
  faults: readonly FuzzFault[],
  e: SecondEpisode,
  scenarios: (faults: FuzzFault[]) => FuzzFault[],
): FuzzFault[] {
  let all = [...faults];
  for (const [n, role] of [e.first, 'secondary'].entries()) {
    const failMs = lastFaultUs(all) / 1000 + e.gapMs;
    all.push({ at: `${failMs}ms`, kind: 'crash', host: role });
    const trouble = e.troubles[n];
    if (trouble !== undefined) {
      const [set, lift] =
        trouble.kind === 'slow'
          ? [
              { kind: 'delay', ms: trouble.ms },
              { kind: 'delay', ms: 0 },
            ]
          : [
              { kind: 'loss', rate: 1 },
              { kind: 'loss', rate: 0 },
            ];
      all.push(
        { at: `${failMs + trouble.afterMs}ms`, network: 'storage', ...set },
        { at: `${failMs + trouble.afterMs + trouble.forMs}ms`, network: 'storage', ...lift },
      );
    }
    all = scenarios(all);
  }
  return all;
}
