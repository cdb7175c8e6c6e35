// A request its client gave up on is never answered (I7): fault hunt 13's client that never reset
// its attempt counter gave up after one timeout once it had sent ~50 requests, and the request left
// the monitor's sight (it judged only the request in flight). A give-up while the cluster could
// serve the VM ever since the request was first sent is now a violation.
import { describe, expect, it } from 'vitest';
import { runScenario } from './ft-scenario.ts';

// A client that gives up after its first timeout, with no retransmission.
const impatient = { clientOptions: { retriesMax: 0 } };
const gaveUp = (violations: { message: string }[]) =>
  violations.filter((v) => /gave up on its request/.test(v.message));

describe('a request its client gave up on', () => {
  it('is an I7 violation when the cluster could serve it all along (here through a failover)', () => {
    const result = runScenario([{ at: '1s', kind: 'crash', host: 'primary' }], impatient);
    expect(result.clients[0]!.gaveUp).toBeGreaterThan(0);
    const [violation] = gaveUp(result.violations);
    expect(violation).toMatchObject({ invariant: 'I7', vm: 'vm1' });
    expect(violation!.message).toMatch(
      /c1 gave up on its request #\d+ to vm1 \(first sent at [\d.]+ ms\) by [\d.]+ ms although h\d could serve it all along \(service possible since [\d.]+ ms\)/,
    );
  });

  it('is not blamed on the cluster when the clients could not reach it (a client-network cut)', () => {
    const result = runScenario(
      [
        { at: '1s', kind: 'partition', network: 'client', host: 'primary' },
        { at: '1500ms', kind: 'heal', network: 'client' },
      ],
      impatient,
    );
    // The client did give up on what it sent into the cut; the monitor does not blame the cluster.
    expect(result.clients[0]!.gaveUp).toBeGreaterThan(0);
    expect(gaveUp(result.violations)).toEqual([]);
  });
});
