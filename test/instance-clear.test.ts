// A host's instance of an FT VM is reused for every VM instance the host gets: clear() (a crash, a
// halt) must leave nothing of the previous one that shapes the next. The lock's backoff did
// survive it: a claim cut short by a halt or crash, after some test-and-set attempts had timed
// out, made the next instance on that host start its first claim with a backed-off timeout (up to
// 64 storage timeouts) — a go-live seconds late if that first request is lost.
import { describe, expect, it } from 'vitest';
import type { MachineActor } from '../src/cluster/agent-actor.ts';
import { FtInstance } from '../src/cluster/ft-instance.ts';
import type { Host } from '../src/cluster/host.ts';

describe('FtInstance.clear', () => {
  it('starts the next instance with a fresh lock backoff and disk timeout', () => {
    const instance = new FtInstance('vm1', { name: 'h2' } as Host, {} as MachineActor<never, never>);
    instance.lockTimeouts = 5;
    instance.diskTimeoutLevel = 3;
    instance.clear();
    expect(instance.lockTimeouts).toBe(0);
    expect(instance.diskTimeoutLevel).toBe(0);
  });
});
