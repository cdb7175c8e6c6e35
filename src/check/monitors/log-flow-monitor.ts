// The log channel's flow control is live (I7): once the secondary has advertised room for log the
// primary has written and not yet sent, the primary sends it — at its next slice, or at the next
// heartbeat tick when its VM idles. A primary that ignores the window its secondary reopened (an
// acknowledgement that frees buffer space without acknowledging new bytes), or whose window
// arithmetic is off, stops its stream for good while heartbeats and keepalives still flow: no
// output is released again, and nothing else tells a stalled stream from a quiet one until the
// clients give up.
//
// The other half of flow control is safety: the primary sends only within the window the
// secondary advertised, so a segment always fits the secondary's receive buffer. A segment that
// does not (the secondary keeps what fits and drops the rest) shows a window advertised or obeyed
// wrongly: the dropped bytes must be sent again, and a primary that keeps overrunning its
// secondary wastes the logging link and delays every acknowledgement. Reported at once.
//
// The monitor keeps its own view from what crossed the channel: the window end the latest
// acknowledgement the primary took advertised (received + room; an older one delivered late, a
// duplicate, only makes it smaller, so a correct sender never knows less) and the furthest log
// offset the primary sent. Written log that fits that window and stays unsent from one
// acknowledgement to another two heartbeat intervals (plus a slice) later is a violation.
import type { Cluster } from '../../cluster/cluster.ts';
import type { ClusterObserver } from '../../cluster/observer.ts';
import { dropInstanceRecords, ENGAGED_PRIMARY, EngagedPrimaries, instanceKey } from './engaged-primaries.ts';
import type { MonitorSink } from './violation.ts';

interface Stream {
  /** Furthest offset sent. */
  sent: number;
  /** Window end the latest acknowledgement taken advertised: received bytes + room. */
  windowEnd: number;
  /** Since when sendable log has waited (−1: none waiting). */
  waitingSinceUs: number;
}

export class LogFlowMonitor implements ClusterObserver {
  /** By `vm|host|serial`. */
  private readonly streams = new Map<string, Stream>();
  private readonly engaged = new EngagedPrimaries();

  constructor(
    private readonly sink: MonitorSink,
    private readonly cluster: Cluster,
  ) {}

  /** How long sendable log may wait: an idle primary sends at its next heartbeat tick. */
  private boundUs(): number {
    const config = this.cluster.config;
    return 2 * config.heartbeatIntervalUs + config.sliceUs;
  }

  agentState(vm: string, host: string, _from: string, to: string): void {
    this.engaged.set(vm, host, to);
    if (to === ENGAGED_PRIMARY) return;
    // Not an engaged primary (yet, or any more): nothing it must send; a new pairing starts afresh.
    dropInstanceRecords(this.streams, vm, host);
  }

  private stream(key: string): Stream {
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { sent: 0, windowEnd: 0, waitingSinceUs: -1 };
      this.streams.set(key, stream);
    }
    return stream;
  }

  logShipped(vm: string, host: string, serial: number, endOffset: number): void {
    if (!this.engaged.has(vm, host)) return;
    const stream = this.stream(instanceKey(vm, host, serial));
    if (endOffset <= stream.sent) return;
    stream.sent = endOffset;
    stream.waitingSinceUs = -1;
  }

  logOverrun(vm: string, host: string, segmentEnd: number, receivedBytes: number, bufferBytes: number): void {
    this.sink.report({
      invariant: 'I7',
      vm,
      host,
      message: `${host}, the secondary of ${vm}, was sent log up to byte ${segmentEnd} but had room only up to byte ${receivedBytes} (receive buffer ${bufferBytes} bytes): its primary sent past the window the secondary advertised, and the bytes beyond were dropped`,
    });
  }

  logAcked(
    vm: string,
    host: string,
    serial: number,
    receivedBytes: number,
    windowBytes: number,
    writtenBytes: number,
  ): void {
    if (!this.engaged.has(vm, host)) return;
    const stream = this.stream(instanceKey(vm, host, serial));
    stream.windowEnd = receivedBytes + windowBytes;
    if (receivedBytes > stream.sent) stream.sent = receivedBytes;
    const now = this.sink.now();
    const sendable = Math.min(writtenBytes, stream.windowEnd) > stream.sent;
    if (!sendable) {
      stream.waitingSinceUs = -1;
      return;
    }
    if (stream.waitingSinceUs < 0) {
      stream.waitingSinceUs = now;
      return;
    }
    const waitedUs = now - stream.waitingSinceUs;
    if (waitedUs <= this.boundUs()) return;
    this.sink.report({
      invariant: 'I7',
      vm,
      host,
      message: `${host}, the engaged primary of ${vm}, sent no log past byte ${stream.sent} for ${(waitedUs / 1000).toFixed(1)} ms although it had written ${writtenBytes} bytes and its secondary had room up to byte ${stream.windowEnd}: the stream stopped while the secondary waited (allowed: ${(this.boundUs() / 1000).toFixed(1)} ms)`,
    });
  }
}
