// `runFtCommand` (the `ftcheck run --ft` body): timeline and verdicts, JSON shape, exit codes and
// the field-naming error for a malformed schedule.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFtCommand } from '../src/cli/run-ft.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'ftcheck-run-ft-'));

function schedule(name: string, faults: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ version: 1, faults }));
  return path;
}

function capture() {
  const lines: string[] = [];
  return { lines, io: { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) } };
}

describe('runFtCommand', () => {
  it('prints the timeline, the failover and the verdicts; exit 0 when every invariant holds', async () => {
    const { lines, io } = capture();
    const faults = schedule('crash.json', [{ at: '500ms', kind: 'crash', host: 'primary' }]);
    const code = await runFtCommand(
      kvstore,
      { json: false, faults, guest: 'kvstore', duration: '1500ms' },
      io,
    );
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/500\.000ms fault h1 kind=crash host=primary/);
    expect(text).toMatch(
      /failover vm1: primary lost on h1 at 500 ms, live on h2 after 400\.\d+ ms, re-protected after 41\d\.\d+ ms/,
    );
    expect(text).toMatch(/invariants: I0 hold, I1 hold, I2 hold, I3 hold, I4 hold, I5 hold, I6 hold/);
  });
  it('prints one JSON object with verdicts, failovers, failoverMs, reprotectedMs and violations', async () => {
    const { lines, io } = capture();
    const faults = schedule('crash2.json', [{ at: '500ms', kind: 'crash', host: 'primary' }]);
    await runFtCommand(
      kvstore,
      { json: true, faults, guest: 'kvstore', duration: '1500ms', hosts: 3, seed: 4 },
      io,
    );
    const json = JSON.parse(lines.join(''));
    expect(json.verdicts).toMatchObject({
      I0: 'hold',
      I1: 'hold',
      I2: 'hold',
      I3: 'hold',
      I4: 'hold',
      I5: 'hold',
      I6: 'hold',
    });
    expect(json.failovers).toBe(1);
    expect(json.failoverMs).toHaveLength(1);
    expect(json.reprotectedMs).toHaveLength(1);
    expect(json.violations).toEqual([]);
    expect(json.seed).toBe(4);
  });
  it('rejects a malformed schedule, duration or host count with a UsageError naming the field', async () => {
    const { io } = capture();
    const bad = schedule('bad.json', [{ at: '1s', kind: 'partition', network: 'disk', host: 'h1' }]);
    await expect(runFtCommand(kvstore, { json: false, faults: bad }, io)).rejects.toThrow(
      /bad\.json: faults\[0\]\.network: expected one of logging\|heartbeat\|client\|storage/,
    );
    const missing = schedule('h9.json', [{ at: '1s', kind: 'crash', host: 'h9' }]);
    await expect(runFtCommand(kvstore, { json: false, faults: missing }, io)).rejects.toThrow(
      /faults\[0\]\.host: h9 does not exist \(the cluster has 3 hosts\)/,
    );
    await expect(runFtCommand(kvstore, { json: false, duration: 'soon' }, io)).rejects.toThrow(/--duration/);
    await expect(runFtCommand(kvstore, { json: false, hosts: 1 }, io)).rejects.toThrow(/--hosts/);
    await expect(runFtCommand(new Uint8Array([1, 2, 3]), { json: false }, io)).rejects.toThrow(
      /not a loadable guest/,
    );
  });
});
