// Every committed protocol diagram, generated from the machines themselves: state diagrams of the
// agent, the HA service and the abstract environment (Mermaid, DOT, SVG), and a Mermaid sequence
// diagram of the shortest counterexample of each seeded model bug. test/diagrams.test.ts fails
// when reports/diagrams/ is stale; `ftcheck diagram` rewrites it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { agentMachine } from '../../../models/agent.ts';
import { MODEL_BUGS } from '../../../models/bugs.ts';
import { createClusterModel } from '../../../models/clusterModel.ts';
import { haMachine } from '../../../models/haService.ts';
import { explore } from '../../check/explorer/explore.ts';
import { toDot } from './dot.ts';
import { machineGraph } from './machineGraph.ts';
import { toMermaid } from './mermaid.ts';
import { traceToSequence } from './sequence.ts';
import { dotToSvg } from './svg.ts';

export const DEFAULT_DIAGRAM_DIR = 'reports/diagrams';

export function protocolMachines(): [name: string, machine: AnyStateMachine][] {
  return [
    ['agent', agentMachine],
    ['ha-service', haMachine],
    ['environment', createClusterModel({ hosts: 2 }).machine],
  ];
}

/** Relative path → file content, in a fixed order. */
export async function generateDiagrams(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, machine] of protocolMachines()) {
    const graph = machineGraph(machine);
    const dot = toDot(graph);
    files.set(`${name}.mmd`, toMermaid(graph));
    files.set(`${name}.dot`, dot);
    files.set(`${name}.svg`, await dotToSvg(dot));
  }
  for (const bug of MODEL_BUGS) {
    const model = createClusterModel({ hosts: 2, bug });
    const violation = explore(model, { engine: 'compiled' }).violations[0];
    if (!violation) throw new Error(`seeded bug ${bug.name} produced no counterexample`);
    const steps = violation.trace.length - 1;
    const title =
      violation.loopStart === undefined
        ? `${bug.name}: ${violation.property} (${violation.invariant}) violated after ${steps} steps`
        : `${bug.name}: ${violation.property} (${violation.invariant}) starves: after ${violation.loopStart} steps, steps ${violation.loopStart + 1}-${steps} repeat forever`;
    files.set(`counterexamples/${bug.name}.mmd`, traceToSequence(violation.trace, model.view, title));
  }
  return files;
}

export async function writeDiagrams(outDir: string): Promise<string[]> {
  const files = await generateDiagrams();
  const written: string[] = [];
  for (const [path, content] of files) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(target);
  }
  return written;
}
