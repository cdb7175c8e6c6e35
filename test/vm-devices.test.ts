import { describe, expect, it } from 'vitest';
import { Csr, MIP_MEIP, MIP_MSIP, MIP_MTIP } from '../src/rv32/csr.ts';
import {
  CLINT_BASE,
  DISK_BASE,
  type DiskRequest,
  ENTROPY_BASE,
  NIC_BASE,
  Nondet,
  RAM_BASE,
  TEST_DEVICE_BASE,
  UART_BASE,
  type VmOutputs,
} from '../src/vm/api.ts';
import { VirtualMachine } from '../src/vm/machine.ts';
import { Asm, Reg } from './rv32-asm.ts';

const { zero, t0, t1, t2, a0, a1, a2, a3, s0, s1, t6 } = Reg;
const HANDLER = RAM_BASE + 0x1000;
const BUFFER = RAM_BASE + 0x4000;

class Recorder implements VmOutputs {
  console: (byte: number, instret: number) => void;
  bytes: { byte: number; instret: number }[] = [];
  packets: { data: Uint8Array; instret: number }[] = [];
  requests: { request: DiskRequest; instret: number }[] = [];
  constructor() {
    this.console = (byte, instret) => this.bytes.push({ byte, instret });
  }
  nicTransmit(data: Uint8Array, instret: number): void {
    this.packets.push({ data, instret });
  }
  diskRequest(request: DiskRequest, instret: number): void {
    this.requests.push({ request, instret });
  }
  text(): string {
    return String.fromCharCode(...this.bytes.map((b) => b.byte));
  }
}

function machine(build: (asm: Asm) => void) {
  const outputs = new Recorder();
  const reads: { kind: number; instret: number }[] = [];
  const vm = new VirtualMachine({
    ramSize: 64 * 1024,
    outputs,
    nondet: {
      read: (kind, instret) => {
        reads.push({ kind, instret });
        return (0x1000 * (kind + 1) + instret) >>> 0;
      },
    },
  });
  const asm = new Asm(RAM_BASE);
  build(asm);
  vm.writeRam(RAM_BASE, asm.assemble());
  return { vm, outputs, reads, asm };
}

function pass(asm: Asm): Asm {
  return asm.li(t6, TEST_DEVICE_BASE).li(t0, 0x5555).sw(t0, 0, t6);
}

/** Handler at HANDLER: saves mcause in s0, then runs `body`. */
function handler(asm: Asm, body: (asm: Asm) => void): void {
  while (asm.here < HANDLER) asm.nop();
  asm.csrrs(s0, Csr.mcause, zero);
  body(asm);
}

function setTrapVector(asm: Asm): Asm {
  return asm.li(t0, HANDLER).csrrw(zero, Csr.mtvec, t0);
}

describe('test/exit device', () => {
  it('0x5555 exits with code 0 after retiring the store; later runs keep returning exit', () => {
    const { vm } = machine((asm) => pass(asm).li(a0, 1));
    expect(vm.run(100)).toBe('exit');
    expect(vm.exited).toBe(true);
    expect(vm.exitCode).toBe(0);
    expect(vm.instret).toBe(5);
    expect(vm.run(200)).toBe('exit');
  });
  it('(code << 16) | 0x3333 exits with the code; a byte store of 0x55 is ignored', () => {
    const { vm } = machine((asm) =>
      asm
        .li(t6, TEST_DEVICE_BASE)
        .li(t0, 0x55)
        .sb(t0, 0, t6)
        .li(t0, (42 << 16) | 0x3333)
        .sw(t0, 0, t6),
    );
    expect(vm.run(100)).toBe('exit');
    expect(vm.exitCode).toBe(42);
  });
});

describe('UART', () => {
  it('THR bytes are console output stamped with the storing instruction; LSR reads 0x60', () => {
    const { vm, outputs } = machine((asm) => {
      asm.li(t6, UART_BASE).lbu(a0, 5, t6);
      for (const ch of 'hi\n') asm.li(t0, ch.charCodeAt(0)).sb(t0, 0, t6);
      pass(asm);
    });
    expect(vm.run(1000)).toBe('exit');
    expect(outputs.text()).toBe('hi\n');
    expect(outputs.bytes.map((b) => b.instret)).toEqual([5, 8, 11]);
    expect(vm.hart.regs[a0]).toBe(0x60);
  });
});

