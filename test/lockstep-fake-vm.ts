// A small deterministic stand-in for VirtualMachineApi: every "instruction" mixes the instret
// into an accumulator, and fixed instrets read time/entropy, produce output, start disk reads,
// arm the timer, idle in wfi and finally exit. Enough to exercise record/replay without the
// RV32 VM (and, being tiny, to step one boundary at a time cheaply).
import {
  type DiskRequest,
  Nondet,
  type NondetSource,
  type StopReason,
  type VirtualMachineApi,
  type VmInput,
  type VmOutputs,
  type VmSnapshot,
} from '../src/vm/api.ts';

const NO_TIMER = 2 ** 60;

function mix(a: number, b: number): number {
  return Math.imul((a ^ b) >>> 0, 0x01000193) >>> 0;
}

export class FakeVm implements VirtualMachineApi {
  readonly ramSize = 0;
  instret = 0;
  pc = 0;
  exited = false;
  exitCode = 0;
  nondet: NondetSource = { read: () => 0 };
  outputs: VmOutputs = { console() {}, nicTransmit() {}, diskRequest() {} };
  private acc = 1;
  private timerLine = false;
  private nicFull = false;
  private diskBusy = 0;
  private diskIds = 0;
  private compare = NO_TIMER;
  readonly exitAt: number;
  /** Boundary at which the machine halts for good (a fatal trap), as a real hart can. */
  readonly fatalAt: number;

  constructor(exitAt = 20_000, fatalAt = Number.POSITIVE_INFINITY) {
    this.exitAt = exitAt;
    this.fatalAt = fatalAt;
  }

  run(untilInstret: number): StopReason {
    while (this.instret < untilInstret) {
      if (this.exited) return 'exit';
      if (this.instret >= this.fatalAt) return 'fatal';
      this.takeInterrupts();
      const stop = this.execute();
      if (stop !== null) return stop;
    }
    return this.exited ? 'exit' : 'limit';
  }

  private takeInterrupts(): void {
    if (this.timerLine) {
      this.acc = mix(this.acc, 0x7117);
      this.timerLine = false;
      this.compare = NO_TIMER;
    }
    if (this.nicFull) {
      this.acc = mix(this.acc, 0x41c);
      this.nicFull = false;
    }
  }

  private execute(): StopReason | null {
    const i = this.instret;
    this.acc = mix(this.acc, i);
    this.pc = (this.pc + 4) % 4096;
    if (i % 37 === 5) this.acc = mix(this.acc, this.nondet.read(Nondet.TimeLo, i));
    else if (i % 101 === 7) this.acc = mix(this.acc, this.nondet.read(Nondet.Entropy, i));
    else if (i % 53 === 3) this.outputs.console(this.acc & 0x7f, i);
    else if (i % 997 === 11 && this.diskBusy === 0) this.startDisk(i);
    else if (i % 500 === 499) this.compare = this.nondet.read(Nondet.TimeLo, i) + 20;
    else if (i % 1500 === 1498) this.outputs.nicTransmit(Uint8Array.of(this.acc & 0xff, 1, 2), i);
    this.instret = i + 1;
    if (this.instret === this.exitAt) {
      this.exited = true;
      return 'exit';
    }
    if (i % 2000 === 1999 && !this.timerLine && !this.nicFull) return 'wfi';
    return null;
  }

  private startDisk(i: number): void {
    this.diskBusy = ++this.diskIds;
    const request: DiskRequest = { id: this.diskBusy, op: 'read', sector: i % 7, count: 1 };
    this.outputs.diskRequest(request, i);
  }

  inject(input: VmInput): void {
    if (input.kind === 'timer') this.timerLine = true;
    else if (input.kind === 'nic-rx') {
      for (const b of input.data) this.acc = mix(this.acc, b);
      this.nicFull = true;
    } else if (input.id === this.diskBusy) {
      this.diskBusy = 0;
      for (const b of input.data ?? []) this.acc = mix(this.acc, b);
    }
  }

  nicReady(): boolean {
    return !this.nicFull;
  }

  timerCompare(): number {
    return this.compare;
  }

  timerPending(): boolean {
    return this.timerLine;
  }

  digest(): string {
    return [this.instret, this.pc, this.acc, this.timerLine, this.nicFull, this.diskBusy, this.compare].join(
      ':',
    );
  }

  snapshot(): VmSnapshot {
    return {
      version: 1,
      instret: this.instret,
      pc: this.pc,
      regs: Int32Array.of(this.acc | 0),
      csrs: {
        timerPending: +this.timerLine,
        nicFull: +this.nicFull,
        diskBusy: this.diskBusy,
        diskIds: this.diskIds,
        compare: this.compare,
      },
      ram: new Uint8Array(0),
      devices: {},
      exited: this.exited,
      exitCode: this.exitCode,
    };
  }

  restore(s: VmSnapshot): void {
    this.instret = s.instret;
    this.pc = s.pc;
    this.acc = s.regs[0]! >>> 0;
    this.timerLine = s.csrs.timerPending === 1;
    this.nicFull = s.csrs.nicFull === 1;
    this.diskBusy = s.csrs.diskBusy!;
    this.diskIds = s.csrs.diskIds!;
    this.compare = s.csrs.compare!;
    this.exited = s.exited;
    this.exitCode = s.exitCode;
  }
}

export function fakeDifferences(a: VmSnapshot, b: VmSnapshot) {
  const out = [];
  if (a.pc !== b.pc)
    out.push({ what: 'pc' as const, where: 'pc', primary: String(a.pc), secondary: String(b.pc) });
  if (a.regs[0] !== b.regs[0]) {
    out.push({
      what: 'register' as const,
      where: 'acc',
      primary: String(a.regs[0]),
      secondary: String(b.regs[0]),
    });
  }
  for (const key of Object.keys(a.csrs)) {
    if (a.csrs[key] !== b.csrs[key]) {
      out.push({
        what: 'csr' as const,
        where: key,
        primary: String(a.csrs[key]),
        secondary: String(b.csrs[key]),
      });
    }
  }
  return out;
}
