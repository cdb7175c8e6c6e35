// The data-plane seeded bugs: each an alternative `DataPlaneStrategy`, selected by name, which a
// lockstep check must catch (test/lockstep-bugs.test.ts shows each one caught).
import type { SeededBug } from '../base/invariants.ts';
import type { Nondet, VmInput } from '../vm/api.ts';
import type { LogEntrySink, OutputKind } from './log-entry.ts';
import { correctStrategy, type DataPlaneStrategy, isTimeSource } from './strategy.ts';

export const DATA_PLANE_BUGS: SeededBug[] = [
  {
    name: 'interrupt-late',
    level: 'data-plane',
    breaks: ['I1'],
    description: 'the secondary injects a logged timer interrupt one instruction after its stamp',
  },
  {
    name: 'dma-misplaced',
    level: 'data-plane',
    breaks: ['I1'],
    description: 'the secondary applies DMA (received packet, disk read data) two instructions late',
  },
  {
    name: 'time-unlogged',
    level: 'data-plane',
    breaks: ['I1'],
    description: 'time reads are not logged; the secondary answers them from its own host clock',
  },
  {
    name: 'output-not-suppressed',
    level: 'data-plane',
    // A lockstep pair sees the second output stream (I2); on the cluster two VMs of the pair emit
    // output at once, which is split-brain by definition (I3), while clients take the secondary's
    // identical copies for retransmissions.
    breaks: ['I2', 'I3'],
    description: "the secondary's outputs reach the outside world as well as the primary's",
  },
  {
    name: 'output-released-before-ack',
    level: 'data-plane',
    breaks: ['I2', 'I4'],
    description: 'the primary releases an output before the secondary acknowledged its log entry',
  },
  {
    name: 'log-entry-dropped',
    level: 'data-plane',
    breaks: ['I1'],
    description: 'the first input entry (interrupt or DMA) is never written to the log',
  },
  {
    name: 'log-entries-reordered',
    level: 'data-plane',
    breaks: ['I1'],
    description: 'the first input entry is written after the entry that follows it',
  },
];

/** Forwards every entry except those `drop` rejects. */
class FilteringSink implements LogEntrySink {
  constructor(
    private readonly sink: LogEntrySink,
    private readonly dropNondet: (source: Nondet) => boolean,
    private dropInputs: number,
  ) {}
  nondet(source: Nondet, instret: number, value: number): void {
    if (!this.dropNondet(source)) this.sink.nondet(source, instret, value);
  }
  input(input: VmInput, instret: number): void {
    if (this.dropInputs > 0) this.dropInputs--;
    else this.sink.input(input, instret);
  }
  output(output: OutputKind, instret: number): void {
    this.sink.output(output, instret);
  }
  progress(instret: number): void {
    this.sink.progress(instret);
  }
  flush(): void {
    this.sink.flush();
  }
}

/** Holds back the first input entry and writes it after the next entry. */
class ReorderingSink implements LogEntrySink {
  private heldInput: { input: VmInput; instret: number } | null = null;
  private done = false;
  constructor(private readonly sink: LogEntrySink) {}
  nondet(source: Nondet, instret: number, value: number): void {
    this.sink.nondet(source, instret, value);
    this.release();
  }
  input(input: VmInput, instret: number): void {
    if (!this.done && this.heldInput === null) {
      this.heldInput = { input, instret };
      return;
    }
    this.sink.input(input, instret);
    this.release();
  }
  output(output: OutputKind, instret: number): void {
    this.sink.output(output, instret);
    this.release();
  }
  progress(instret: number): void {
    this.sink.progress(instret);
    this.release();
  }
  flush(): void {
    this.sink.flush();
  }
  private release(): void {
    if (this.heldInput === null) return;
    this.sink.input(this.heldInput.input, this.heldInput.instret);
    this.heldInput = null;
    this.done = true;
  }
}

const STRATEGIES: Record<string, DataPlaneStrategy> = {
  'interrupt-late': {
    ...correctStrategy,
    name: 'interrupt-late',
    injectionDelay: (input) => (input.kind === 'timer' ? 1 : 0),
  },
  'dma-misplaced': {
    ...correctStrategy,
    name: 'dma-misplaced',
    injectionDelay: (input) => (input.kind === 'timer' ? 0 : 2),
  },
  'time-unlogged': {
    ...correctStrategy,
    name: 'time-unlogged',
    wrapSink: (sink) => new FilteringSink(sink, isTimeSource, 0),
    replaysNondet: (source) => !isTimeSource(source),
  },
  'output-not-suppressed': { ...correctStrategy, name: 'output-not-suppressed', suppressesOutput: false },
  'output-released-before-ack': {
    ...correctStrategy,
    name: 'output-released-before-ack',
    releasePolicy: () => 0,
  },
  'log-entry-dropped': {
    ...correctStrategy,
    name: 'log-entry-dropped',
    wrapSink: (sink) => new FilteringSink(sink, () => false, 1),
  },
  'log-entries-reordered': {
    ...correctStrategy,
    name: 'log-entries-reordered',
    wrapSink: (sink) => new ReorderingSink(sink),
  },
};

export const DATA_PLANE_BUG_NAMES: readonly string[] = DATA_PLANE_BUGS.map((bug) => bug.name);

/** The strategy for a bug name ('correct' or undefined → the correct data plane). */
export function dataPlaneStrategy(name?: string): DataPlaneStrategy {
  if (name === undefined || name === 'correct') return correctStrategy;
  const strategy = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (strategy === undefined) {
    throw new Error(`unknown data-plane bug '${name}' (known: ${DATA_PLANE_BUG_NAMES.join(', ')})`);
  }
  return strategy;
}
