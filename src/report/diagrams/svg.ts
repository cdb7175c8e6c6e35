// SVG rendered in-process from DOT with @viz-js/viz (Graphviz compiled to WebAssembly): no system
// binary, and the same DOT always gives the same SVG bytes.
// Loaded on first use: the WebAssembly module is large and only diagram-drawing commands need it.
import type { instance } from '@viz-js/viz';

let vizPromise: ReturnType<typeof instance> | null = null;

export async function dotToSvg(dot: string): Promise<string> {
  vizPromise ??= import('@viz-js/viz').then((viz) => viz.instance());
  const viz = await vizPromise;
  const result = viz.render(dot, { format: 'svg' });
  if (result.status !== 'success') {
    throw new Error(
      `Graphviz could not render the diagram: ${result.errors.map((e) => e.message).join('; ')}`,
    );
  }
  return result.output;
}
