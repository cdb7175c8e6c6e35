// ELF32 loader for little-endian RISC-V executables. It only parses and validates; the machine
// copies the segments into RAM. Every way a file can be wrong is an ElfError naming the problem.

export class ElfError extends Error {
  override name = 'ElfError';
}

export interface ElfSegment {
  /** Physical load address (p_paddr, as QEMU loads it). */
  address: number;
  /** The file bytes (p_filesz); the rest up to memSizeBytes is zero. */
  data: Uint8Array;
  memSizeBytes: number;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
}

export interface ElfLoadOptions {
  ramBase: number;
  ramSizeBytes: number;
}

const ELF_HEADER_BYTES = 52;
const PROGRAM_HEADER_BYTES = 32;
const PROGRAM_HEADERS_MAX = 256;
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;

export function parseElf(bytes: Uint8Array, options: ElfLoadOptions): ElfImage {
  if (bytes.length < ELF_HEADER_BYTES) {
    throw new ElfError(`file is ${bytes.length} bytes, shorter than an ELF32 header (52)`);
  }
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic)');
  }
  if (bytes[4] !== 1) throw new ElfError(`not a 32-bit ELF (EI_CLASS ${bytes[4]}, want 1)`);
  if (bytes[5] !== 1) throw new ElfError(`not little-endian (EI_DATA ${bytes[5]}, want 1)`);
  if (bytes[6] !== 1) throw new ElfError(`unknown ELF version ${bytes[6]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (type !== ET_EXEC) throw new ElfError(`not an executable (e_type ${type}, want ET_EXEC 2)`);
  if (machine !== EM_RISCV) throw new ElfError(`not a RISC-V file (e_machine ${machine}, want 243)`);
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum === 0) throw new ElfError('no program headers');
  if (phnum > PROGRAM_HEADERS_MAX)
    throw new ElfError(`${phnum} program headers (at most ${PROGRAM_HEADERS_MAX})`);
  if (phentsize !== PROGRAM_HEADER_BYTES) {
    throw new ElfError(`program header size ${phentsize}, want ${PROGRAM_HEADER_BYTES}`);
  }
  if (phoff + phnum * phentsize > bytes.length) {
    throw new ElfError(`program headers (offset ${phoff}, ${phnum} entries) run past the end of the file`);
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const segment = parseSegment(bytes, view, phoff + i * phentsize, i, options);
    if (segment !== null) segments.push(segment);
  }
  if (segments.length === 0) throw new ElfError('no PT_LOAD segment with contents');
  checkOverlaps(segments);
  checkEntry(entry, segments);
  return { entry, segments };
}

function parseSegment(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  index: number,
  options: ElfLoadOptions,
): ElfSegment | null {
  if (view.getUint32(at, true) !== PT_LOAD) return null;
  const offset = view.getUint32(at + 4, true);
  const address = view.getUint32(at + 12, true);
  const fileSize = view.getUint32(at + 16, true);
  const memSize = view.getUint32(at + 20, true);
  if (memSize === 0) return null;
  const name = `segment ${index} (address 0x${address.toString(16)})`;
  if (fileSize > memSize) throw new ElfError(`${name}: file size ${fileSize} exceeds memory size ${memSize}`);
  if (offset + fileSize > bytes.length) {
    throw new ElfError(
      `${name}: file bytes [${offset}, ${offset + fileSize}) run past the end (${bytes.length})`,
    );
  }
  const ramEnd = options.ramBase + options.ramSizeBytes;
  if (address < options.ramBase || address + memSize > ramEnd) {
    throw new ElfError(
      `${name}: [0x${address.toString(16)}, 0x${(address + memSize).toString(16)}) lies outside RAM ` +
        `[0x${options.ramBase.toString(16)}, 0x${ramEnd.toString(16)})`,
    );
  }
  return { address, data: bytes.subarray(offset, offset + fileSize), memSizeBytes: memSize };
}

function checkOverlaps(segments: ElfSegment[]): void {
  const sorted = [...segments].sort((a, b) => a.address - b.address);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (previous.address + previous.memSizeBytes > current.address) {
      throw new ElfError(
        `segments at 0x${previous.address.toString(16)} and 0x${current.address.toString(16)} overlap`,
      );
    }
  }
}

function checkEntry(entry: number, segments: ElfSegment[]): void {
  if (entry % 4 !== 0) throw new ElfError(`entry point 0x${entry.toString(16)} is not 4-byte aligned`);
  const inside = segments.some((s) => entry >= s.address && entry < s.address + s.memSizeBytes);
  if (!inside) throw new ElfError(`entry point 0x${entry.toString(16)} is not inside a loaded segment`);
}