describe('CLINT', () => {
  it('mtime reads are nondeterministic reads stamped with instret; mtimecmp is readable', () => {
    const { vm: vm2, reads: reads2 } = machine((asm) => {
      asm
        .li(t6, CLINT_BASE + 0xbff8)
        .lw(a0, 0, t6)
        .lw(a1, 4, t6);
      asm
        .li(t6, CLINT_BASE + 0x4000)
        .li(t0, 1234)
        .sw(t0, 0, t6)
        .lw(a2, 0, t6)
        .lw(a3, 4, t6);
      pass(asm);
    });
    expect(vm2.run(1000)).toBe('exit');
    expect(reads2).toEqual([
      { kind: Nondet.MtimeLo, instret: 2 },
      { kind: Nondet.MtimeHi, instret: 3 },
    ]);
    expect(vm2.hart.regs[a0]).toBe(0x5000 + 2);
    expect(vm2.hart.regs[a2]).toBe(1234);
    expect(vm2.hart.regs[a3]! >>> 0).toBe(0xffffffff);
    expect(vm2.timerCompare()).toBe(0xffffffff * 2 ** 32 + 1234);
  });
  it('the host raises the timer at a wfi; the handler writes mtimecmp, which clears MTIP', () => {
    const { vm } = machine((asm) => {
      setTrapVector(asm).li(t0, MIP_MTIP).csrrw(zero, Csr.mie, t0).csrrsi(zero, Csr.mstatus, 8);
      asm.label('idle').wfi().j('idle');
      handler(asm, (h) => {
        h.li(t6, CLINT_BASE + 0x4000)
          .li(t0, -1)
          .sw(t0, 4, t6)
          .csrrs(a0, Csr.mip, zero);
        pass(h);
      });
    });
    expect(vm.run(1000)).toBe('wfi');
    const idleAt = vm.instret;
    vm.inject({ kind: 'timer' });
    expect(vm.hart.mip).toBe(MIP_MTIP);
    expect(vm.run(1000)).toBe('exit');
    expect(vm.hart.regs[s0]! >>> 0).toBe(0x8000_0007);
    expect(vm.hart.regs[a0]).toBe(0);
    expect(vm.instret).toBe(idleAt + 7 + 5); // handler + exit; the interrupt entry is not counted
  });
  it('msip raises a machine software interrupt', () => {
    const { vm } = machine((asm) => {
      setTrapVector(asm).li(t0, MIP_MSIP).csrrw(zero, Csr.mie, t0).csrrsi(zero, Csr.mstatus, 8);
      asm.li(t6, CLINT_BASE).li(t0, 1).sw(t0, 0, t6).li(a1, 99);
      handler(asm, (h) => {
        h.sw(zero, 0, t6);
        pass(h);
      });
    });
    expect(vm.run(1000)).toBe('exit');
    expect(vm.hart.regs[s0]! >>> 0).toBe(0x8000_0003);
    expect(vm.hart.regs[a1]).toBe(0);
    expect(vm.hart.mip).toBe(0);
  });
});

describe('entropy', () => {
  it('reads are nondeterministic (Nondet.Entropy); sub-word access faults', () => {
    const { vm, reads } = machine((asm) => {
      setTrapVector(asm).li(t6, ENTROPY_BASE).lw(a0, 0, t6).lw(a1, 0, t6).lbu(a2, 0, t6);
      handler(asm, pass);
    });
    expect(vm.run(1000)).toBe('exit');
    expect(reads).toEqual([
      { kind: Nondet.Entropy, instret: 5 },
      { kind: Nondet.Entropy, instret: 6 },
    ]);
    expect(vm.hart.regs[a0]).toBe(0x7000 + 5);
    expect(vm.hart.regs[s0]).toBe(5); // load access fault
  });
});

