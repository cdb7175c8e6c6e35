import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cluster } from '../src/cluster/cluster.ts';
import { kvstoreWorkload } from '../src/cluster/workloads.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

const elf = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

function kvCluster(faults: unknown[], seed = 1) {
  const cluster = new Cluster({
    seed,
    vms: [{ name: 'vm1', ft: true, primaryHost: 'h1', createVm: () => VirtualMachine.fromElf(elf) }],
    clients: [{ vm: 'vm1', workload: kvstoreWorkload(1, 120) }],
    schedule: parseFaultSchedule({ version: 1, faults }),
  });
  cluster.start();
  return cluster;
}

describe('FT VM on the cluster', () => {
  it('pairs up, serves every request and keeps the secondary in step', () => {
    const cluster = kvCluster([]);
    cluster.run(1_500_000);
    const vm = cluster.vms[0]!;
    expect(vm.protected_).toBe(true);
    expect(cluster.clients[0]!.status.every((s) => s === 'answered')).toBe(true);
    expect(vm.data.instructionsReplayed).toBeGreaterThan(0);
    expect(vm.data.instructionsExecuted - vm.data.instructionsReplayed).toBeLessThan(200_000);
    expect(cluster.addressOwner.get('vm1')).toBe('h1');
  });
  it('fails over to the secondary when the primary host dies, then re-protects on a third host', () => {
    const cluster = kvCluster([{ at: '500ms', kind: 'crash', host: 'primary' }]);
    cluster.run(1_500_000);
    const vm = cluster.vms[0]!;
    expect(vm.failovers).toHaveLength(1);
    const failover = vm.failovers[0]!;
    expect(failover).toMatchObject({ from: 'h1', to: 'h2', lostUs: 500_000 });
    expect(failover.liveUs! - failover.lostUs).toBeLessThanOrEqual(cluster.config.failoverBoundUs);
    expect(failover.reprotectedUs).not.toBeNull();
    expect(vm.secondary()?.host.name).toBe('h3');
    expect(cluster.addressOwner.get('vm1')).toBe('h2');
    expect(cluster.storage.lock('vm1')).toEqual({ generation: 2, owner: 'h2' });
    expect(cluster.clients[0]!.status.every((s) => s === 'answered')).toBe(true);
  });
  it('is byte-identical for the same seed', () => {
    const faults = [{ at: '300ms', kind: 'partition', network: 'logging', between: ['h1', 'h2'] }];
    const a = kvCluster(faults, 7);
    a.run(1_000_000);
    const b = kvCluster(faults, 7);
    b.run(1_000_000);
    expect(JSON.stringify(b.sim.trace.toJSON())).toBe(JSON.stringify(a.sim.trace.toJSON()));
  });
});
