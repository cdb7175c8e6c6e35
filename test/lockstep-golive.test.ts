// Go-live and respawn on a real guest (ledger: disk journal + NIC requests).
import { describe, expect, it } from 'vitest';
import { LockstepPair } from '../src/lockstep/lockstep-pair.ts';
import { PairHost } from '../src/lockstep/pair-host.ts';
import { DEFAULT_TIMING, freshVm, guestPair } from './lockstep-guest-fixtures.ts';

describe('go-live and respawn (ledger)', () => {
  it('the secondary goes live at the end of its log, reissues pending disk I/O and finishes the work', () => {
    const pair = guestPair('ledger', { ...DEFAULT_TIMING, channelDelaySteps: 0, sliceInstructions: 700 });
    let report: ReturnType<LockstepPair['failPrimary']> | null = null;
    for (let i = 0; i < 10_000 && report === null && !pair.finished; i++) {
      pair.step();
      // Fail the primary while a journal write (not the start-up read) is in flight.
      const replayer = pair.replayer!;
      const caughtUp = replayer.vm.instret === pair.primary.instret;
      const writing = replayer.pendingDiskRequests().some((request) => request.op === 'write');
      if (writing && caughtUp) {
        report = pair.failPrimary();
      }
    }
    expect(report).not.toBeNull();
    expect(report!.fault).toBeNull();
    expect(report!.instret).toBe(pair.primary.instret);
    expect(report!.pendingDisk.length).toBe(1);
    const survivor = pair.replayer!.vm;
    const repliesBefore = pair.host.world.packets.length;

    // The survivor continues as a primary alone on a new host with the shared disk and the
    // requests its predecessor had not received.
    const host = new PairHost({
      seed: 9,
      diskImage: pair.host.disk,
      packets: pair.host.undeliveredPackets(),
    });
    for (const request of report!.pendingDisk) host.diskRequest(request);
    const alone = new LockstepPair({ primary: survivor, secondary: null, host });
    const result = alone.run();
    expect(result.primaryStop).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(host.world.consoleText).toContain('total 16000 (conserved)');
    expect(repliesBefore + host.world.packets.length).toBe(5);
  });

  it('drops the secondary, runs alone, respawns from a snapshot and stays in lockstep to the end', () => {
    const pair = guestPair('ledger', { ...DEFAULT_TIMING, sliceInstructions: 1000 });
    for (let i = 0; i < 5; i++) pair.step();
    pair.dropSecondary();
    for (let i = 0; i < 5; i++) pair.step();
    expect(pair.replayer).toBeNull();
    pair.respawn(freshVm('ledger'));
    const result = pair.run();
    expect(result.divergence?.message ?? null).toBeNull();
    expect(result.status).toBe('ok');
    expect(result.primaryStop).toBe('exit');
    expect(pair.replayer!.vm.instret).toBe(pair.primary.instret);
    expect(result.figures.samplesCompared).toBeGreaterThan(1000);
    expect(pair.host.world.consoleText).toContain('total 16000 (conserved)');
  });
});
