// Applies a fault schedule to the cluster at the simulated times it names. `primary` and
// `secondary` are resolved when the fault fires (of the fault's `vm`, default the first FT VM);
// a fault whose target does not exist at that moment is traced as skipped.
import type { Fault, FaultSchedule } from '../sim/fault-schedule.ts';
import type { TraceDetail } from '../sim/trace.ts';
import type { Cluster } from './cluster.ts';

export function scheduleFaults(cluster: Cluster, schedule: FaultSchedule): void {
  for (const fault of schedule.faults) cluster.sim.at(fault.atUs, () => applyFault(cluster, fault));
}

/** Resolves h1…, primary or secondary to a host name, or null when there is none now. */
export function resolveHost(cluster: Cluster, ref: string, vmName: string | undefined): string | null {
  if (ref !== 'primary' && ref !== 'secondary') return ref;
  const vm =
    vmName === undefined ? cluster.vms.find((v) => v.spec.ft) : cluster.vms.find((v) => v.name === vmName);
  if (vm === undefined) return null;
  const instance = ref === 'primary' ? vm.primary() : vm.secondary();
  return instance?.host.name ?? null;
}

function describe(fault: Fault): TraceDetail {
  const detail: Record<string, string | number | boolean | null> = { kind: fault.kind };
  for (const [key, value] of Object.entries(fault)) {
    if (key === 'kind' || key === 'at' || key === 'atUs') continue;
    detail[key] = Array.isArray(value) ? value.join('-') : (value as string | number);
  }
  return detail;
}

export function applyFault(cluster: Cluster, fault: Fault): void {
  const sim = cluster.sim;
  const resolve = (ref: string) => resolveHost(cluster, ref, fault.vm);
  const hostName = 'host' in fault && fault.host !== undefined ? resolve(fault.host) : undefined;
  const between =
    'between' in fault && fault.between !== undefined
      ? ([resolve(fault.between[0]), resolve(fault.between[1])] as const)
      : undefined;
  if (hostName === null || (between !== undefined && (between[0] === null || between[1] === null))) {
    sim.trace.record(sim.now, 'fault', 'skipped', { ...describe(fault), why: 'no such role now' });
    return;
  }
  const subject =
    hostName ?? (between ? `${between[0]}-${between[1]}` : 'rack' in fault ? fault.rack : 'all');
  sim.trace.record(sim.now, 'fault', subject, describe(fault));
  const pair = between as readonly [string, string] | undefined;
  const struck =
    fault.kind === 'power-off-rack'
      ? cluster.hosts.filter((h) => h.rack === fault.rack).map((h) => h.name)
      : hostName !== undefined && !('network' in fault && fault.kind !== 'nic-fail')
        ? [hostName]
        : [];
  const target = {
    ...(hostName === undefined ? {} : { host: hostName }),
    ...(pair === undefined ? {} : { between: pair }),
    hosts: struck,
  };
  // Observers hear of the fault before its effects reach the agents, so that what the agents
  // do about it is judged against the environment it left.
  for (const observer of cluster.observers) observer.fault?.(fault, sim.now, target);
  switch (fault.kind) {
    case 'crash':
      cluster.crashHost(hostName!);
      break;
    case 'repair':
      cluster.repairHost(hostName!);
      break;
    case 'power-off-rack':
      for (const host of cluster.hosts) if (host.rack === fault.rack && host.up) cluster.crashHost(host.name);
      break;
    case 'partition':
      cluster.partition(fault.network, hostName, pair);
      break;
    case 'heal':
      cluster.heal(fault.network, hostName, pair);
      break;
    case 'hba-fail':
      cluster.failHba(hostName!, fault.path);
      break;
    case 'nic-fail':
      cluster.failNic(hostName!, fault.path, fault.network ?? 'client');
      break;
    case 'slow':
      cluster.host(hostName!).setSlowFactor(fault.factor);
      break;
    case 'delay':
      cluster.impair(fault.network, { extraDelayUs: Math.round(fault.ms * 1000) }, hostName, pair);
      break;
    case 'loss':
      cluster.impair(fault.network, { lossRate: fault.rate }, hostName, pair);
      break;
    case 'duplicate':
      cluster.impair(fault.network, { duplicateRate: fault.rate }, hostName, pair);
      break;
  }
}
