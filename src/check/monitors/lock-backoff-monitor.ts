// I5 recovery, the lock claim's pace: a claim (a secondary going live, or a primary that lost its
// secondary going on alone) retries its test-and-set until the array answers, each unanswered
// attempt waited for at most twice as long as the one before, starting from one storage timeout
// (storage-backoff.ts: the backoff that lets a reply through a slow array). A claim starts its
// backoff afresh — the reply that ended the last claim, or the crash, reset it — so whatever
// happened before, the k-th attempt of a claim is followed by the next within 2^(k−1) storage
// timeouts and a retry pause, the bound with every attempt before it timed out. A claim that waits
// longer (a backoff carried over from an earlier claim, a timeout that grows too fast, a retry
// never sent) costs the go-live seconds that the failover bound hides whenever the lost attempt is
// the last one (fault hunt 14: a backoff never reset after a reply made a second claim wait 800 ms
// for a request lost in a 300 ms storage cut, inside the 1 s bound).
//
// Judged on what the host did: the requests it issued, timed by the simulator, between its agent
// entering a lock-claiming state and leaving it.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import { BACKOFF_TIMEOUTS_MAX } from './storage-backoff.ts';
import type { MonitorSink } from './violation.ts';

interface Claim {
  /** Test-and-set attempts issued in this claim. */
  attempts: number;
  /** When the last one was issued. */
  lastUs: number;
}

const isClaiming = (state: string) => state.endsWith('acquiringLock');

export class LockBackoffMonitor implements ClusterObserver {
  /** Open claims by "vm|host". */
  private readonly claims = new Map<string, Claim>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  agentState(vm: string, host: string, from: string, to: string): void {
    const key = `${vm}|${host}`;
    if (isClaiming(to) && !isClaiming(from)) this.claims.set(key, { attempts: 0, lastUs: -1 });
    else if (!isClaiming(to)) this.claims.delete(key);
  }

  storageRequested(host: string, op: string, vm: string): void {
    if (op !== 'test-and-set') return;
    const key = `${vm}|${host}`;
    const claim = this.claims.get(key);
    if (claim === undefined) return;
    const now = this.sink.now();
    if (claim.attempts > 0) this.judge(vm, host, claim, now);
    claim.attempts++;
    claim.lastUs = now;
  }

  end(timeUs: number): void {
    // A claim still open whose last attempt was never followed up in time.
    for (const [key, claim] of this.claims) {
      if (claim.attempts === 0) continue;
      const [vm, host] = key.split('|') as [string, string];
      if (timeUs > claim.lastUs + this.waitUs(claim.attempts)) this.judge(vm, host, claim, timeUs, true);
    }
  }

  /** The longest the `attempt`-th attempt of a claim may be waited for before the next one. */
  private waitUs(attempt: number): number {
    const config = this.cluster.config;
    const doublings = Math.min(2 ** (attempt - 1), BACKOFF_TIMEOUTS_MAX);
    return doublings * config.storageTimeoutUs + config.storageRetryUs;
  }

  private judge(vm: string, host: string, claim: Claim, nowUs: number, never = false): void {
    const allowedUs = this.waitUs(claim.attempts);
    if (nowUs - claim.lastUs <= allowedUs) return;
    const key = `${vm}|${host}|${claim.lastUs}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const config = this.cluster.config;
    const waited = never
      ? `was not followed by another by the end of the run, ${ms(nowUs - claim.lastUs)} later`
      : `was followed by the next ${ms(nowUs - claim.lastUs)} later`;
    this.sink.report({
      invariant: 'I5',
      vm,
      host,
      timeUs: claim.lastUs + allowedUs,
      message: `${host}'s test-and-set attempt ${claim.attempts} of its claim of ${vm}'s lock (sent at ${ms(claim.lastUs)}) ${waited}; with at most ${claim.attempts - 1} timeouts before it in this claim it may be waited for ${ms(allowedUs - config.storageRetryUs)} (storage timeout ${ms(config.storageTimeoutUs)}, doubling per timeout) plus the ${ms(config.storageRetryUs)} retry pause: a lock claim starts its backoff afresh`,
    });
  }
}

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
