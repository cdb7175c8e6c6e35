// Which VM instances are engaged primaries now, from the agentState hook, and per-instance records
// keyed `vm|host|serial` that end with the instance's engagement: what the monitors of the Output
// Rule and of the log stream (which judge only an engaged primary) share.
export const ENGAGED_PRIMARY = 'primary.engaged';

export class EngagedPrimaries {
  /** Agent state by VM, then host (no key string per lookup: `has` runs for every output). */
  private readonly states = new Map<string, Map<string, string>>();

  /** Notes the agent's new state. */
  set(vm: string, host: string, to: string): void {
    let byHost = this.states.get(vm);
    if (byHost === undefined) {
      byHost = new Map();
      this.states.set(vm, byHost);
    }
    byHost.set(host, to);
  }

  has(vm: string, host: string): boolean {
    return this.states.get(vm)?.get(host) === ENGAGED_PRIMARY;
  }
}

/** Drops the records of every instance on `host` of `vm` (keys `vm|host|serial`). */
export function dropInstanceRecords(records: Map<string, unknown>, vm: string, host: string): void {
  const prefix = `${vm}|${host}|`;
  for (const key of [...records.keys()]) if (key.startsWith(prefix)) records.delete(key);
}
