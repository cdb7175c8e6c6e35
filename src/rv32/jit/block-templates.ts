// Translated blocks shared by every hart of one RAM layout in the process. A fuzz campaign builds
// thousands of VMs from the same ELF; without sharing, each of them translates its blocks again and
// V8 parses, interprets and re-optimises every `new Function` from scratch, so short runs execute
// guest code mostly in V8's bytecode interpreter. A template is reused only where the hart's RAM
// holds exactly the words it was translated from, so self-modifying and different guests are safe.
// Bounded: a start keeps its newest `TEMPLATES_PER_START_MAX` versions, and the whole registry is
// dropped at `TEMPLATES_MAX` (a cache; nothing depends on what it holds).
import { assert } from '../../base/assert.ts';
import { type BlockTemplate, type RamLayout, templateMatches, translateBlock } from './block-compiler.ts';

export const TEMPLATES_MAX = 32_768;
export const TEMPLATES_PER_START_MAX = 4;

export class BlockTemplates {
  private readonly byStart = new Map<number, BlockTemplate[]>();
  private count = 0;
  /** Statistics (not part of any architectural state). */
  translated = 0;
  reused = 0;
  dropped = 0;

  constructor(readonly layout: RamLayout) {}

  get size(): number {
    return this.count;
  }

  /** A template for `start` that matches the words in `ram32`, if one was translated before. */
  find(ram32: Int32Array, start: number): BlockTemplate | undefined {
    const versions = this.byStart.get(start);
    if (versions === undefined) return undefined;
    for (const template of versions) {
      if (templateMatches(template, ram32)) {
        this.reused++;
        return template;
      }
    }
    return undefined;
  }

  /** Translates the block at `start` of `ram32` and keeps it for other harts. */
  translate(ram32: Int32Array, start: number): BlockTemplate {
    const template = translateBlock(this.layout, ram32, start);
    this.translated++;
    if (this.count >= TEMPLATES_MAX) this.clear();
    let versions = this.byStart.get(start);
    if (versions === undefined) {
      versions = [];
      this.byStart.set(start, versions);
    }
    if (versions.length >= TEMPLATES_PER_START_MAX) {
      versions.shift();
      this.count--;
    }
    versions.push(template);
    this.count++;
    assert(versions.length <= TEMPLATES_PER_START_MAX, 'templates per start are bounded');
    return template;
  }

  clear(): void {
    this.byStart.clear();
    this.count = 0;
    this.dropped++;
  }
}

const registries = new Map<string, BlockTemplates>();

/** The process-wide templates of harts with this RAM base and size. */
export function sharedTemplates(layout: RamLayout): BlockTemplates {
  const key = `${layout.ramBase}:${layout.ramSizeBytes}`;
  let templates = registries.get(key);
  if (templates === undefined) {
    templates = new BlockTemplates({ ramBase: layout.ramBase, ramSizeBytes: layout.ramSizeBytes });
    registries.set(key, templates);
  }
  return templates;
}