describe('access faults', () => {
  it('unmapped MMIO loads and stores fault with mtval = address', () => {
    for (const [body, cause, address] of [
      [(a: Asm) => a.li(t6, 0x3000_0000).lw(a0, 0, t6), 5, 0x3000_0000],
      [(a: Asm) => a.li(t6, NIC_BASE + 0x0ffe).sh(a0, 0, t6), 7, NIC_BASE + 0x0ffe],
      [(a: Asm) => a.li(t6, NIC_BASE + 2).lw(a0, 0, t6), 5, NIC_BASE + 2],
    ] as const) {
      const { vm } = machine((asm) => {
        setTrapVector(asm);
        body(asm);
        handler(asm, (h) => pass(h.csrrs(a3, Csr.mtval, zero)));
      });
      expect(vm.run(1000)).toBe('exit');
      expect(vm.hart.regs[s0]).toBe(cause);
      expect(vm.hart.regs[a3]! >>> 0).toBe(address);
    }
  });
  it('an illegal instruction with no handler is fatal, not a crash or a hang', () => {
    const { vm } = machine((asm) => asm.word(0xffffffff));
    expect(vm.run(1_000_000)).toBe('fatal');
    expect(vm.fatalReason).toMatch(/trap/);
  });
});

/** A guest that arms the NIC, sleeps, and echoes each packet back (length + 1 with a '!' appended). */
function echoServer(asm: Asm): void {
  setTrapVector(asm);
  asm.li(t6, NIC_BASE).li(t0, BUFFER).sw(t0, 0x00, t6).li(t0, 64).sw(t0, 0x04, t6).li(t0, 1).sw(t0, 0x20, t6);
  asm.li(t0, MIP_MEIP).csrrw(zero, Csr.mie, t0).csrrsi(zero, Csr.mstatus, 8);
  asm.label('idle').wfi().j('idle');
  handler(asm, (h) => {
    h.lw(a0, 0x08, t6) // RX_LEN
      .li(t1, BUFFER)
      .add(t1, t1, a0)
      .li(t0, 0x21)
      .sb(t0, 0, t1)
      .li(t0, BUFFER)
      .sw(t0, 0x10, t6)
      .addi(a1, a0, 1)
      .sw(a1, 0x14, t6)
      .sw(zero, 0x18, t6) // doorbell
      .li(t0, 1)
      .sw(t0, 0x1c, t6) // clear IRQ
      .sw(t0, 0x0c, t6) // re-arm
      .mret();
  });
}

describe('NIC', () => {
  it('receives by DMA + interrupt and transmits on the doorbell', () => {
    const { vm, outputs } = machine(echoServer);
    expect(vm.nicReady()).toBe(false);
    expect(vm.run(1000)).toBe('wfi');
    expect(vm.nicReady()).toBe(true);
    vm.inject({ kind: 'nic-rx', data: new TextEncoder().encode('ping') });
    expect(vm.nicReady()).toBe(false);
    expect(vm.hart.mip).toBe(MIP_MEIP);
    expect(vm.run(vm.instret + 1000)).toBe('wfi');
    expect(vm.nicReady()).toBe(true);
    expect(vm.hart.mip).toBe(0);
    expect(outputs.packets.map((p) => new TextDecoder().decode(p.data))).toEqual(['ping!']);
  });
  it('truncates packets longer than RX_CAP', () => {
    const { vm, outputs } = machine(echoServer);
    vm.run(1000);
    vm.inject({ kind: 'nic-rx', data: new Uint8Array(100).fill(7) });
    vm.run(vm.instret + 1000);
    expect(outputs.packets[0]!.data.length).toBe(65);
  });
  it('refuses an injected packet when not ready (host bug)', () => {
    const { vm } = machine(echoServer);
    expect(() => vm.inject({ kind: 'nic-rx', data: new Uint8Array(1) })).toThrow(/not ready/);
  });
});

