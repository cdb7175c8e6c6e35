// Diagram SVG files are inlined into index.html. Only SVG that cannot run code or reach the network
// is inlined; anything else is shown as a note, so the page stays self-contained and inert.

/** Signs of script or of a network fetch inside an SVG document. */
const UNSAFE_SVG =
  /<script|<iframe|<embed|<object|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*["']?\s*(?:https?:|\/\/)|url\(\s*["']?\s*(?:https?:|\/\/)|@import/i;

export type InlineSvg = { ok: true; svg: string } | { ok: false; reason: string };

/** Strips the XML prolog and doctype of an SVG file and checks it is safe to inline. */
export function prepareInlineSvg(fileText: string): InlineSvg {
  const body = fileText
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/<!DOCTYPE[^>[]*(\[[^\]]*\])?\s*>/gi, '')
    .trim();
  if (!/^(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(body)) return { ok: false, reason: 'not an SVG document' };
  if (UNSAFE_SVG.test(body)) return { ok: false, reason: 'contains script or external references' };
  return { ok: true, svg: body };
}
