// The Output Rule: an output leaves for the outside world only once the secondary has
// acknowledged the log through the entry of the instruction that produced it. The VM never waits
// for this; only the output does. Which acknowledgement suffices is the release policy (a seeded
// bug releases early); what actually happened is reported to `onRelease` for the checker.
import { assert } from '../base/assert.ts';
import type { DiskRequest, VmOutputs } from '../vm/api.ts';

export type HeldOutput =
  | { kind: 'console'; byte: number; instret: number; entryEnd: number }
  | { kind: 'nic'; data: Uint8Array; instret: number; entryEnd: number }
  | { kind: 'disk'; request: DiskRequest; instret: number; entryEnd: number };

/** Stream offset that must be acknowledged before an output whose entry ends at `entryEnd` goes. */
export type ReleasePolicy = (entryEnd: number) => number;

export const releaseAfterAck: ReleasePolicy = (entryEnd) => entryEnd;

/** Called for every released output with the acknowledged offset at that moment. */
export type ReleaseObserver = (output: HeldOutput, ackedBytes: number) => void;
/** Called for every output the gate takes, before it may be released. */
export type HoldObserver = (output: HeldOutput) => void;

export function deliverOutput(output: HeldOutput, world: VmOutputs): void {
  if (output.kind === 'console') world.console(output.byte, output.instret);
  else if (output.kind === 'nic') world.nicTransmit(output.data, output.instret);
  else world.diskRequest(output.request, output.instret);
}

export class OutputGate {
  private readonly held: HeldOutput[] = [];
  private first = 0;
  private readonly policy: ReleasePolicy;
  onRelease: ReleaseObserver | null = null;
  onHold: HoldObserver | null = null;
  /** Outputs produced (all pass through the gate). */
  outputsTotal = 0;
  /** Outputs that had to wait for an acknowledgement (not releasable when produced). */
  outputsDelayed = 0;
  outputsReleased = 0;
  heldPeak = 0;

  constructor(policy: ReleasePolicy = releaseAfterAck) {
    this.policy = policy;
  }

  get heldCount(): number {
    return this.held.length - this.first;
  }

  /** The log offset the oldest held output waits for (its entry's end), or -1 when none is held. */
  get oldestHeldEntryEnd(): number {
    return this.first < this.held.length ? this.held[this.first]!.entryEnd : -1;
  }

  hold(output: HeldOutput, ackedBytes: number): void {
    assert(
      this.heldCount === 0 || output.entryEnd >= this.held[this.held.length - 1]!.entryEnd,
      'outputs must be held in log order',
    );
    this.held.push(output);
    this.onHold?.(output);
    this.outputsTotal++;
    if (this.policy(output.entryEnd) > ackedBytes) this.outputsDelayed++;
    if (this.heldCount > this.heldPeak) this.heldPeak = this.heldCount;
  }

  /** Releases, in order, every output the policy allows at `ackedBytes`. */
  release(ackedBytes: number, world: VmOutputs): number {
    let released = 0;
    while (this.first < this.held.length && this.policy(this.held[this.first]!.entryEnd) <= ackedBytes) {
      this.emit(this.held[this.first++]!, ackedBytes, world);
      released++;
    }
    this.compact();
    return released;
  }

  /** Releases everything (the secondary was dropped: nobody left to wait for). */
  releaseAll(world: VmOutputs): number {
    const count = this.heldCount;
    while (this.first < this.held.length) this.emit(this.held[this.first++]!, Infinity, world);
    this.compact();
    return count;
  }

  /** Forgets held outputs without sending them (the primary failed: they are lost). */
  discard(): HeldOutput[] {
    const lost = this.held.slice(this.first);
    this.held.length = 0;
    this.first = 0;
    return lost;
  }

  private emit(output: HeldOutput, ackedBytes: number, world: VmOutputs): void {
    this.onRelease?.(output, ackedBytes);
    deliverOutput(output, world);
    this.outputsReleased++;
  }

  private compact(): void {
    if (this.first > 1024 && this.first * 2 > this.held.length) {
      this.held.splice(0, this.first);
      this.first = 0;
    } else if (this.first === this.held.length) {
      this.held.length = 0;
      this.first = 0;
    }
  }
}
