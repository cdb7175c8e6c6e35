import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Csr } from '../src/rv32/csr.ts';
import { CLINT_BASE, RAM_BASE, TEST_DEVICE_BASE } from '../src/vm/api.ts';
import { runStandalone, StandaloneHost } from '../src/vm/standalone-host.ts';
import { elfOf } from './elf-build.ts';
import { Asm, Reg } from './rv32-asm.ts';

const guest = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../guests/${name}.elf`, import.meta.url)));

function request(op: number, id: number, key: string, value = ''): Uint8Array {
  const k = new TextEncoder().encode(key);
  const v = new TextEncoder().encode(value);
  const bytes = new Uint8Array(8 + k.length + v.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = op;
  bytes[1] = k.length;
  view.setUint16(2, v.length, true);
  view.setUint32(4, id, true);
  bytes.set(k, 8);
  bytes.set(v, 8 + k.length);
  return bytes;
}

function reply(data: Uint8Array) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const length = view.getUint16(2, true);
  return {
    op: data[0],
    status: data[1],
    id: view.getUint32(4, true),
    value: new TextDecoder().decode(data.subarray(8, 8 + length)),
  };
}

describe('standalone host', () => {
  it('runs crc to its exit with a fixed instruction count and simulated time', () => {
    const result = runStandalone(guest('crc'));
    expect(result.stop).toBe('exit');
    expect(result.exitCode).toBe(0);
    expect(result.console).toMatch(/^crc: 24 rounds/);
    expect(result.console).toMatch(/crc: combined [0-9a-f]{8}\n$/);
    expect(result.simulatedMicros).toBe(result.instructions / 100);
    expect(result.mips).toBeGreaterThan(0);
  });
  it('stops at the instruction budget', () => {
    const result = runStandalone(guest('crc'), { maxInstructions: 123_457 });
    expect(result.stop).toBe('budget');
    expect(result.instructions).toBe(123_457);
  });
  it('clock: deterministic for a seed, entropy follows the seed, time jumps while idle', () => {
    const a = runStandalone(guest('clock'), { seed: 5 });
    const b = runStandalone(guest('clock'), { seed: 5 });
    const c = runStandalone(guest('clock'), { seed: 6 });
    expect(a.stop).toBe('exit');
    expect(a.exitCode).toBe(0);
    expect(b.console).toBe(a.console);
    expect(b.instructions).toBe(a.instructions);
    expect(b.simulatedMicros).toBe(a.simulatedMicros);
    expect(c.console).not.toBe(a.console);
    expect(a.console.match(/^tick \d+ /gm)?.length).toBe(40);
    expect(a.simulatedMicros).toBeGreaterThan(a.instructions / 100); // idle time was skipped over
  });
  it('kvstore: PUT is persisted to disk before the reply; a restart on that disk serves GET', () => {
    const first = runStandalone(guest('kvstore'), {
      packets: [
        { atMicros: 1000, data: request(2, 1, 'alpha', 'hello') },
        { atMicros: 1000, data: request(1, 2, 'alpha') },
        { atMicros: 5000, data: request(5, 3, '') },
      ],
      maxInstructions: 50_000_000,
    });
    expect(first.stop).toBe('exit');
    expect(first.exitCode).toBe(0);
    const replies = first.transmitted.map((p) => reply(p.data));
    expect(replies.slice(0, 2)).toEqual([
      { op: 2, status: 0, id: 1, value: '' },
      { op: 1, status: 0, id: 2, value: 'hello' },
    ]);
    expect(first.transmitted[0]!.atMicros).toBeGreaterThanOrEqual(1000 + 200); // after the disk write
    expect(first.transmitted[1]!.atMicros).toBeGreaterThan(first.transmitted[0]!.atMicros);

    const second = runStandalone(guest('kvstore'), {
      diskImage: first.disk,
      packets: [
        { atMicros: 10, data: request(1, 7, 'alpha') },
        { atMicros: 20, data: request(5, 8, '') },
      ],
      maxInstructions: 200_000_000,
    });
    expect(second.console).toMatch(/recovered 1 key/);
    expect(reply(second.transmitted[0]!.data)).toEqual({ op: 1, status: 0, id: 7, value: 'hello' });
  });
  it('a guest idling with nothing left to wake it stops with wfi; step() exposes the schedule', () => {
    const idle = elfOf(new Asm(RAM_BASE).li(Reg.a0, 1).wfi().j(-4).assemble());
    const host = new StandaloneHost(idle, { maxInstructions: 1000 });
    expect(host.step()).toBe('wfi');
    expect(host.vm.instret).toBe(3);
    expect(runStandalone(idle).stop).toBe('wfi');
  });
  it('a timer armed by the guest wakes its wfi at the programmed time', () => {
    const asm = new Asm(RAM_BASE);
    asm.li(Reg.t0, RAM_BASE + 0x100).csrrw(0, Csr.mtvec, Reg.t0);
    asm
      .li(Reg.t6, CLINT_BASE + 0x4000)
      .li(Reg.t0, 5000)
      .sw(0, 4, Reg.t6)
      .sw(Reg.t0, 0, Reg.t6);
    asm
      .li(Reg.t0, 1 << 7)
      .csrrw(0, Csr.mie, Reg.t0)
      .csrrsi(0, Csr.mstatus, 8);
    asm.label('idle').wfi().j('idle');
    while (asm.here < RAM_BASE + 0x100) asm.nop();
    asm.csrrs(Reg.a0, Csr.time, 0).li(Reg.t6, TEST_DEVICE_BASE).li(Reg.t0, 0x5555).sw(Reg.t0, 0, Reg.t6);
    const host = new StandaloneHost(elfOf(asm.assemble()));
    const result = host.run();
    expect(result.stop).toBe('exit');
    expect(host.vm.hart.regs[Reg.a0]).toBe(5000);
  });
  it('rejects bad options with a clear message', () => {
    expect(() => runStandalone(guest('crc'), { instructionsPerMicrosecond: 0 })).toThrow(
      /instructionsPerMicrosecond/,
    );
    expect(() => runStandalone(guest('crc'), { diskImage: new Uint8Array(100) })).toThrow(/multiple of 512/);
    expect(() => runStandalone(guest('crc'), { maxInstructions: 1.5 })).toThrow(/maxInstructions/);
  });
});
