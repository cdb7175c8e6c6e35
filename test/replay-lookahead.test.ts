// The secondary's lookahead is a cost knob: a replayer that decodes only a few log entries ahead
// of its VM, and so compacts its lookahead every few entries with reads and outputs still ahead,
// must replay exactly as with the default 4096 (which these guests never come near: the deepest
// lookahead seen in fuzzing is 81). A slow secondary scans ahead between the log's reads; a
// compaction that loses its place shows as I1 ("could not follow the log") within a second.
// The fuzz generator draws these sizes in one run in four or so (properties/arbitraries/run-spec.ts).
import { describe, expect, it } from 'vitest';
import { type RunSpec, runOptionsOf } from '../src/check/fuzz/run-spec.ts';
import { runFt } from '../src/check/monitors/ft-run.ts';

/** Three hosts, two clients per VM, h2 (the first secondary) slowed 5× from the start. */
function slowSecondarySpec(guest: RunSpec['guest'], replayLookaheadEntries: number): RunSpec {
  return {
    seed: 1,
    guest,
    durationUs: 1_500_000,
    config: { hosts: 3, replayLookaheadEntries },
    clientsPerVm: 2,
    requestIntervalUs: 5000,
    checkDeterminism: false,
    schedule: { version: 1, faults: [{ at: '0ms', kind: 'slow', host: 'h2', factor: 5 }] },
  };
}

describe('replay lookahead of a few entries', () => {
  it.each([
    ['ledger', 2],
    ['ledger', 4],
    ['kvstore', 2],
    ['kvstore', 3],
  ] as const)('%s with a lookahead of %i behind a slow secondary: no violation', (guest, lookahead) => {
    const result = runFt(runOptionsOf(slowSecondarySpec(guest, lookahead), null));
    expect(result.violations.map((v) => v.message)).toEqual([]);
    expect(result.clients.reduce((sum, client) => sum + client.answered, 0)).toBeGreaterThan(0);
  });

  it('refuses a lookahead below one entry, naming the field', () => {
    expect(() => runOptionsOf(slowSecondarySpec('kvstore', 0), null)).toThrow(/replayLookaheadEntries/);
  });
});
