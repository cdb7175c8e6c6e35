// A client of an FT VM: sends its workload's requests to the VM's network address on a schedule
// (one outstanding at a time: request i leaves at max(startUs + i·intervalUs, answer of i−1)),
// retransmits on timeout up to `retriesMax` — each wait twice the one before, up to
// `timeoutMaxUs`, as TCP does, so a slow service is not buried under its own retransmissions —
// and records exactly what it received: the outside world's view that I2, I4 and I7 judge.
import { assert } from '../base/assert.ts';
import type { Simulator, Timer } from '../sim/simulator.ts';
import { TRACE_DETAIL_ALL, TRACE_DETAIL_MESSAGES } from '../sim/trace.ts';

/** What a client sends and how it recognises answers (built on the guest protocol codecs). */
export interface ClientWorkload {
  readonly requestCount: number;
  /** The request with this index (the same bytes on every retransmission). */
  encode(index: number): Uint8Array;
  /** The index of the request a response answers, or null when it is not one of ours. */
  match(response: Uint8Array): number | null;
  /**
   * What a response says the service lost (an acknowledged write its own check found missing),
   * or null. Optional: a workload whose guest checks nothing leaves it out.
   */
  lostData?(response: Uint8Array): string | null;
}

export interface ClientOptions {
  startUs: number;
  intervalUs: number;
  /** The first wait for an answer; every retransmission waits twice as long as the last… */
  timeoutUs: number;
  /** …up to this (default 4 × timeoutUs). */
  timeoutMaxUs?: number;
  retriesMax: number;
}

export const CLIENT_OPTIONS_DEFAULT: ClientOptions = {
  startUs: 10_000,
  intervalUs: 5_000,
  timeoutUs: 200_000,
  timeoutMaxUs: 800_000,
  retriesMax: 50,
};

/** Delivers a request to whoever holds the VM's address now. */
export type ClientSend = (client: Client, bytes: Uint8Array) => void;

export interface ClientReceipt {
  timeUs: number;
  /** Request answered, or null for a packet that matched none of ours. */
  index: number | null;
  /** A second answer to an already answered request (a retransmission at a failover). */
  duplicate: boolean;
  bytes: Uint8Array;
}

export type RequestStatus = 'unsent' | 'waiting' | 'answered' | 'gave-up';

export class Client {
  readonly received: ClientReceipt[] = [];
  readonly status: RequestStatus[];
  readonly answeredAtUs: number[];
  /** When each request was first sent (−1: not yet). */
  readonly firstSentUs: number[];
  retransmissions = 0;
  private next = 0;
  private attempts = 0;
  private timeout: Timer | undefined;

  constructor(
    readonly name: string,
    readonly vm: string,
    private readonly sim: Simulator,
    readonly workload: ClientWorkload,
    private readonly options: ClientOptions,
    private readonly transmit: ClientSend,
  ) {
    assert(/^c[1-9]\d*$/.test(name), `client name must be c1…cN, got ${name}`);
    assert(options.intervalUs >= 0 && options.timeoutUs > 0, 'client interval ≥ 0 and timeout > 0');
    this.status = new Array<RequestStatus>(workload.requestCount).fill('unsent');
    this.answeredAtUs = new Array<number>(workload.requestCount).fill(-1);
    this.firstSentUs = new Array<number>(workload.requestCount).fill(-1);
  }

  start(): void {
    if (this.workload.requestCount > 0)
      this.sim.at(Math.max(this.sim.now, this.options.startUs), () => this.sendNext());
  }

  get done(): boolean {
    return this.next >= this.workload.requestCount;
  }

  /** The request waiting for its answer now, if any (one is outstanding at a time). */
  get outstanding(): { index: number; sentUs: number } | null {
    const index = this.next;
    if (index >= this.status.length || this.status[index] !== 'waiting') return null;
    return { index, sentUs: this.firstSentUs[index]! };
  }

  /** The longest the client waits for an answer before it retransmits. */
  get timeoutMaxUs(): number {
    return this.options.timeoutMaxUs ?? 4 * this.options.timeoutUs;
  }

  get answeredCount(): number {
    return this.status.filter((s) => s === 'answered').length;
  }

  /** A packet from the VM's address reached this client. */
  receive(bytes: Uint8Array): void {
    const index = this.workload.match(bytes);
    const duplicate = index !== null && this.status[index] === 'answered';
    this.received.push({ timeUs: this.sim.now, index, duplicate, bytes });
    const trace = this.sim.trace;
    if (trace.detail >= TRACE_DETAIL_MESSAGES) {
      trace.record(this.sim.now, 'client', this.name, {
        op: 'recv',
        req: index,
        dup: duplicate,
        ...(trace.detail >= TRACE_DETAIL_ALL ? { data: toHex(bytes) } : {}),
      });
    }
    if (index === null || index !== this.next || this.status[index] !== 'waiting') return;
    this.status[index] = 'answered';
    this.answeredAtUs[index] = this.sim.now;
    this.sim.cancel(this.timeout);
    this.next++;
    if (this.done) return;
    const scheduled = this.options.startUs + this.next * this.options.intervalUs;
    this.sim.at(Math.max(this.sim.now, scheduled), () => this.sendNext());
  }

  private sendNext(): void {
    if (this.done) return;
    this.attempts = 0;
    this.status[this.next] = 'waiting';
    this.firstSentUs[this.next] = this.sim.now;
    this.attempt();
  }

  private attempt(): void {
    const index = this.next;
    if (this.attempts > 0) this.retransmissions++;
    this.attempts++;
    if (this.sim.trace.detail >= TRACE_DETAIL_MESSAGES) {
      this.sim.trace.record(this.sim.now, 'client', this.name, {
        op: 'send',
        req: index,
        attempt: this.attempts,
      });
    }
    this.transmit(this, this.workload.encode(index));
    const waitUs = Math.min(this.options.timeoutUs * 2 ** (this.attempts - 1), this.timeoutMaxUs);
    this.timeout = this.sim.after(waitUs, () => this.onTimeout(index));
  }

  private onTimeout(index: number): void {
    if (this.next !== index || this.status[index] !== 'waiting') return;
    if (this.attempts <= this.options.retriesMax) {
      this.attempt();
      return;
    }
    this.status[index] = 'gave-up';
    this.sim.trace.record(this.sim.now, 'client', this.name, { op: 'give-up', req: index });
    this.next++;
    if (!this.done) this.sendNext();
  }
}

export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}
