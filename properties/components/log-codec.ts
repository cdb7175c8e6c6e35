// The log codec (src/lockstep/log-codec.ts) read as the secondary reads it: a stream of entries
// arrives in segments cut anywhere — mid-entry, mid-varint, one byte at a time — and the reader
// must give back exactly the entries written, each at its own instruction count, no matter where
// the cuts fall. The cluster cuts the stream only where its segment size and buffer say, so a
// reader that mishandles an entry split in some places is seen in a cluster run only when a run
// happens to cut there (fault hunt 13: a reader that kept an incomplete entry's instruction delta
// was first caught at run 200).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { ByteQueue } from '../../src/lockstep/byte-queue.ts';
import { encodeLog, LogReader } from '../../src/lockstep/log-codec.ts';
import type { LogEntry } from '../../src/lockstep/log-entry.ts';
import { logArb } from '../arbitraries/log-stream.ts';
import type { ComponentCheck } from './component-check.ts';

/** The entries a reader gives back from `bytes` pushed in segments of the given sizes (cycled). */
export function readInSegments(
  bytes: Uint8Array,
  cuts: readonly number[],
): { entries: LogEntry[]; left: number } {
  const reader = new LogReader(new ByteQueue(16));
  const entries: LogEntry[] = [];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const end = Math.min(bytes.length, offset + 1 + cuts[i % cuts.length]!);
    reader.queue.pushBytes(bytes.subarray(offset, end));
    offset = end;
    for (let e = reader.next(); e !== null; e = reader.next()) entries.push(e);
  }
  return { entries, left: reader.queue.length };
}

const describeEntry = (entry: LogEntry | undefined) =>
  entry === undefined ? 'nothing' : `a ${entry.kind} entry at instruction ${entry.instret}`;

export const logCodecCheck: ComponentCheck = {
  name: 'log-codec',
  component: 'src/lockstep/log-codec.ts (LogReader)',
  invariant: 'I1',
  claim:
    'a log stream cut into segments anywhere is read back as exactly the entries written, each at its own instruction count',
  property: () =>
    fc.property(logArb, fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), (written, cuts) => {
      const { entries, left } = readInSegments(encodeLog(written), cuts);
      for (let i = 0; i < Math.max(written.length, entries.length); i++) {
        if (isDeepStrictEqual(entries[i], written[i])) continue;
        throw new Error(
          `entry #${i} was read back as ${describeEntry(entries[i])}; the primary wrote ${describeEntry(written[i])}`,
        );
      }
      if (left !== 0) throw new Error(`${left} bytes were left unread after the last entry`);
    }),
};
