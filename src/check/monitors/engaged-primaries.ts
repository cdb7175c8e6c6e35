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

  /** The agent's state as last noted (undefined before any). */
  state(vm: string, host: string): string | undefined {
    return this.states.get(vm)?.get(host);
  }
}

/** Drops the records of every instance on `host` of `vm` (keys `vm|host|serial`). */
export function dropInstanceRecords(records: Map<string, unknown>, vm: string, host: string): void {
  const prefix = `${vm}|${host}|`;
  for (const key of [...records.keys()]) if (key.startsWith(prefix)) records.delete(key);
}

/** Interned `vm|host|serial` keys: built once per instance, not once per hook call. */
const instanceKeys = new Map<string, Map<string, Map<number, string>>>();
/** Distinct keys kept at most (a cache across runs; cleared when full). */
const INSTANCE_KEYS_MAX = 4096;
let instanceKeyCount = 0;

/** The key `vm|host|serial` of one VM instance's records (the same string every time). */
export function instanceKey(vm: string, host: string, serial: number): string {
  let byHost = instanceKeys.get(vm);
  if (byHost === undefined) {
    byHost = new Map();
    instanceKeys.set(vm, byHost);
  }
  let bySerial = byHost.get(host);
  if (bySerial === undefined) {
    bySerial = new Map();
    byHost.set(host, bySerial);
  }
  let key = bySerial.get(serial);
  if (key === undefined) {
    if (instanceKeyCount >= INSTANCE_KEYS_MAX) {
      instanceKeys.clear();
      instanceKeyCount = 0;
      return instanceKey(vm, host, serial);
    }
    key = `${vm}|${host}|${serial}`;
    bySerial.set(serial, key);
    instanceKeyCount++;
  }
  return key;
}
