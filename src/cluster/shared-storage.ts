// Shared storage: each FT VM's disk image (sparse, in 512-byte sectors) and its FT lock. The lock
// is an atomic test-and-set on a generation number: a claimant names the generation it knows; if
// that is still current the generation is bumped and the claimant owns the new one. Every write
// carries the writer's generation, and a stale generation is fenced: it can never write again.
//
// This class is the array itself (every operation is atomic at the instant it runs); reaching it
// from a host — HBAs, the storage network, latency — is StoragePath's job.
import { assert } from '../base/assert.ts';
import { DISK_SECTOR_BYTES } from '../vm/api.ts';

export interface FtLock {
  generation: number;
  /** Host that won the current generation ("" before anyone). */
  owner: string;
}

export type TestAndSetResult =
  | { granted: true; generation: number }
  | { granted: false; generation: number; owner: string };

export type WriteResult = { ok: true } | { ok: false; fenced: true; generation: number };

export const DISK_SECTORS_MAX = 1 << 20;

export class SharedStorage {
  private readonly disks = new Map<string, Map<number, Uint8Array>>();
  private readonly locks = new Map<string, FtLock>();
  fencedWrites = 0;

  /** Creates a VM's disk and lock; `owner` holds generation 1. */
  createVm(vm: string, owner: string, image?: Uint8Array): number {
    assert(!this.locks.has(vm), `storage already has a disk for ${vm}`);
    const disk = new Map<number, Uint8Array>();
    if (image !== undefined) {
      for (let sector = 0; sector * DISK_SECTOR_BYTES < image.length; sector++) {
        const block = new Uint8Array(DISK_SECTOR_BYTES);
        block.set(image.subarray(sector * DISK_SECTOR_BYTES, (sector + 1) * DISK_SECTOR_BYTES));
        disk.set(sector, block);
      }
    }
    this.disks.set(vm, disk);
    this.locks.set(vm, { generation: 1, owner });
    return 1;
  }

  lock(vm: string): Readonly<FtLock> {
    const lock = this.locks.get(vm);
    // The message is built only on failure (this runs per operation).
    if (lock === undefined) assert(false, `no FT lock for ${vm}`);
    return lock;
  }

  /**
   * Atomic test-and-set: grants generation `known + 1` when `known` is current. Idempotent for
   * the winner (a retry after a lost reply is granted the same generation again).
   */
  testAndSet(vm: string, claimant: string, knownGeneration: number): TestAndSetResult {
    const lock = this.locks.get(vm);
    if (lock === undefined) assert(false, `no FT lock for ${vm}`);
    // Generation 0 means "never learnt one": such a claimant can never win.
    if (knownGeneration < 1) return { granted: false, generation: lock.generation, owner: lock.owner };
    if (lock.generation === knownGeneration) {
      lock.generation++;
      lock.owner = claimant;
      return { granted: true, generation: lock.generation };
    }
    if (lock.generation === knownGeneration + 1 && lock.owner === claimant) {
      return { granted: true, generation: lock.generation };
    }
    return { granted: false, generation: lock.generation, owner: lock.owner };
  }

  write(vm: string, host: string, generation: number, sector: number, data: Uint8Array): WriteResult {
    const lock = this.lock(vm);
    if (generation !== lock.generation || host !== lock.owner) {
      this.fencedWrites++;
      return { ok: false, fenced: true, generation: lock.generation };
    }
    assert(data.length % DISK_SECTOR_BYTES === 0, 'writes are whole sectors');
    const count = data.length / DISK_SECTOR_BYTES;
    assert(sector >= 0 && sector + count <= DISK_SECTORS_MAX, 'write outside the disk');
    const disk = this.disks.get(vm)!;
    for (let i = 0; i < count; i++) {
      disk.set(sector + i, data.slice(i * DISK_SECTOR_BYTES, (i + 1) * DISK_SECTOR_BYTES));
    }
    return { ok: true };
  }

  read(vm: string, sector: number, count: number): Uint8Array {
    const disk = this.disks.get(vm);
    if (disk === undefined) assert(false, `no disk for ${vm}`);
    assert(sector >= 0 && count >= 1 && sector + count <= DISK_SECTORS_MAX, 'read outside the disk');
    const data = new Uint8Array(count * DISK_SECTOR_BYTES);
    for (let i = 0; i < count; i++) {
      const block = disk.get(sector + i);
      if (block !== undefined) data.set(block, i * DISK_SECTOR_BYTES);
    }
    return data;
  }
}
