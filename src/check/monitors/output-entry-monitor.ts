// The Output Rule, its safety half, judged from the log itself (I4): a primary with a secondary
// attached lets an output out only once that secondary has acknowledged the log entry of the
// instruction that produced it. Without that, a failover right after the release loses an output
// the world saw. Attached means engaged; also after the secondary fell silent, while the primary
// contends for the lock (the secondary may win it and go live with what it acknowledged); and
// while a new secondary is being created: from
// the snapshot the primary took for it until it engages (the primary is stunned then; whatever it
// let out past the snapshot would be missing from the new secondary).
//
// The monitor trusts none of the primary's bookkeeping (where the recorder says an entry ends,
// what the gate holds): it reads the log stream from the bytes the primary shipped, with its own
// reading of the wire format (log-scanner.ts, not the product's decoder, whose bugs it would
// share), to find where each output entry ends, and keeps the furthest offset
// an acknowledgement that reached the primary covered. An output released while its entry is
// unacknowledged, or was never shipped at all, is a violation at that instant; a failover need
// not follow. A stream it cannot follow (a gap, bytes the format refuses) is not judged: the
// replayer and the lockstep monitor speak for those.
import type { ClusterObserver, WorldOutput } from '../../cluster/observer.ts';
import { ENGAGED_PRIMARY, EngagedPrimaries, instanceKey } from './engaged-primaries.ts';
import { type FollowedStream, followShipped, LogScanner } from './log-scanner.ts';
import type { MonitorSink } from './violation.ts';

const SYNCING = 'secondary.syncing';
/**
 * A primary whose secondary fell silent, before it has won the test-and-set: the secondary may be
 * alive and win the lock instead, going live with only the log it acknowledged. Until the primary
 * knows it is alone, the Output Rule still binds it to that secondary.
 */
const CONTENDING = 'primary.acquiringLock';

/** Why the monitor judges a release: the primary is engaged, contending, or feeding a syncing secondary. */
type Role = 'engaged' | 'contending' | 'syncing';

/** OutputKind's values, in order (log-entry.ts). */
const KIND_NAMES = ['console', 'nic', 'disk'] as const;

/** One log stream as the monitor read it. */
interface Stream extends FollowedStream {
  /** The instret of the stream's start entry (−1 until decoded). */
  startInstret: number;
  /** Output entries not yet matched to a release, oldest first: kind index, instret, end offset. */
  kinds: number[];
  instrets: number[];
  ends: number[];
  head: number;
  /** The furthest offset an acknowledgement that reached the primary covered. */
  acked: number;
}

function newStream(): Stream {
  return {
    scanner: new LogScanner(),
    startInstret: -1,
    kinds: [],
    instrets: [],
    ends: [],
    head: 0,
    acked: 0,
    lost: false,
    start(instret) {
      this.startInstret = instret;
    },
    output(kind, instret, endOffset) {
      this.kinds.push(kind);
      this.instrets.push(instret);
      this.ends.push(endOffset);
    },
  };
}

export class OutputEntryMonitor implements ClusterObserver {
  /** By `vm|host|serial`: the primary instance's current stream. */
  private readonly streams = new Map<string, Stream>();
  private readonly engaged = new EngagedPrimaries();
  /** By `vm|host`: when (in hook order) an instance entered `secondary.syncing`, while it is there. */
  private readonly syncingSince = new Map<string, number>();
  /**
   * By `vm|host|serial`: the snapshot the primary instance took for a new secondary — the
   * target's `vm|host` key, when it entered `secondary.syncing`, and the snapshot's instruction.
   */
  private readonly snapshots = new Map<string, { target: string; since: number; instret: number }>();
  /** Hook order: a counter, so that "the same syncing stretch" never depends on equal times. */
  private tick = 0;

  constructor(private readonly sink: MonitorSink) {}

  agentState(vm: string, host: string, _from: string, to: string): void {
    this.engaged.set(vm, host, to);
    if (to === SYNCING) this.syncingSince.set(`${vm}|${host}`, ++this.tick);
    else this.syncingSince.delete(`${vm}|${host}`);
  }

