// How `ftcheck explore --swarm` and `ftcheck merge` of swarm shards show a swarm's result, in
// text and as JSON: the mode and its budget, each member, the union's coverage (exact, or an
// estimate with its error), the properties checked and those that were not, and a verdict that
// never passes a bounded search off as a proof. The JSON has no timings, so the same flags give
// the same bytes; file paths sit apart under `files`.
import type { PropertyResult } from '../check/explorer/explore.ts';
import { eventText, formatStepTable, type StateView } from '../check/explorer/stepTable.ts';
import type { SwarmResult } from '../check/explorer/swarm.ts';
import { HLL_BITS } from '../check/explorer/swarmSketch.ts';
import { thrownLine } from '../check/explorer/thrown.ts';
import { EXIT_INCONCLUSIVE, EXIT_OK, EXIT_VIOLATION } from './context.ts';

export interface SwarmReportContext {
  bounds: Record<string, number>;
  bug: string | null;
  view: StateView<never>;
  /** The counterexample's ITF file, when one was written. */
  itf: string | null;
  /** A shard's own result: which shard, and the shard file written. */
  shard: { index: number; count: number; file: string } | null;
}

const NOT_CHECKED_REASON =
  'a bounded search sees part of the state graph; this property is about whole runs and needs all of it';

function coverageMethod(result: SwarmResult): string {
  return result.coverage.exact
    ? 'exact: distinct 64-bit state fingerprints'
    : `estimate: HyperLogLog over 64-bit state fingerprints, 2^${HLL_BITS} registers`;
}

export function swarmExitCode(result: SwarmResult): number {
  if (result.verdict === 'violation') return EXIT_VIOLATION;
  return result.verdict === 'pass' ? EXIT_OK : EXIT_INCONCLUSIVE;
}

/** The result as one JSON object (see the file header). */
export function swarmJson(result: SwarmResult, ctx: SwarmReportContext): Record<string, unknown> {
  const v = result.violation;
  const view = ctx.view as StateView<unknown>;
  return {
    mode: 'swarm',
    model: result.model,
    engine: result.engine,
    bounds: ctx.bounds,
    bug: ctx.bug,
    symmetry: result.config.symmetry,
    swarm: {
      members: result.config.members,
      seed: result.config.seed,
      maxStatesPerMember: result.config.maxStates,
      ran: result.ran,
      missing: result.missing,
    },
    ...(ctx.shard ? { shard: { index: ctx.shard.index, count: ctx.shard.count } } : {}),
    members: result.members,
    coverage: { ...result.coverage, method: coverageMethod(result) },
    exhaustive: result.exhaustive,
    verdict: result.verdict,
    properties: result.properties.map(({ witness, ...p }) => ({
      ...p,
      invariant: p.invariant ?? null,
      ...(witness ? { witnessSteps: witness.length - 1 } : {}),
    })),
    notChecked: result.notChecked.map((p) => ({
      ...p,
      invariant: p.invariant ?? null,
      reason: NOT_CHECKED_REASON,
    })),
    violation:
      v === null
        ? null
        : {
            member: v.member,
            kind: v.kind,
            property: v.property,
            invariant: v.invariant ?? null,
            description: v.description,
            steps: v.trace.length - 1,
            shortest: false,
            trace: v.trace.map((step, k) => ({
              step: k,
              event: eventText(step.event),
              state: view(step.state),
            })),
          },
    files: { itf: ctx.itf, shard: ctx.shard?.file ?? null },
  };
}

function statusText(p: PropertyResult, result: SwarmResult): string {
  if (p.status === 'violated')
    return p.kind === 'sometimes' ? 'violated (no state satisfies it)' : 'VIOLATED';
  if (p.status === 'holds') {
    return p.witness
      ? `holds, witness in ${p.witness.length - 1} steps`
      : 'holds in every reachable state (a member exhausted the space)';
  }
  if (p.kind === 'sometimes') return 'unknown: no member reached a state that satisfies it';
  return `unknown: no violation in the ${result.coverage.states} states reached`;
}

