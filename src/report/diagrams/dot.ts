// Graphviz DOT from a machine graph: compound and parallel states become clusters, edges attach
// to a cluster through its initial leaf (lhead) or its first leaf (ltail), labelled like Mermaid.
import {
  internalTransitions,
  type MachineGraph,
  type StateInfo,
  type TransitionInfo,
} from './machineGraph.ts';
import { overridingFree, transitionLabel } from './mermaid.ts';

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function firstLeaf(graph: MachineGraph, state: StateInfo, useInitial: boolean): StateInfo {
  let s = state;
  while (s.children.length) s = graph.states.get((useInitial && s.initial) || s.children[0]!)!;
  return s;
}

const html = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A box with the state's name over a compartment listing its internal transitions (UML). */
function compartmentLabel(state: StateInfo, internal: TransitionInfo[]): string {
  const title = state.tags.length ? `${state.key} (${state.tags.join(', ')})` : state.key;
  // Trailing spaces: viewers without Helvetica draw wider text than Graphviz measured.
  const rows = internal.map(
    (t) => `<tr><td align="left">${html(transitionLabel(t))}&#160;&#160;&#160;&#160;</td></tr>`,
  );
  return `<<table border="0" cellborder="0" cellspacing="0" cellpadding="2"><tr><td><b>${html(title)}</b></td></tr><hr/>${rows.join('')}</table>>`;
}

function nodeLines(
  graph: MachineGraph,
  state: StateInfo,
  indent: string,
  lines: string[],
  internal: Map<string, TransitionInfo[]>,
): void {
  if (state.children.length === 0) {
    const shape = state.type === 'final' ? 'doublecircle' : 'box';
    const listed = internal.get(state.id);
    const label = listed
      ? compartmentLabel(state, listed)
      : quote(state.tags.length ? `${state.key}\n(${state.tags.join(', ')})` : state.key);
    lines.push(`${indent}${quote(state.id)} [label=${label}, shape=${shape}, style=rounded];`);
    return;
  }
  lines.push(`${indent}subgraph ${quote(`cluster_${state.id}`)} {`);
  lines.push(
    `${indent}  label=${quote(state.type === 'parallel' ? `${state.key} (parallel)` : state.key)}; style=rounded;`,
  );
  for (const child of state.children)
    nodeLines(graph, graph.states.get(child)!, `${indent}  `, lines, internal);
  lines.push(`${indent}}`);
}

export function toDot(graph: MachineGraph): string {
  const root = graph.states.get(graph.root)!;
  const lines = [
    `digraph ${quote(graph.id)} {`,
    '  compound=true; rankdir=LR; fontname="Helvetica"; node [fontname="Helvetica", fontsize=11]; edge [fontname="Helvetica", fontsize=9];',
    '  "__start" [shape=point, width=0.15];',
  ];
  const internal = internalTransitions(graph);
  const listed = new Set([...internal.values()].flat());
  for (const child of root.children) nodeLines(graph, graph.states.get(child)!, '  ', lines, internal);
  if (root.initial)
    lines.push(`  "__start" -> ${quote(firstLeaf(graph, graph.states.get(root.initial)!, true).id)};`);
  for (const t of graph.transitions) {
    if (listed.has(t)) continue;
    const sources = t.source === graph.root ? overridingFree(graph, t.event) : [t.source];
    const targets = t.targets.length ? t.targets : [t.source];
    for (const sourceId of sources) {
      const source = graph.states.get(sourceId)!;
      for (const targetId of targets) {
        const target = graph.states.get(targetId)!;
        const from = firstLeaf(graph, source, false);
        const to = firstLeaf(graph, target, true);
        const attrs = [`label=${quote(transitionLabel(t))}`];
        if (source.children.length) attrs.push(`ltail=${quote(`cluster_${source.id}`)}`);
        if (target.children.length && target !== source) attrs.push(`lhead=${quote(`cluster_${target.id}`)}`);
        lines.push(`  ${quote(from.id)} -> ${quote(to.id)} [${attrs.join(', ')}];`);
      }
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
