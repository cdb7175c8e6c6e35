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
.banner-inconclusive { background: var(--warn); }
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
html { scroll-padding-bottom: 44vh; }
.tlc { overflow-x: auto; }
.tlc table { font-size: .8rem; }
.tlc td { white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
.tlc td.chg { background: #fff1c2; font-weight: 600; }
.tlc tr.tlc-violation th { color: var(--fail); }
.st { margin-top: .5rem; border: 1px solid var(--line); border-radius: 6px; font-size: .82rem; overflow-x: auto; }
.st-help { margin: .3rem .6rem; }
.st-head { position: sticky; top: 0; z-index: 2; display: flex; background: var(--bg-alt); border-bottom: 1px solid var(--line); font-weight: 600; height: 1.8rem; align-items: center; }
.st-t { flex: none; width: 104px; padding-left: .5rem; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.st-lanes { flex: none; position: relative; height: 1.6rem; }
.st-lane { position: absolute; top: .2rem; text-align: center; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.st-body { position: relative; }
.st-svg { position: absolute; top: 0; left: 104px; pointer-events: none; }
.st-rows { border: 0; margin: 0; padding: 0 0 4px; min-width: 0; }
.sr, .st-row input { position: absolute; width: 1px; height: 1px; margin: 0; opacity: 0; overflow: hidden; }
.st-row { display: flex; align-items: center; height: 24px; cursor: pointer; border-radius: 3px; }
.st-row:hover { background: #f6f8fa; }
.st-row:has(input:checked) { background: #fff8c5; }
.st-row:has(input:focus-visible) { outline: 2px solid #0969da; outline-offset: -2px; }
.st-gap { flex: none; }
.st-x { flex: 1; min-width: 12rem; padding: 0 .6rem; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.k-violation .st-x, .k-violation .st-t { color: var(--fail); font-weight: 600; }
.k-fault .st-x { color: #9a4d00; font-weight: 600; }
.k-role .st-x, .k-lock .st-x { font-weight: 600; }
.k-message .st-x { color: var(--muted); }
.st-panel { display: none; cursor: auto; }
.st:focus-within .st-row:has(input:checked) .st-panel { display: block; position: fixed; left: 0; right: 0; bottom: 0; z-index: 10; max-height: 42vh; overflow: auto; background: #fff; border-top: 3px solid #0969da; box-shadow: 0 -4px 12px rgba(0,0,0,.15); padding: .4rem 1.2rem .8rem; font-size: .85rem; white-space: normal; }
.st-at { margin: .2rem 0; }
.st-state th { white-space: nowrap; }
.st-state td { line-height: 1.9; }
.sf { display: inline-block; border: 1px solid var(--line); border-radius: 4px; padding: 0 .35rem; margin: 0 .15rem .1rem 0; white-space: nowrap; }
.sf .sk { color: var(--muted); }
.sf.chg { background: #fff1c2; border-color: #d4a72c; font-weight: 600; }
.st-svg .lane { stroke: #d0d7de; stroke-width: 2; }
.st-svg .arrow { stroke: #6e7781; stroke-width: 1.2; fill: none; }
.st-svg .arrow.lost { stroke: var(--fail); stroke-dasharray: 4 3; }
.st-svg .arrow.flight { stroke-dasharray: 2 4; }
.st-svg .arrowhead { fill: #6e7781; }
.st-svg .cross { stroke: var(--fail); stroke-width: 2; }
.st-svg .dot { stroke: #fff; stroke-width: 1.5; }
.dot-message { fill: #8c959f; } .dot-fault { fill: #f0a040; } .dot-role { fill: #0969da; }
.dot-lock { fill: #8250df; } .dot-output { fill: #1a7f37; } .dot-note { fill: #6e7781; }
.dot-violation { fill: var(--fail); }
.band-fault { fill: #fff1e0; stroke: #f0a040; }
.band-violation { fill: #ffebe9; stroke: var(--fail); }
.ev-k { font-weight: 600; }
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
