// Lag control answers a slow secondary by slowing its primary, and only while the secondary lags
// (I8, proportionate response; the whitepaper: the primary's CPU limit is raised again as the
// backup catches up). A primary kept throttled while its secondary replays everything it runs
// almost at once is a service slowed for nothing — down to a stop at the last share — and no
// other invariant sees it: outputs still leave, only late.
//
// The monitor measures the lag itself, in time, from the checkpoints: how long after its primary
// ran a boundary the secondary replayed it. Once CAUGHT_UP_RUNS checkpoints in a row were replayed
// within a quarter of the low mark, and none run earlier waits longer than that, a primary that
// runs another checkpoint below the share lag
// control can climb back to is reported. The controller climbs one share per slice the primary
// runs while its estimate of the lag is below the low mark, and each checkpoint is such a slice;
// its estimate counts the slice it just ran and what the secondary replayed but has not yet
// acknowledged, so the monitor asks only for the highest share at which one whole slice takes the
// secondary at most a quarter of the low mark to replay (a secondary ×376 slower than its
// primary keeps the controller at 1/64 or above, not at full speed; one as fast, at full speed).
// Judged only on a calm pair: any fault, a change of speed included, restarts the count after
// SETTLE_US (a late acknowledgement may keep the primary's estimate high for a while).
import type { Cluster } from '../../cluster/cluster.ts';
import { LAG_LOW_MS, LAG_SHARES } from '../../cluster/lag-marks.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import type { Fault } from '../../sim/fault-schedule.ts';
import type { EnvironmentTruth } from './environment-truth.ts';
import type { MonitorSink } from './violation.ts';

/** Checkpoints in a row replayed within a quarter of the low mark before the primary must climb back. */
const CAUGHT_UP_RUNS = 12;
const CAUGHT_UP_LAG_US = (LAG_LOW_MS * 1000) / 4;
/** After a fault, checkpoints run this long after it start the count. */
const SETTLE_US = 200_000;

interface Stream {
  /** Primary checkpoints not yet replayed: instret and when the primary ran it. */
  instrets: number[];
  timesUs: number[];
  head: number;
  /** Checkpoints replayed in a row within the caught-up lag (after the last settle point). */
  caughtUp: number;
  reported: boolean;
}

export class ThrottleMonitor implements ClusterObserver {
  /** By `vm|stream`. */
  private readonly streams = new Map<string, Stream>();
  /** Checkpoints run before this time do not count as caught up. */
  private settledFromUs = 0;

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
    private readonly truth: EnvironmentTruth,
  ) {}

  fault(_fault: Fault): void {
    // Any fault — a slowdown too: the controller re-derives its marks from the new speed.
    this.settledFromUs = this.sink.now() + SETTLE_US;
    for (const stream of this.streams.values()) stream.caughtUp = 0;
  }

  primaryCheckpoint(vm: string, stream: number, instret: number): void {
    const key = `${vm}|${stream}`;
    let entry = this.streams.get(key);
    if (entry === undefined) {
      entry = { instrets: [], timesUs: [], head: 0, caughtUp: 0, reported: false };
      this.streams.set(key, entry);
    }
    const now = this.sink.now();
    entry.instrets.push(instret);
    entry.timesUs.push(now);
    if (entry.caughtUp < CAUGHT_UP_RUNS || entry.reported) return;
    // Caught up now, not only before: a checkpoint run earlier and still not replayed is a backlog
    // the controller rightly answers (a burst after a quiet stretch).
    const pending = entry.instrets.length - 1 - entry.head;
    if (pending > 0 && now - entry.timesUs[entry.head]! > CAUGHT_UP_LAG_US) return;
    const instances = this.cluster.vms.find((v) => v.name === vm)?.instances ?? [];
    const primary = instances.find(
      (i) => i.acting && i.streamId === stream && i.sender !== null && !i.disengaged,
    );
    const secondary = instances.find((i) => i.streamId === stream && i.agent.state === 'secondary.engaged');
    if (primary === undefined || secondary === undefined) return;
    const share = primary.lag?.share ?? 1;
    const slower = this.truth.slowFactor(secondary.host.name) / this.truth.slowFactor(primary.host.name);
    const top = topShare(slower, this.cluster.config.sliceUs);
    if (share >= top) return;
    entry.reported = true;
    this.sink.report({
      invariant: 'I8',
      vm,
      host: primary.host.name,
      message: `${primary.host.name}, the primary of ${vm}, ran at ${formatShare(share)} although its secondary on ${secondary.host.name} had replayed each of its last ${entry.caughtUp} checkpoints within ${CAUGHT_UP_LAG_US / 1000} ms (a quarter of the ${LAG_LOW_MS} ms low mark), and lag control climbs back to ${formatShare(top)} for a secondary ${formatFactor(slower)} its primary: it kept slowing a primary whose secondary kept up`,
    });
  }

  secondaryCheckpoint(vm: string, stream: number, _host: string, instret: number): void {
    const entry = this.streams.get(`${vm}|${stream}`);
    if (entry === undefined) return;
    while (entry.head < entry.instrets.length && entry.instrets[entry.head]! < instret) entry.head++;
    if (entry.head >= entry.instrets.length || entry.instrets[entry.head] !== instret) return;
    const ranUs = entry.timesUs[entry.head]!;
    entry.head++;
    if (entry.head > 1024) {
      entry.instrets.splice(0, entry.head);
      entry.timesUs.splice(0, entry.head);
      entry.head = 0;
    }
    const caughtUp = ranUs >= this.settledFromUs && this.sink.now() - ranUs <= CAUGHT_UP_LAG_US;
    entry.caughtUp = caughtUp ? entry.caughtUp + 1 : 0;
  }
}

/** The highest share at which one whole slice takes the secondary a quarter of the low mark to replay. */
function topShare(slower: number, sliceUs: number): number {
  for (const share of LAG_SHARES) if (share * slower * sliceUs <= CAUGHT_UP_LAG_US) return share;
  return 0;
}

function formatFactor(slower: number): string {
  if (slower === 1) return 'as fast as';
  return slower > 1
    ? `×${Number(slower.toFixed(2))} slower than`
    : `×${Number((1 / slower).toFixed(2))} faster than`;
}

function formatShare(share: number): string {
  if (share === 0) return 'share 0 (a stop)';
  return share === 1 ? 'full speed' : `share 1/${Math.round(1 / share)}`;
}
