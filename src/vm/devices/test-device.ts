// SiFive test/exit device (QEMU `virt` "sifive_test"): 0x5555 pass, (code << 16) | 0x3333 fail,
// 0x7777 reset (treated as exit 0). Any access width.
import { TEST_DEVICE_BASE } from '../api.ts';
import type { Device, DeviceHost, DeviceState } from './device.ts';

export class TestDevice implements Device {
  readonly name = 'test';
  readonly base = TEST_DEVICE_BASE;
  readonly sizeBytes = 0x1000;

  constructor(private readonly host: DeviceHost) {}

  load(): number {
    return 0;
  }

  store(offset: number, _size: 1 | 2 | 4, value: number): boolean {
    if (offset !== 0) return true;
    const low = value & 0xffff;
    if (low === 0x5555 || low === 0x7777) this.host.requestExit(0);
    else if (low === 0x3333) this.host.requestExit(value >>> 16);
    return true;
  }

  getState(): DeviceState {
    return {};
  }

  setState(): void {}
}
