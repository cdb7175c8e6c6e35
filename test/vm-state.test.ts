import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hashRam } from '../src/rv32/ram-hash.ts';
import { type DiskRequest, RAM_BASE, type VmOutputs } from '../src/vm/api.ts';
import { describeDifferences } from '../src/vm/differences.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

const crcElf = new Uint8Array(readFileSync(new URL('../guests/crc.elf', import.meta.url)));

function consoleOf(vm: VirtualMachine): { text: () => string } {
  const bytes: number[] = [];
  const outputs: VmOutputs = {
    console: (byte) => bytes.push(byte),
    nicTransmit: () => {},
    diskRequest: (_r: DiskRequest) => {},
  };
  vm.outputs = outputs;
  return { text: () => String.fromCharCode(...bytes) };
}

describe('snapshot / restore', () => {
  it('a restored clone continues identically to the original', () => {
    const original = VirtualMachine.fromElf(crcElf);
    const originalConsole = consoleOf(original);
    expect(original.run(3_000_000)).toBe('limit');
    const snapshot = original.snapshot();
    const printedBefore = originalConsole.text();

    const clone = new VirtualMachine();
    clone.restore(snapshot);
    expect(clone.digest()).toBe(original.digest());
    const cloneConsole = consoleOf(clone);

    expect(original.run(1e9)).toBe('exit');
    expect(clone.run(1e9)).toBe('exit');
    expect(clone.instret).toBe(original.instret);
    expect(clone.digest()).toBe(original.digest());
    expect(printedBefore + cloneConsole.text()).toBe(originalConsole.text());
    expect(originalConsole.text()).toMatch(/crc: combined [0-9a-f]{8}\n$/);
    expect(original.hart.ramHash).toBe(hashRam(original.hart.ram32));
  });
  it('a snapshot is a copy: running on does not change it', () => {
    const vm = VirtualMachine.fromElf(crcElf);
    vm.run(10_000);
    const snapshot = vm.snapshot();
    const ramCopy = snapshot.ram.slice();
    vm.run(200_000);
    expect(snapshot.instret).toBe(10_000);
    expect(snapshot.ram).toEqual(ramCopy);
  });
  it('rejects a snapshot of a different RAM size', () => {
    const vm = new VirtualMachine({ ramSize: 4096 });
    expect(() => vm.restore(VirtualMachine.fromElf(crcElf).snapshot())).toThrow(/RAM size/);
  });
});

describe('state digest', () => {
  it('is equal for equal states and changes with every kind of state change', () => {
    const a = VirtualMachine.fromElf(crcElf);
    const b = VirtualMachine.fromElf(crcElf);
    a.run(50_000);
    b.run(50_000);
    const base = a.digest();
    expect(b.digest()).toBe(base);
    const mutations: [string, (vm: VirtualMachine) => void][] = [
      ['register', (vm) => (vm.hart.regs[5]! ^= 1)],
      ['pc', (vm) => (vm.hart.pc += 4)],
      ['instret', (vm) => vm.hart.instret++],
      ['csr', (vm) => (vm.hart.mscratch ^= 0x100)],
      ['minstret offset', (vm) => (vm.hart.minstretOffsetLo ^= 1)],
      ['mcycle offset', (vm) => (vm.hart.mcycleOffsetHi ^= 1)],
      [
        'ram byte',
        (vm) => vm.writeRam(RAM_BASE + 0x7_0000, new Uint8Array([vm.hart.ram8[0x7_0000]! ^ 0x80])),
      ],
      ['device', (vm) => vm.inject({ kind: 'timer' })],
      ['exit', (vm) => (vm.exitCode = 9)],
    ];
    const seen = new Set([base]);
    for (const [name, mutate] of mutations) {
      const vm = VirtualMachine.fromElf(crcElf);
      vm.run(50_000);
      const snapshot = vm.snapshot();
      mutate(vm);
      const changed = vm.digest();
      expect(changed, name).not.toBe(base);
      seen.add(changed);
      vm.restore(snapshot);
      expect(vm.digest(), `${name} restored`).toBe(base);
    }
    expect(seen.size).toBe(mutations.length + 1);
  });
  it('the RAM part is incremental: writing a word back restores the digest', () => {
    const vm = VirtualMachine.fromElf(crcElf);
    const before = vm.digest();
    const address = RAM_BASE + 0x8000;
    const old = vm.readRam(address, 4);
    vm.writeRam(address, new Uint8Array([1, 2, 3, 4]));
    expect(vm.digest()).not.toBe(before);
    vm.writeRam(address, old);
    expect(vm.digest()).toBe(before);
  });
  it('swapping two words changes the digest', () => {
    const vm = new VirtualMachine({ ramSize: 4096 });
    vm.writeRam(RAM_BASE, new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]));
    const before = vm.digest();
    vm.writeRam(RAM_BASE, new Uint8Array([2, 0, 0, 0, 1, 0, 0, 0]));
    expect(vm.digest()).not.toBe(before);
  });
});

describe('describeDifferences', () => {
  it('lists nothing for equal snapshots and names every differing part', () => {
    const vm = VirtualMachine.fromElf(crcElf);
    vm.run(20_000);
    const a = vm.snapshot();
    expect(describeDifferences(a, vm.snapshot())).toEqual([]);
    vm.hart.regs[10] = 0x1234;
    vm.hart.mepc = 0x8000_0100;
    vm.writeRam(RAM_BASE + 0x10, new Uint8Array([0xff]));
    vm.inject({ kind: 'timer' });
    vm.hart.pc = 0x8000_0200;
    const differences = describeDifferences(a, vm.snapshot());
    const where = differences.map((d) => `${d.what}:${d.where}`);
    expect(where).toContain('pc:pc');
    expect(where).toContain('register:x10 (a0)');
    expect(where).toContain('csr:mepc');
    expect(where).toContain('csr:mip');
    expect(where).toContain('memory:0x80000010');
    expect(where).toContain('device:clint.timerLine');
    const register = differences.find((d) => d.where === 'x10 (a0)')!;
    expect(register.secondary).toBe('0x00001234');
  });
  it('caps the number of memory words listed', () => {
    const a = new VirtualMachine({ ramSize: 4096 }).snapshot();
    const vm = new VirtualMachine({ ramSize: 4096 });
    vm.writeRam(RAM_BASE, new Uint8Array(256).fill(1));
    const memory = describeDifferences(a, vm.snapshot(), { memoryWordsMax: 3 }).filter(
      (d) => d.what === 'memory',
    );
    expect(memory.map((d) => d.where)).toEqual(['0x80000000', '0x80000004', '0x80000008']);
  });
});
