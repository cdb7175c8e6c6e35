// The logging channel under a hostile transport (properties/components/log-channel.ts, which
// `ftcheck fuzz` and the gate run as a component check): whatever the adversary does, the
// receiver's stream is a byte-exact prefix of the sender's, and all of it once it calms down.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logChannelCheck, runLogChannel } from '../properties/components/log-channel.ts';
import { LOG_ENTRY_BYTES_MAX } from '../src/lockstep/log-codec.ts';

describe('log channel under a hostile transport', () => {
  it('delivers a byte-exact prefix of the stream, and all of it once the transport calms down', () => {
    fc.assert(logChannelCheck.property() as fc.IProperty<unknown[]>, { seed: 20261126, numRuns: 400 });
  });

  it('retransmissions do overlap what the receiver holds part-way (the adversary reaches the case)', () => {
    // Write, send, deliver the first segment, lose its ack, write more, rewind: the resent segment
    // starts before what the receiver holds and ends beyond it.
    const { sent, received } = runLogChannel({ segmentBytesMax: 10_000, windowBytes: LOG_ENTRY_BYTES_MAX }, [
      { op: 'write', entries: 10 },
      { op: 'send' },
      { op: 'deliver', pick: 0, duplicate: false },
      { op: 'dropAck', pick: 0 },
      { op: 'write', entries: 10 },
      { op: 'rewind' },
      { op: 'send' },
      { op: 'deliver', pick: 0, duplicate: false },
    ]);
    expect(received.length).toBeGreaterThan(0);
    expect(Buffer.from(received).equals(Buffer.from(sent))).toBe(true);
  });
});
