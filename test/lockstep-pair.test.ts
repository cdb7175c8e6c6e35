// The lockstep pieces on a tiny fake VM: every boundary compared, flow control, go-live, respawn.
import { describe, expect, it } from 'vitest';
import { DATA_PLANE_BUGS, dataPlaneStrategy } from '../src/lockstep/bugs.ts';
import { LockstepPair, type LockstepPairOptions } from '../src/lockstep/lockstep-pair.ts';
import { checkReferenceOracle } from '../src/lockstep/oracle.ts';
import { PairHost } from '../src/lockstep/pair-host.ts';
import { FakeVm, fakeDifferences } from './lockstep-fake-vm.ts';

function pair(options: Partial<LockstepPairOptions> = {}, exitAt = 20_000, seed = 1): LockstepPair {
  const host = new PairHost({
    seed,
    instructionsPerUs: 10,
    packets: [5, 40, 41, 900].map((atUs, i) => ({ atUs, data: Uint8Array.of(i, 7, 9) })),
  });
  return new LockstepPair({
    primary: new FakeVm(exitAt),
    secondary: new FakeVm(exitAt),
    host,
    sliceInstructions: 500,
    describeDifferences: fakeDifferences,
    keepTranscript: true,
    ...options,
  });
}

describe('lockstep pair (fake VM)', () => {
  it('replays with equal state at every boundary and the world sees what the log replays to', () => {
    const p = pair({ checkEvery: 1 });
    const result = p.run();
    expect(result.divergence).toBeNull();
    expect(result.status).toBe('ok');
    expect(result.primaryStop).toBe('exit');
    expect(result.figures.samplesCompared).toBe(20_001);
    expect(result.figures.secondaryInstructions).toBe(20_000);
    expect(p.host.world.consoleBytes.length).toBeGreaterThan(300);
    expect(p.host.world.packets.length).toBeGreaterThan(5);
    expect(result.figures.outputsDelayed).toBe(result.figures.outputsTotal);
    expect(checkReferenceOracle(p.host.world, new FakeVm(20_000), p.transcript())).toBeNull();
  });

  it('treats the same fatal stop on both VMs as the end of the run, not a divergence', () => {
    const p = new LockstepPair({
      primary: new FakeVm(20_000, 7_777),
      secondary: new FakeVm(20_000, 7_777),
      host: new PairHost({ seed: 1, instructionsPerUs: 10 }),
      sliceInstructions: 500,
      checkEvery: 1,
    });
    const result = p.run();
    expect(result.divergence).toBeNull();
    expect(result.primaryStop).toBe('fatal');
    expect(p.replayer!.vm.instret).toBe(7_777);
  });

  it('reports a fatal trap that only the secondary takes', () => {
    const p = new LockstepPair({
      primary: new FakeVm(20_000),
      secondary: new FakeVm(20_000, 7_777),
      host: new PairHost({ seed: 1, instructionsPerUs: 10 }),
      sliceInstructions: 500,
    });
    const result = p.run();
    expect(result.divergence?.kind).toBe('replay');
    expect(result.divergence?.message).toMatch(/fatal trap/);
  });

  it('gives a byte-identical log for the same seed and a different one for another', () => {
    const a = pair({}, 20_000, 3);
    const b = pair({}, 20_000, 3);
    const c = pair({}, 20_000, 4);
    a.run();
    b.run();
    c.run();
    expect(Buffer.from(a.transcript()).equals(Buffer.from(b.transcript()))).toBe(true);
    expect(Buffer.from(a.transcript()).equals(Buffer.from(c.transcript()))).toBe(false);
  });

  it('stalls the primary on a full buffer and slows it when the secondary lags', () => {
    const p = pair(
      {
        checkEvery: 1000,
        secondarySpeed: 0.25,
        channelDelaySteps: 2,
        sender: { bufferBytesMax: 40_000, receiverWindowBytes: 40_000 },
        receiver: { bufferBytesMax: 40_000 },
        lag: { highInstructions: 3000, lowInstructions: 1000 },
      },
      200_000,
    );
    const result = p.run();
    expect(result.status).toBe('ok');
    expect(result.figures.slowdowns).toBeGreaterThan(0);
    expect(result.figures.lagMaxInstructions).toBeGreaterThan(3000);
    expect(result.figures.receiverBufferPeakBytes).toBeLessThanOrEqual(40_000);

    const stalled = pair(
      {
        secondarySpeed: 0.05,
        sender: { bufferBytesMax: 34_000, receiverWindowBytes: 34_000 },
        receiver: { bufferBytesMax: 34_000 },
        lag: { highInstructions: 1e12, lowInstructions: 1 },
      },
      400_000,
    );
    const r2 = stalled.run();
    expect(r2.status).toBe('ok');
    expect(r2.figures.stallSteps).toBeGreaterThan(0);
  });

  it('reports the exact first diverging boundary and what differs (interrupt-late)', () => {
    const result = pair({
      checkEvery: 1,
      strictCheck: true,
      strategy: dataPlaneStrategy('interrupt-late'),
    }).run();
    expect(result.status).toBe('diverged');
    const d = result.divergence!;
    expect(d.kind).toBe('state');
    expect(d.instret).toBe(d.lastMatchedInstret + 1);
    expect(d.differences.length).toBeGreaterThan(0);
  });

  it('goes live at the end of the received log and reports pending disk I/O', () => {
    const p = pair({ channelDelaySteps: 3 });
    for (let i = 0; i < 40; i++) p.step();
    const primaryAt = p.primary.instret;
    const report = p.failPrimary();
    expect(report.fault).toBeNull();
    expect(report.instret).toBeLessThanOrEqual(primaryAt);
    expect(report.instret).toBeGreaterThan(0);
    for (const request of report.pendingDisk) expect(request.op).toBe('read');
  });

  it('drops the secondary, continues alone and respawns a new one from a snapshot', () => {
    const p = pair({ checkEvery: 1 }, 30_000);
    for (let i = 0; i < 15; i++) p.step();
    p.dropSecondary();
    for (let i = 0; i < 10; i++) p.step();
    expect(p.replayer).toBeNull();
    p.respawn(new FakeVm(30_000));
    const result = p.run();
    expect(result.status).toBe('ok');
    expect(result.primaryStop).toBe('exit');
    expect(p.replayer!.vm.instret).toBe(30_000);
  });
});

describe('seeded data-plane bugs (fake VM)', () => {
  for (const bug of DATA_PLANE_BUGS) {
    it(`catches ${bug.name}`, () => {
      const p = pair({
        checkEvery: 1,
        strictCheck: true,
        strategy: dataPlaneStrategy(bug.name),
        channelDelaySteps: 1,
      });
      const result = p.run();
      expect(result.status, result.divergence?.message).toBe('diverged');
      expect(bug.breaks).toContain(result.divergence!.invariant);
    });
  }
  it('rejects an unknown bug name with the list of known ones', () => {
    expect(() => dataPlaneStrategy('nope')).toThrow(
      /unknown data-plane bug 'nope' \(known: interrupt-late, /,
    );
  });
});
