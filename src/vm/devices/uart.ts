// 16550 UART, transmit only: THR (+0) bytes are console output; LSR (+5) always reads 0x60
// (transmitter empty). Everything else reads 0 and ignores writes. Any access width.
import { UART_BASE } from '../api.ts';
import type { Device, DeviceHost, DeviceState } from './device.ts';

const LSR_OFFSET = 5;
const LSR_TRANSMITTER_EMPTY = 0x60;

export class Uart implements Device {
  readonly name = 'uart';
  readonly base = UART_BASE;
  readonly sizeBytes = 0x100;

  constructor(private readonly host: DeviceHost) {}

  load(offset: number): number {
    return offset === LSR_OFFSET ? LSR_TRANSMITTER_EMPTY : 0;
  }

  store(offset: number, _size: 1 | 2 | 4, value: number): boolean {
    if (offset === 0) this.host.outputs.console(value & 0xff, this.host.instret);
    return true;
  }

  getState(): DeviceState {
    return {};
  }

  setState(): void {}
}
