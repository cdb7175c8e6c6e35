// Component checks (properties/components/): the data plane's parts on their own, run by `ftcheck
// fuzz` and the gate before the cluster campaign. They hold for the parts as shipped, and each
// catches a part broken in a way no cluster run shows, with a shrunk input that replays exactly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPONENT_CHECKS, findComponentCheck } from '../properties/components/checks.ts';
import { replayComponentFinding, runComponentChecks } from '../properties/components/component-check.ts';
import {
  ComponentFileError,
  readComponentFile,
  writeComponentFile,
} from '../properties/components/component-file.ts';
import { main } from '../src/cli/main.ts';
import { Network } from '../src/cluster/network.ts';
import { SharedStorage } from '../src/cluster/shared-storage.ts';
import { LogSender } from '../src/lockstep/log-channel.ts';
import { LogReader } from '../src/lockstep/log-codec.ts';
import type { LogEntry } from '../src/lockstep/log-entry.ts';

const restore: (() => void)[] = [];
afterEach(() => {
  for (const undo of restore.splice(0)) undo();
});

/** Replaces a prototype method for one test (the checks build their own instances). */
function patch<T extends object, K extends keyof T>(proto: T, key: K, make: (original: T[K]) => T[K]): void {
  const original = proto[key];
  proto[key] = make(original);
  restore.push(() => {
    proto[key] = original;
  });
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

type SenderInternals = { sentOffset: number; onAck: LogSender['onAck'] };

/** A sender whose onAck no longer catches its send offset up with what the receiver acknowledged. */
function breakSender(): void {
  patch(
    LogSender.prototype as unknown as SenderInternals,
    'onAck',
    (original) =>
      function (this: SenderInternals, ack) {
        const sent = this.sentOffset;
        original.call(this, ack);
        this.sentOffset = sent;
      },
  );
}

describe('component checks', () => {
  it('hold for the parts as shipped', () => {
    const result = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(result.finding).toBeNull();
    expect(result.passed).toEqual(COMPONENT_CHECKS.map((c) => c.name));
    expect(result.runs).toBe(COMPONENT_CHECKS.length * 200);
  });

  it('catch a sender that no longer catches its send offset up with a late acknowledgement (I0)', () => {
    type Internals = { sentOffset: number; onAck: LogSender['onAck'] };
    patch(
      LogSender.prototype as unknown as Internals,
      'onAck',
      (original) =>
        function (this: Internals, ack) {
          const sent = this.sentOffset;
          original.call(this, ack);
          this.sentOffset = sent;
        },
    );
    const { finding } = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(finding?.check).toBe('log-channel');
    expect(finding?.invariant).toBe('I0');
    expect(finding?.message).toMatch(/an assertion failed inside src\/lockstep\/log-channel\.ts/);
    expect(finding?.counterexample).toMatch(/rewind/);
    // The seed and path replay the shrunk input: it fails again, and passes once the part is fixed.
    const check = findComponentCheck('log-channel')!;
    expect(replayComponentFinding(check, finding!)?.message).toBe(finding!.message);
    for (const undo of restore.splice(0)) undo();
    expect(replayComponentFinding(check, finding!)).toBeNull();
  });

  it('catch a sender that reports full on unsent bytes only (fault hunt 15), naming the step', () => {
    const proto = LogSender.prototype;
    const original = Object.getOwnPropertyDescriptor(proto, 'full')!;
    Object.defineProperty(proto, 'full', {
      configurable: true,
      get(this: LogSender) {
        return this.unsentBytes >= this.bufferBytesMax;
      },
    });
    restore.push(() => Object.defineProperty(proto, 'full', original));
    const { finding } = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(finding?.check).toBe('log-channel');
    expect(finding?.message).toMatch(
      /after step #\d+ \(\w+\) the sender says not full with \d+ bytes written and not acknowledged, its buffer holding \d+: the primary must stall exactly when its log buffer is full/,
    );
  });

  it('catch a reader that misplaces an entry (I1), naming the entry', () => {
    patch(
      LogReader.prototype,
      'next',
      (original) =>
        function (this: LogReader) {
          const entry: LogEntry | null = original.call(this);
          return entry !== null && entry.kind === 'output' ? { ...entry, instret: entry.instret + 1 } : entry;
        },
    );
    const { finding } = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(finding?.check).toBe('log-codec');
    expect(finding?.invariant).toBe('I1');
    expect(finding?.message).toMatch(
      /entry #\d+ was read back as a output entry at instruction \d+; the primary wrote a output entry/,
    );
  });

  it('catch a storage array whose write fence forgets the owner (I3), naming the write', () => {
    // Stale writers reach the fence in cluster runs only after something else went wrong: a
    // weakened fence survived a 20-run mutation campaign there.
    patch(
      SharedStorage.prototype,
      'write',
      (original) =>
        function (this: SharedStorage, vm, _host, generation, sector, data) {
          return original.call(this, vm, this.lock(vm).owner, generation, sector, data);
        },
    );
    const { finding } = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(finding?.check).toBe('storage-lock');
    expect(finding?.invariant).toBe('I3');
    expect(finding?.message).toMatch(
      /a write by h\d at generation \d+ was accepted; the lock is at generation \d+ held by h\d, so it must be fenced/,
    );
  });

  it('catch a network that keeps answering a lifted impairment (I7)', () => {
    // Fault hunt 13's network: impair() no longer cleared the per-link cache of what is in force.
    type Cached = { effectiveByLink: Map<string, unknown>; impair: Network['impair'] };
    patch(
      Network.prototype as unknown as Cached,
      'impair',
      (original) =>
        function (this: Cached, change, a, b) {
          const cache = new Map(this.effectiveByLink);
          original.call(this, change, a, b);
          for (const [source, byTarget] of cache) this.effectiveByLink.set(source, byTarget);
        },
    );
    const { finding } = runComponentChecks(COMPONENT_CHECKS, 1);
    expect(finding?.check).toBe('network');
    expect(finding?.message).toMatch(
      /the link h\d→\S+ shows cut \w+, delay \d+ µs, loss [\d.]+; the schedule's rules give/,
    );
  });

  it('save a finding as a file that reads back, and reject a malformed one by field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-component-'));
    try {
      const finding = {
        check: 'log-codec',
        component: 'x',
        invariant: 'I1' as const,
        message: 'm',
        seed: 3,
        path: '1:2',
        counterexample: '[]',
        runsToFailure: 2,
        shrinks: 0,
      };
      const path = writeComponentFile(dir, finding);
      expect(readComponentFile(path)).toMatchObject({
        ...finding,
        format: 'ftcheck-component-counterexample',
      });
      const bad = join(dir, 'bad.json');
      writeFileSync(
        bad,
        JSON.stringify({ format: 'ftcheck-component-counterexample', version: 1, check: 'x' }),
      );
      expect(() => readComponentFile(bad)).toThrow(ComponentFileError);
      expect(() => readComponentFile(bad)).toThrow(/bad\.json: component/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are what `ftcheck fuzz` runs first: a finding exits 1 before any schedule, and replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-component-cli-'));
    try {
      breakSender();
      const fuzz = capture();
      expect(await main(['fuzz', '--runs', '1', '--workers', '1', '--out', dir, '--json'], fuzz.io)).toBe(1);
      const json = JSON.parse(fuzz.out.join(''));
      expect(json).toMatchObject({ invariant: 'I0', component: 'log-channel', runs: 0, exitCode: 1 });
      const replay = capture();
      expect(await main(['replay', json.counterexample], replay.io)).toBe(1);
      expect(replay.out.join('\n')).toMatch(/^reproduced: I0: an assertion failed inside/m);
      for (const undo of restore.splice(0)) undo();
      const fixed = capture();
      expect(await main(['replay', json.counterexample], fixed.io)).toBe(0);
      expect(fixed.out.join('\n')).toMatch(/^fixed: I0 no longer breaks/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
