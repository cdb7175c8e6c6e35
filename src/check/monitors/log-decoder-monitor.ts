// The secondary reads the log the primary wrote (I1). The secondary's replayer decodes the stream
// with the product's LogReader as segments arrive, so an entry cut by a segment or by the window
// is read in two goes; a reader that keeps state from the first go (a delta applied twice, a
// position not rolled back) replays entries at the wrong instructions, and lockstep is lost —
// but only in the runs where the replayer happens to read between the two halves. This monitor
// makes every cut count: it feeds each shipped segment, as it leaves, to its own instance of the
// product's reader and compares every entry it returns with the checker's own reading of the wire
// format (log-scanner.ts): the same instruction, ending at the same stream offset. The first
// disagreement is reported, with both readings.
import type { ClusterObserver } from '../../cluster/observer.ts';
import { ByteQueue } from '../../lockstep/byte-queue.ts';
import { LogFormatError, LogReader } from '../../lockstep/log-codec.ts';
import { instanceKey } from './engaged-primaries.ts';
import { type FollowedStream, followShipped, LogScanner } from './log-scanner.ts';
import type { MonitorSink } from './violation.ts';

/** One stream: both readers, and the entries the scanner read that the product's has not yet. */
interface Stream extends FollowedStream {
  reader: LogReader;
  instrets: number[];
  ends: number[];
  head: number;
  /** Entries compared so far. */
  compared: number;
}

function newStream(): Stream {
  return {
    scanner: new LogScanner(),
    reader: new LogReader(new ByteQueue(4096, 0)),
    instrets: [],
    ends: [],
    head: 0,
    compared: 0,
    lost: false,
    start() {},
    output() {},
    entry(_tag, instret, endOffset) {
      this.instrets.push(instret);
      this.ends.push(endOffset);
    },
  };
}

export class LogDecoderMonitor implements ClusterObserver {
  /** By `vm|host|serial`: the primary instance's current stream. */
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly sink: MonitorSink) {}

  logShipped(vm: string, host: string, serial: number, endOffset: number, bytes: Uint8Array): void {
    const followed = followShipped(this.streams, instanceKey(vm, host, serial), endOffset, bytes, newStream);
    if (followed === null) return;
    followed.stream.reader.queue.pushBytes(followed.fresh);
    this.compare(vm, host, followed.stream);
  }

  private compare(vm: string, host: string, stream: Stream): void {
    const reader = stream.reader;
    for (;;) {
      let entry: ReturnType<LogReader['next']>;
      try {
        entry = reader.next();
      } catch (error) {
        if (!(error instanceof LogFormatError)) throw error;
        this.disagree(vm, host, stream, `refused it: ${error.message}`);
        return;
      }
      if (entry === null) break;
      const at = stream.head;
      if (at >= stream.instrets.length) {
        this.disagree(
          vm,
          host,
          stream,
          `read an entry (instruction ${entry.instret}) the format does not hold there`,
        );
        return;
      }
      const end = reader.queue.headOffset;
      if (entry.instret !== stream.instrets[at] || end !== stream.ends[at]) {
        this.disagree(
          vm,
          host,
          stream,
          `read it as instruction ${entry.instret} ending at byte ${end}; the primary wrote instruction ${stream.instrets[at]} ending at byte ${stream.ends[at]}`,
        );
        return;
      }
      stream.head++;
      stream.compared++;
    }
    if (stream.head >= 1024) {
      stream.instrets.splice(0, stream.head);
      stream.ends.splice(0, stream.head);
      stream.head = 0;
    }
  }

  private disagree(vm: string, host: string, stream: Stream, what: string): void {
    stream.lost = true;
    this.sink.report({
      invariant: 'I1',
      vm,
      host,
      message: `the log reader the secondary replays with, given ${host}'s stream of ${vm} as it was shipped, ${what} (entry #${stream.compared + 1}): a secondary reading it so replays a different log from the one its primary recorded`,
    });
  }
}
