// Escaping for every text that comes from traces or results before it lands in a report.
// Trace text is untrusted: a guest or a fault description may contain markup.

// Characters XML 1.0 forbids outright (C0 controls except tab/newline/return, lone surrogates,
// U+FFFE/U+FFFF); a JUnit file containing one is rejected by strict CI parsers.
const XML_FORBIDDEN = new RegExp(
  [
    '[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffe\\uffff]',
    '[\\ud800-\\udbff](?![\\udc00-\\udfff])',
    '(?<![\\ud800-\\udbff])[\\udc00-\\udfff]',
  ].join('|'),
  'g',
);

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text or attribute value for HTML: `<script>` becomes inert text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Text or attribute value for XML, with characters XML cannot carry replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '\ufffd').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** One Markdown table cell: no row breaks, no column breaks, no raw HTML (GitHub renders it). */
export function escapeMarkdownCell(text: string): string {
  return escapeMarkdownInline(text).replace(/\|/g, '\\|');
}

/** Inline Markdown text on one line: HTML neutralised, emphasis and link syntax kept literal. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c]!)
    .replace(/([\\`*_[\]])/g, '\\$1');
}

/** A Markdown code span that cannot be broken out of, whatever backticks the text holds. */
export function markdownCode(text: string): string {
  const oneLine = text.replace(/\r?\n|\r/g, ' ');
  const longestRun = Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

/** A fenced Markdown block whose fence is longer than any backtick run inside. */
export function markdownFence(language: string, body: string): string {
  const longestRun = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${body.replace(/\n+$/, '')}\n${fence}`;
}