describe('disk', () => {
  /** Writes one sector from BUFFER to sector 3, waits, reads sector 5 into BUFFER+512, waits, exits. */
  function diskGuest(asm: Asm): void {
    setTrapVector(asm);
    asm.li(t6, DISK_BASE).li(t0, 1).sw(t0, 0x14, t6);
    asm.li(t0, MIP_MEIP).csrrw(zero, Csr.mie, t0);
    asm.li(t0, BUFFER).li(t1, 0x44434241).sw(t1, 0, t0);
    asm.li(t0, 3).sw(t0, 0x00, t6).li(t0, BUFFER).sw(t0, 0x04, t6).li(t0, 1).sw(t0, 0x08, t6);
    asm.li(t0, 2).sw(t0, 0x0c, t6).lw(s1, 0x18, t6);
    asm.label('wait1').lw(t0, 0x10, t6).andi(t0, t0, 2).bne(t0, zero, 'done1').wfi().j('wait1');
    asm.label('done1').li(t0, 2).sw(t0, 0x10, t6);
    asm
      .li(t0, 5)
      .sw(t0, 0x00, t6)
      .li(t0, BUFFER + 512)
      .sw(t0, 0x04, t6);
    asm.li(t0, 1).sw(t0, 0x0c, t6);
    asm.label('wait2').lw(t0, 0x10, t6).andi(t0, t0, 2).bne(t0, zero, 'done2').wfi().j('wait2');
    asm.label('done2').lw(t0, 0x10, t6).mv(a2, t0).li(t0, 2).sw(t0, 0x10, t6);
    asm.li(t0, BUFFER + 512).lw(a0, 0, t0);
    asm.li(t0, 9).sw(t0, 0x0c, t6).lw(a3, 0x10, t6); // bad command: error at once
    pass(asm);
    handler(asm, (h) => h.mret());
  }
  it('write then read: requests are outputs; completions DMA and interrupt', () => {
    const { vm, outputs } = machine(diskGuest);
    expect(vm.run(10_000)).toBe('wfi');
    expect(outputs.requests.length).toBe(1);
    const write = outputs.requests[0]!.request;
    expect(write).toMatchObject({ id: 1, op: 'write', sector: 3, count: 1 });
    expect(Array.from(write.data!.subarray(0, 4))).toEqual([0x41, 0x42, 0x43, 0x44]);
    expect(vm.hart.regs[s1]).toBe(1);
    vm.inject({ kind: 'disk-done', id: 1 });
    expect(vm.run(vm.instret + 10_000)).toBe('wfi');
    expect(outputs.requests[1]!.request).toMatchObject({ id: 2, op: 'read', sector: 5, count: 1 });
    expect(() => vm.inject({ kind: 'disk-done', id: 1, data: new Uint8Array(512) })).toThrow(/request 2/);
    const sector = new Uint8Array(512);
    sector.set([1, 2, 3, 4]);
    vm.inject({ kind: 'disk-done', id: 2, data: sector });
    expect(vm.run(vm.instret + 10_000)).toBe('exit');
    expect(vm.hart.regs[a0]).toBe(0x04030201);
    expect(vm.hart.regs[a2]).toBe(2);
    expect(vm.hart.regs[a3]).toBe(4);
    expect(outputs.requests.length).toBe(2);
  });
  it('a snapshot taken while a request is in flight restores into a clone that completes it identically', () => {
    const { vm } = machine(diskGuest);
    expect(vm.run(10_000)).toBe('wfi');
    const clone = machine(() => {}).vm;
    clone.restore(vm.snapshot());
    expect(clone.digest()).toBe(vm.digest());
    const sector = new Uint8Array(512).fill(9);
    for (const each of [vm, clone]) {
      each.inject({ kind: 'disk-done', id: 1 });
      expect(each.run(each.instret + 10_000)).toBe('wfi');
      each.inject({ kind: 'disk-done', id: 2, data: sector });
      expect(each.run(each.instret + 10_000)).toBe('exit');
    }
    expect(clone.digest()).toBe(vm.digest());
    expect(clone.hart.regs[a0]).toBe(0x09090909);
  });
  it('a buffer outside RAM or a bad count is an immediate error, not a request', () => {
    const { vm, outputs } = machine((asm) => {
      asm.li(t6, DISK_BASE).li(t0, 0x100).sw(t0, 0x04, t6).li(t0, 1).sw(t0, 0x08, t6).sw(t0, 0x0c, t6);
      asm.lw(a0, 0x10, t6).sw(a0, 0x10, t6);
      asm
        .li(t0, BUFFER)
        .sw(t0, 0x04, t6)
        .li(t0, 65)
        .sw(t0, 0x08, t6)
        .li(t0, 1)
        .sw(t0, 0x0c, t6)
        .lw(a1, 0x10, t6);
      pass(asm);
    });
    expect(vm.run(1000)).toBe('exit');
    expect(vm.hart.regs[a0]).toBe(4);
    expect(vm.hart.regs[a1]).toBe(4);
    expect(outputs.requests).toEqual([]);
    void t2;
  });
});
