// Sharding a fuzz campaign across CI runners (`--shard i/n`): the campaign's runs are numbered
// 0 … runs-1 and run k uses seed baseSeed + k; shard i of n takes one contiguous block of runs.
// Blocks never overlap and together are exactly the unsharded campaign, whatever n is.
import { assert } from '../base/assert.ts';

/** Most shards a campaign may be split into (a CI matrix is far smaller). */
export const SHARDS_MAX = 10_000;

export interface Shard {
  /** 1-based index of this shard. */
  index: number;
  count: number;
}

/** The part of a campaign one shard runs. `runs` may be 0 when there are more shards than runs. */
export interface ShardSeeds {
  /** Index (0-based) in the unsharded campaign of this shard's first run. */
  runOffset: number;
  runs: number;
  /** Seed of this shard's first run: baseSeed + runOffset. */
  firstSeed: number;
}

/** Bad `--shard` input; the CLI reports it as a usage error. */
export class ShardError extends Error {
  override name = 'ShardError';
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ SHARDS_MAX), e.g. '2/5' → { index: 2, count: 5 }. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw new ShardError(`--shard must look like i/n (for example 2/5), got '${text}'`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > SHARDS_MAX) {
    throw new ShardError(
      `--shard ${text}: the shard count must be between 1 and ${SHARDS_MAX}, got ${count}`,
    );
  }
  if (index < 1 || index > count) {
    throw new ShardError(
      `--shard ${text}: the shard index must be between 1 and ${count} (shards count from 1)`,
    );
  }
  return { index, count };
}

/** First run index of shard `index` (1-based; index count+1 gives `runs`). Balanced: sizes differ by ≤ 1. */
function blockStart(runs: number, index: number, count: number): number {
  return Math.floor(((index - 1) * runs) / count);
}

/** This shard's block of the campaign of `runs` runs starting at `baseSeed`. */
export function shardSeeds(baseSeed: number, runs: number, shard: Shard): ShardSeeds {
  assert(Number.isSafeInteger(baseSeed), 'shardSeeds: baseSeed must be a safe integer');
  assert(Number.isSafeInteger(runs) && runs >= 0, 'shardSeeds: runs must be a non-negative integer');
  assert(Number.isSafeInteger(baseSeed + runs), 'shardSeeds: the last seed must be a safe integer');
  assert(Number.isInteger(shard.count) && shard.count >= 1, 'shardSeeds: shard count must be ≥ 1');
  assert(Number.isInteger(shard.index) && shard.index >= 1, 'shardSeeds: shard index must be ≥ 1');
  assert(shard.index <= shard.count, 'shardSeeds: shard index must be ≤ shard count');
  // runs * index stays exact: runs ≤ 2^53 / SHARDS_MAX is far beyond any campaign.
  assert(runs * shard.count <= Number.MAX_SAFE_INTEGER, 'shardSeeds: runs too large to shard exactly');
  const runOffset = blockStart(runs, shard.index, shard.count);
  const runOffsetNext = blockStart(runs, shard.index + 1, shard.count);
  return { runOffset, runs: runOffsetNext - runOffset, firstSeed: baseSeed + runOffset };
}

/** The seeds of a shard's runs, in run order. */
export function seedsOf(block: ShardSeeds): number[] {
  return Array.from({ length: block.runs }, (_, k) => block.firstSeed + k);
}
