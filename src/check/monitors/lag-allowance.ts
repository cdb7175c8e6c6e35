// How long a survivor may take to replay its backlog when it goes live, under a correct lag
// control (src/cluster/lag-marks.ts): at most the high mark (100 ms of its own replay time) in a
// steady state, plus what the primary ran at full speed while lag control was reacting to a sudden
// slowdown (a few slices: the new speed reaches the primary with the next acknowledgement, then
// one share step per slice down to a stop) — replayed at the survivor's slow speed. A drain
// longer than this means the lag was not controlled: it does not stretch any bound. A slowdown of
// the secondary also stretches the backlog lag control had already let build at the old speed:
// that backlog (pairPositions, taken from the VMs themselves) is owed at the new speed on top.
import type { ClusterConfig } from '../../cluster/config.ts';
import { LAG_HIGH_MS } from '../../cluster/lag-marks.ts';

/** Full-speed slices the primary may run while lag control reacts to a sudden slowdown. */
const LAG_REACTION_SLICES = 4;

export function drainAllowanceUs(config: ClusterConfig, survivorSlowFactor: number): number {
  return LAG_HIGH_MS * 1000 + LAG_REACTION_SLICES * config.sliceUs * survivorSlowFactor;
}

interface InstanceView {
  host: { name: string };
  agent: { state: string };
  vm: { instret: number } | null;
}

/**
 * Instructions retired by a VM's primary and by its secondary on `host`, read from the VMs (the
 * truth, not the hypervisors' bookkeeping); undefined when `host` holds no secondary of it.
 */
export function pairPositions(
  instances: readonly InstanceView[],
  host: string,
): { primary: number; secondary: number } | undefined {
  const secondary = instances.find((i) => i.host.name === host && i.agent.state.startsWith('secondary.'));
  if (secondary === undefined) return undefined;
  const primary = instances.find((i) => i.vm !== null && i.agent.state.startsWith('primary.'));
  return { primary: primary?.vm?.instret ?? 0, secondary: secondary.vm?.instret ?? 0 };
}
