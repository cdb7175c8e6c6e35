// Mermaid stateDiagram-v2 from a machine graph: renders on GitHub as is. Compound states nest,
// parallel regions are separated by `--`, final states point to [*], and each transition is
// labelled `EVENT [guard] / actions`. Output is deterministic (definition order).
import {
  internalTransitions,
  type MachineGraph,
  type StateInfo,
  type TransitionInfo,
} from './machineGraph.ts';

const safeId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
const labelText = (text: string) => text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();

export function transitionLabel(t: TransitionInfo): string {
  const guard = t.guard ? ` [${t.guard}]` : '';
  const actions = t.actions.length ? ` / ${t.actions.join(', ')}` : '';
  return labelText(`${t.event}${guard}${actions}`);
}

function stateLines(
  graph: MachineGraph,
  state: StateInfo,
  indent: string,
  lines: string[],
  internal: Map<string, TransitionInfo[]>,
): void {
  const id = safeId(state.id);
  const children = state.children.map((c) => graph.states.get(c)!);
  if (children.length === 0) {
    lines.push(`${indent}state "${state.key}" as ${id}`);
    // Internal transitions: description lines inside the state's box.
    for (const t of internal.get(state.id) ?? []) lines.push(`${indent}${id} : ${transitionLabel(t)}`);
  } else {
    lines.push(`${indent}state "${state.key}" as ${id} {`);
    if (state.type === 'parallel') {
      children.forEach((child, i) => {
        if (i > 0) lines.push(`${indent}  --`);
        stateLines(graph, child, `${indent}  `, lines, internal);
      });
    } else {
      if (state.initial) lines.push(`${indent}  [*] --> ${safeId(state.initial)}`);
      for (const child of children) stateLines(graph, child, `${indent}  `, lines, internal);
    }
    lines.push(`${indent}}`);
  }
  if (state.type === 'final') lines.push(`${indent}${id} --> [*]`);
  const notes = [
    ...(state.tags.length ? [`tags: ${state.tags.join(', ')}`] : []),
    ...(state.entry.length ? [`entry / ${state.entry.join(', ')}`] : []),
    ...(state.exit.length ? [`exit / ${state.exit.join(', ')}`] : []),
  ];
  if (notes.length && children.length === 0)
    lines.push(`${indent}note right of ${id} : ${labelText(notes.join(' | '))}`);
}

/** Top-level states that do not handle `event` themselves (so a root-level transition applies). */
export function overridingFree(graph: MachineGraph, event: string): string[] {
  const root = graph.states.get(graph.root)!;
  return root.children.filter((id) => !graph.transitions.some((t) => t.source === id && t.event === event));
}

export function toMermaid(graph: MachineGraph): string {
  const root = graph.states.get(graph.root)!;
  const lines = [
    'stateDiagram-v2',
    `  %% generated from the xstate machine '${graph.id}' by ftcheck diagram`,
  ];
  const internal = internalTransitions(graph);
  if (root.type === 'parallel') {
    stateLines(graph, root, '  ', lines, internal);
  } else {
    if (root.initial) lines.push(`  [*] --> ${safeId(root.initial)}`);
    for (const child of root.children) stateLines(graph, graph.states.get(child)!, '  ', lines, internal);
  }
  const listed = new Set([...internal.values()].flat());
  for (const t of graph.transitions) {
    if (listed.has(t)) continue;
    const source = t.source === graph.root ? null : safeId(t.source);
    const targets = t.targets.length ? t.targets : [t.source];
    for (const target of targets) {
      // Root-level transitions apply in every state: draw them from each top-level state.
      const sources = source ? [source] : overridingFree(graph, t.event).map(safeId);
      for (const s of sources) lines.push(`  ${s} --> ${safeId(target)} : ${transitionLabel(t)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