function memberLines(result: SwarmResult): string[] {
  const rows = [['#', 'strategy', 'depth limit', 'states', 'transitions', 'depth', 'end']];
  for (const m of result.members) {
    rows.push([
      String(m.member),
      m.strategy,
      m.depthLimit === null ? '-' : String(m.depthLimit),
      String(m.states),
      String(m.transitions),
      String(m.depth),
      m.violated ? `violation (${m.violated})` : m.end,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd());
}

function verdictLine(result: SwarmResult): string {
  const budget = `${result.ran.length} member(s) × at most ${result.config.maxStates} states`;
  if (result.verdict === 'violation') return 'VIOLATION found (exit 1)';
  if (result.verdict === 'pass') {
    const member = result.members.find((m) => m.end === 'exhausted')!.member;
    const unchecked = result.notChecked.length > 0 ? '; the temporal properties above were not checked' : '';
    return `PASS (safety): member ${member} exhausted the whole state space and every checked property holds${unchecked} (exit 0)`;
  }
  return `INCONCLUSIVE (bounded): no violation within the swarm's budget (${budget}, ${result.coverage.states} distinct states); this is not a proof that the properties hold (exit 4)`;
}

/** The result as text lines (see the file header). */
export function swarmText(result: SwarmResult, ctx: SwarmReportContext): string[] {
  const c = result.config;
  const lines: string[] = [];
  const shard = ctx.shard
    ? ` — shard ${ctx.shard.index}/${ctx.shard.count}: members ${result.ran.join(', ')} (file ${ctx.shard.file})`
    : result.missing.length > 0
      ? ` — members missing (not merged): ${result.missing.join(', ')}`
      : '';
  lines.push(`model       ${result.model}`);
  lines.push(`engine      ${result.engine} (each member compiles the machine for itself)`);
  lines.push(
    `bounds      ${Object.entries(ctx.bounds)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  lines.push(`symmetry    ${c.symmetry ? 'on: states are counted up to a renaming of hosts' : 'off'}`);
  lines.push(
    `mode        swarm: ${c.members} members, seed ${c.seed}, at most ${c.maxStates} states per member${shard}`,
  );
  lines.push('members', ...memberLines(result));
  const error = result.coverage.exact
    ? ''
    : `, relative standard error ${(result.coverage.relativeError * 100).toFixed(2)}%`;
  lines.push(
    `coverage    ${result.coverage.states} distinct states reached by the union of the members (${coverageMethod(result)}${error})`,
  );
  lines.push('properties  (always: every state a member stored; deadlock: every state it expanded)');
  const width = Math.max(...result.properties.map((p) => p.name.length + (p.invariant ? 5 : 0)));
  for (const p of result.properties) {
    const name = `${p.name}${p.invariant ? ` (${p.invariant})` : ''}`;
    lines.push(`  ${p.kind.padEnd(10)}  ${name.padEnd(width)}  ${statusText(p, result)}`);
  }
  if (result.notChecked.length > 0) {
    lines.push(`NOT CHECKED under swarm (${NOT_CHECKED_REASON}; run explore without --swarm):`);
    for (const p of result.notChecked)
      lines.push(`  ${p.kind.padEnd(10)}  ${p.name}${p.invariant ? ` (${p.invariant})` : ''}`);
  }
  const v = result.violation;
  if (v !== null) {
    const member = result.members.find((m) => m.member === v.member)!;
    lines.push(
      '',
      `VIOLATION ${v.property}${v.invariant ? ` (${v.invariant})` : ''} [${v.kind}]: ${v.description}`,
      `found by member ${v.member} (${member.strategy}, seed ${member.seed}): a counterexample of ${v.trace.length - 1} steps, not necessarily the shortest${ctx.itf ? ` (ITF: ${ctx.itf})` : ''}:`,
      formatStepTable(v.trace as never, ctx.view),
    );
    if (v.thrown) lines.push(`then ${thrownLine(v.thrown)}`);
    const others = result.members.filter((m) => m.violated !== null && m.member !== v.member);
    if (others.length > 0)
      lines.push(`also found by: ${others.map((m) => `member ${m.member} (${m.violated})`).join(', ')}`);
  }
  lines.push(`verdict     ${verdictLine(result)}`);
  return lines;
}
