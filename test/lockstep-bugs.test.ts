// Every data-plane seeded bug, on a real guest that exercises it, is caught with a report that
// names the invariant, the first diverging instruction count and (for state divergences) what
// differs. The correct strategy on the same configuration is clean, so each catch is the bug's.
import { describe, expect, it } from 'vitest';
import { DATA_PLANE_BUGS, dataPlaneStrategy } from '../src/lockstep/bugs.ts';
import { DEFAULT_TIMING, type GuestName, guestPair } from './lockstep-guest-fixtures.ts';

/** The guest whose inputs the bug touches, and which check catches it (pinned). */
const CASES: Record<string, { guest: GuestName; kind: string }> = {
  'interrupt-late': { guest: 'clock', kind: 'state' },
  'dma-misplaced': { guest: 'ledger', kind: 'state' },
  'time-unlogged': { guest: 'clock', kind: 'state' },
  'output-not-suppressed': { guest: 'crc', kind: 'outputs' },
  'output-released-before-ack': { guest: 'crc', kind: 'output-rule' },
  'log-entry-dropped': { guest: 'clock', kind: 'state' },
  'log-entries-reordered': { guest: 'ledger', kind: 'replay' },
};

describe('data-plane seeded bugs on real guests', () => {
  for (const bug of DATA_PLANE_BUGS) {
    const { guest, kind } = CASES[bug.name]!;
    it(`catches ${bug.name} on ${guest}`, () => {
      const options = {
        strategy: dataPlaneStrategy(bug.name),
        strictCheck: true,
        checkEvery: 1,
        checkEveryBoundaryFrom: 0,
      };
      const timing = { ...DEFAULT_TIMING, channelDelaySteps: 2 };
      const result = guestPair(guest, timing, options).run();
      expect(result.status).toBe('diverged');
      const d = result.divergence!;
      expect(d.kind).toBe(kind);
      expect(bug.breaks).toContain(d.invariant);
      expect(d.message).toMatch(/instret|byte|output/);
      if (d.kind === 'state') {
        expect(d.instret).toBe(d.lastMatchedInstret + 1);
        expect(d.differences.length).toBeGreaterThan(0);
      }
      // The same configuration with the correct data plane runs clean.
      const clean = guestPair(guest, timing, { ...options, strategy: dataPlaneStrategy('correct') }).run();
      expect(clean.divergence?.message ?? null).toBeNull();
    });
  }
});
