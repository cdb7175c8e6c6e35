import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { agentMachine } from '../models/agent.ts';
import { toDot } from '../src/report/diagrams/dot.ts';
import { DEFAULT_DIAGRAM_DIR, generateDiagrams } from '../src/report/diagrams/generate.ts';
import { machineGraph } from '../src/report/diagrams/machineGraph.ts';
import { toMermaid } from '../src/report/diagrams/mermaid.ts';
import { dotToSvg } from '../src/report/diagrams/svg.ts';

describe('protocol diagrams', () => {
  it('are committed and current (run `ftcheck diagram` to regenerate)', async () => {
    const files = await generateDiagrams();
    expect(files.size).toBe(17);
    for (const [path, content] of files) {
      let committed = '';
      try {
        committed = readFileSync(join(DEFAULT_DIAGRAM_DIR, path), 'utf8');
      } catch {
        throw new Error(`${path} is missing from ${DEFAULT_DIAGRAM_DIR}: run \`ftcheck diagram\``);
      }
      expect(committed === content, `${path} is stale: run \`ftcheck diagram\``).toBe(true);
    }
  });

  it('draw the agent with its nested states, guards and actions', () => {
    const mermaid = toMermaid(machineGraph(agentMachine));
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(mermaid).toContain('state "goingLive" as agent_secondary_goingLive {');
    expect(mermaid).toContain('LOCK_GRANTED [noPendingIo]');
    expect(mermaid).toContain('PEER_SILENT [logAlreadyReplayed && lockRequiredToGoLive] / disengage');
  });

  it('handle parallel and final states, and render deterministic SVG', async () => {
    const machine = createMachine({
      id: 'demo',
      type: 'parallel',
      states: {
        left: { initial: 'a', states: { a: { on: { GO: 'done' } }, done: { type: 'final' } } },
        right: { initial: 'x', states: { x: {} } },
      },
    });
    const graph = machineGraph(machine);
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain('  --\n');
    expect(mermaid).toContain('demo_left_done --> [*]');
    const dot = toDot(graph);
    expect(dot).toContain('subgraph "cluster_demo.left"');
    const svg = await dotToSvg(dot);
    expect(svg).toContain('<svg');
    expect(await dotToSvg(dot)).toBe(svg);
    await expect(dotToSvg('digraph { a -> }')).rejects.toThrow(/Graphviz could not render/);
  });

  it("list a state's many self-loops inside its box (UML internal transitions), a few as loops", async () => {
    const loops = Object.fromEntries(['A', 'B', 'C', 'D'].map((e) => [e, { actions: `do${e}` }]));
    const machine = createMachine({
      id: 'env',
      initial: 'busy',
      states: {
        busy: { on: { ...loops, STOP: 'idle' } },
        idle: { on: { X: 'idle', Y: 'idle', GO: 'busy' } },
      },
    });
    const graph = machineGraph(machine);
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain('env_busy : A / doA\n');
    expect(mermaid).not.toContain('env_busy --> env_busy');
    expect(mermaid).toContain('env_busy --> env_idle : STOP');
    expect(mermaid).toContain('env_idle --> env_idle : X'); // two loops stay loops
    const dot = toDot(graph);
    expect(dot).toContain('<td align="left">D / doD');
    expect(dot).not.toContain('"env.busy" -> "env.busy"');
    expect(await dotToSvg(dot)).toContain('D / doD');
  });
});
