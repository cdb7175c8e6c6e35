// Builds minimal ELF32 RISC-V executables for tests (not a test file itself).

export interface SegmentSpec {
  type?: number;
  address: number;
  data: Uint8Array;
  memSize?: number;
  offset?: number;
}

/** A minimal ELF32 executable: header, program headers, then each segment's bytes. */
export function makeElf(
  entry: number,
  segments: SegmentSpec[],
  patch: (view: DataView) => void = () => {},
): Uint8Array {
  const headerBytes = 52 + 32 * segments.length;
  const total = headerBytes + segments.reduce((n, s) => n + s.data.length, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  view.setUint16(16, 2, true);
  view.setUint16(18, 243, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, entry, true);
  view.setUint32(28, 52, true);
  view.setUint16(40, 52, true);
  view.setUint16(42, 32, true);
  view.setUint16(44, segments.length, true);
  let dataOffset = headerBytes;
  segments.forEach((segment, i) => {
    const at = 52 + 32 * i;
    view.setUint32(at, segment.type ?? 1, true);
    view.setUint32(at + 4, segment.offset ?? dataOffset, true);
    view.setUint32(at + 8, segment.address, true);
    view.setUint32(at + 12, segment.address, true);
    view.setUint32(at + 16, segment.data.length, true);
    view.setUint32(at + 20, segment.memSize ?? segment.data.length, true);
    bytes.set(segment.data, dataOffset);
    dataOffset += segment.data.length;
  });
  patch(view);
  return bytes;
}

/** An executable whose one segment holds `code` at the start of RAM. */
export function elfOf(code: Uint8Array, ramBase = 0x8000_0000): Uint8Array {
  return makeElf(ramBase, [{ address: ramBase, data: code }]);
}