  /**
   * The primary starts a stream for a new secondary: judged from the snapshot on while that
   * secondary syncs. What was decoded before belongs to an earlier pairing (a primary snapshots
   * only with no stream attached).
   */
  snapshotTaken(vm: string, host: string, serial: number, target: string, instret: number): void {
    const key = instanceKey(vm, host, serial);
    this.streams.delete(key);
    const since = this.syncingSince.get(`${vm}|${target}`);
    if (since === undefined) this.snapshots.delete(key);
    else this.snapshots.set(key, { target: `${vm}|${target}`, since, instret });
  }

  /** Whether `output` left while its instance's new secondary syncs from a snapshot before it. */
  private whileSyncing(output: WorldOutput): boolean {
    const snapshot = this.snapshots.get(instanceKey(output.vm, output.host, output.serial));
    return (
      snapshot !== undefined &&
      output.acting &&
      output.instret > snapshot.instret &&
      this.syncingSince.get(snapshot.target) === snapshot.since
    );
  }

  logShipped(vm: string, host: string, serial: number, endOffset: number, bytes: Uint8Array): void {
    followShipped(this.streams, instanceKey(vm, host, serial), endOffset, bytes, newStream);
  }

  ackArrived(vm: string, host: string, serial: number, receivedBytes: number): void {
    const stream = this.streams.get(instanceKey(vm, host, serial));
    if (stream !== undefined && receivedBytes > stream.acked) stream.acked = receivedBytes;
  }

  worldOutput(output: WorldOutput): void {
    const state = this.engaged.state(output.vm, output.host);
    const engaged = state === ENGAGED_PRIMARY;
    const contending = state === CONTENDING;
    if (!engaged && !contending && !this.whileSyncing(output)) return;
    const role: Role = engaged ? 'engaged' : contending ? 'contending' : 'syncing';
    const stream = this.streams.get(instanceKey(output.vm, output.host, output.serial));
    if (stream === undefined && role === 'syncing') {
      this.notShipped(output, role, 0);
      return;
    }
    if (stream === undefined || stream.lost || stream.startInstret < 0) return;
    // Produced at the boundary the stream starts from or before: not the stream's to cover.
    if (output.instret <= stream.startInstret) return;
    const kind = KIND_NAMES.indexOf(output.kind);
    // Releases follow production order: entries before this one were released unjudged (while
    // the agent was not engaged) and are passed over.
    let at = stream.head;
    while (at < stream.ends.length && stream.instrets[at]! < output.instret) at++;
    while (at < stream.ends.length && stream.instrets[at] === output.instret && stream.kinds[at] !== kind)
      at++;
    if (at === stream.ends.length || stream.instrets[at] !== output.instret) {
      this.notShipped(output, role, stream.scanner.tailOffset);
      return;
    }
    stream.head = at + 1;
    const end = stream.ends[at]!;
    if (end > stream.acked) {
      this.sink.report({
        invariant: 'I4',
        vm: output.vm,
        host: output.host,
        message: `${who(output, role)} released ${what(output)} before its secondary acknowledged the output's log entry (ending at byte ${end}; acknowledged through byte ${stream.acked}): a failover now would lose an output the world saw`,
      });
    }
    this.compact(stream);
  }

  private notShipped(output: WorldOutput, role: Role, sentBytes: number): void {
    this.sink.report({
      invariant: 'I4',
      vm: output.vm,
      host: output.host,
      message: `${who(output, role)} released ${what(output)} whose log entry it had not sent its secondary (log sent through byte ${sentBytes}): the Output Rule lets an output out only after its entry is acknowledged`,
    });
  }

  /** Drops matched entries once they make up most of the arrays (amortised, no per-release shift). */
  private compact(stream: Stream): void {
    if (stream.head < 1024 || stream.head * 2 < stream.ends.length) return;
    stream.kinds.splice(0, stream.head);
    stream.instrets.splice(0, stream.head);
    stream.ends.splice(0, stream.head);
    stream.head = 0;
  }
}

/** The releasing primary, as a violation names it (built only for a report). */
function who(output: WorldOutput, role: Role): string {
  if (role === 'contending') {
    return `${output.host}, the primary of ${output.vm} contending for the lock after its secondary fell silent,`;
  }
  return role === 'engaged'
    ? `${output.host}, the engaged primary of ${output.vm},`
    : `${output.host}, the primary of ${output.vm} with a new secondary syncing from its snapshot,`;
}

/** The released output, as a violation names it. */
function what(output: WorldOutput): string {
  return `its ${output.kind} output #${output.index} (instruction ${output.instret})`;
}
