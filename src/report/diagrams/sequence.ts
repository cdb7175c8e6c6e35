// A counterexample as a Mermaid sequenceDiagram: hosts, the HA service and shared storage are
// participants; protocol steps are messages, faults are notes, and the agent state each step
// leads to is noted beside its host. Works on any trace whose view has `h0…hN` columns.
import type { EventObject } from 'xstate';
import type { StateView } from '../../check/explorer/stepTable.ts';
import type { TraceStep } from '../../check/explorer/trace.ts';

const FAULTS = new Set(['CRASH', 'REPAIR', 'STORAGE_LOSS', 'STORAGE_RESTORE', 'PARTITION', 'HEAL', 'RESET']);
const clean = (text: string) =>
  text
    .replace(/[;#{}"]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function hostOf(event: EventObject): string | null {
  const host = (event as { host?: unknown }).host;
  return typeof host === 'number' ? `h${host}` : null;
}

/** The request a host was waiting on (the `req=` field of its view before the step). */
function replyLines(host: string, before: string, after: string): string[] {
  const request = /req=(\w+)/.exec(before)?.[1];
  switch (request) {
    case 'testAndSet': {
      const result = after.startsWith('halted')
        ? 'denied'
        : /acquiringLock/.test(after)
          ? 'unreachable'
          : 'granted';
      return [`  ${host}->>Storage: testAndSet`, `  Storage-->>${host}: ${result}`];
    }
    case 'reissue':
      return [`  ${host}->>Storage: reissue pending I/O`];
    case 'replay':
      return [`  Note over ${host}: replayed the received log`];
    case 'snapshot':
      return [`  Env-->>${host}: snapshot of the primary (lockstep engages)`];
    default:
      return [`  Env-->>${host}: reply`];
  }
}

function stepLines(
  event: EventObject,
  changed: Record<string, string>,
  before: Record<string, string | number | boolean>,
  hosts: string[],
): string[] {
  const host = hostOf(event);
  const all = `${hosts[0]},${hosts.at(-1)}`;
  const lines: string[] = [];
  if (FAULTS.has(event.type)) {
    lines.push(
      `  Note over ${host ?? all}: ${event.type === 'PARTITION' || event.type === 'HEAL' ? `network ${event.type.toLowerCase()}` : event.type}`,
    );
  } else if (event.type === 'RESPOND' && host) {
    lines.push(...replyLines(host, String(before[host]), changed[host] ?? String(before[host])));
  } else if (event.type === 'TIMEOUT' && host) {
    lines.push(`  Note over ${host}: peer silent (timeout)`);
  } else if (event.type.startsWith('HA_')) {
    lines.push(host ? `  HA->>${host}: ${event.type} (placement)` : `  Note over HA: ${event.type}`);
  } else if (host) {
    lines.push(`  ${host}->>Env: ${event.type}`);
  } else {
    lines.push(`  Note over Env: ${event.type}`);
  }
  for (const [key, value] of Object.entries(changed)) {
    if (/^h\d+$/.test(key)) lines.push(`  Note right of ${key}: ${clean(value)}`);
    else if (key === 'ha') lines.push(`  Note right of HA: ${clean(value)}`);
  }
  const shared = Object.entries(changed).filter(([k]) => !/^h\d+$/.test(k) && k !== 'ha' && k !== 'budget');
  if (shared.length) lines.push(`  Note over Env: ${clean(shared.map(([k, v]) => `${k}=${v}`).join(', '))}`);
  return lines;
}

export function traceToSequence<C>(
  trace: readonly TraceStep<C>[],
  view: StateView<C>,
  title: string,
): string {
  const views = trace.map((step) => view(step.state));
  const hosts = Object.keys(views[0] ?? {}).filter((k) => /^h\d+$/.test(k));
  const lines = ['sequenceDiagram', `  %% ${clean(title)}`];
  for (const host of hosts) lines.push(`  participant ${host}`);
  lines.push(
    '  participant HA',
    '  participant Storage as Storage (lock, disk)',
    '  participant Env as Environment',
  );
  lines.push(`  Note over ${hosts[0]},${hosts.at(-1)}: initial`);
  for (const host of hosts) lines.push(`  Note right of ${host}: ${clean(String(views[0]![host]))}`);
  for (let i = 1; i < trace.length; i++) {
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(views[i]!)) if (views[i - 1]![k] !== v) changed[k] = String(v);
    lines.push(...stepLines(trace[i]!.event!, changed, views[i - 1]!, hosts));
  }
  return `${lines.join('\n')}\n`;
}
