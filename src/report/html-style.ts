// The inline stylesheet of index.html (no external fonts or files: the page must open offline).
export const HTML_STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: 0; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .88em; }
pre { background: var(--bg-alt); padding: .6rem .8rem; border-radius: 6px; overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.banner { padding: 1rem 1.5rem; color: #fff; }
.banner p { margin: .3rem 0 0; }
.banner-pass { background: var(--pass); } .banner-fail { background: var(--fail); }
.banner-error { background: #6e7781; } .banner-interrupted { background: var(--warn); }
nav { margin-top: .8rem; } nav a { margin-right: 1rem; }
.v-hold { color: var(--pass); font-weight: 600; } .v-violated { color: var(--fail); font-weight: 600; }
.v-not-checked { color: var(--muted); }
.v-hold, .v-violated, .v-not-checked { white-space: nowrap; }
.diagrams { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure.diagram { margin: 0; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; overflow-x: auto; }
figure.diagram svg { max-width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.cx { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 6px; padding: .2rem 1rem 1rem; margin: 1rem 0; }
.legend .ev { display: inline-block; margin: 0 .2rem; }
.timeline { display: grid; border: 1px solid var(--line); font-size: .85rem; overflow-x: auto; margin-top: .5rem; }
.tl-head { position: sticky; top: 0; background: var(--bg-alt); font-weight: 600; padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: center; }
.tl-time { padding: .25rem .5rem; color: var(--muted); font-variant-numeric: tabular-nums; border-bottom: 1px solid #eef1f4; white-space: nowrap; }
.tl-time.tl-violation { color: var(--fail); font-weight: 700; }
.tl-cell { padding: .15rem .3rem; border-bottom: 1px solid #eef1f4; border-left: 2px solid #c9d1d9; min-height: 1.6rem; }
.tl-omitted { grid-column: 1 / -1; text-align: center; padding: .3rem; background: var(--bg-alt); color: var(--muted); }
.ev { display: block; padding: .1rem .4rem; border-radius: 4px; border: 1px solid transparent; overflow-wrap: anywhere; }
.legend .ev { display: inline-block; }
.ev-fault { background: #fff1e0; border-color: #f0a040; }
.ev-role { background: #ddf4ff; border-color: #54aeff; }
.ev-output { background: #dafbe1; border-color: #4ac26b; }
.ev-message { background: #f6f8fa; border-color: #d1d9e0; }
.ev-lock { background: #fbefff; border-color: #c297ff; }
.ev-violation { background: #ffebe9; border: 2px solid var(--fail); color: #82071e; }
.ev-note { background: #fff; border-color: #d1d9e0; border-style: dashed; }
`;
