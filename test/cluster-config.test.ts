import { describe, expect, it } from 'vitest';
import { type AgentCommand, type AgentEvent, agentMachine } from '../models/agent.ts';
import { MachineActor, stateName } from '../src/cluster/agent-actor.ts';
import { Cluster } from '../src/cluster/cluster.ts';
import { CLUSTER_CONFIG_DEFAULT, rackOfHost, resolveClusterConfig } from '../src/cluster/config.ts';
import { encodeKvReply, KvStatus } from '../src/cluster/protocol/kvstore.ts';
import { encodeLedgerReply, LedgerStatus } from '../src/cluster/protocol/ledger.ts';
import { kvstoreWorkload, ledgerWorkload } from '../src/cluster/workloads.ts';
import { TraceRecorder } from '../src/sim/trace.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

describe('cluster config', () => {
  it('fills defaults and merges link parameters per network', () => {
    const config = resolveClusterConfig({ hosts: 5, networks: { logging: { latencyUs: 7 } } });
    expect(config.hosts).toBe(5);
    expect(config.networks.logging.latencyUs).toBe(7);
    expect(config.networks.logging.bandwidthBytesPerUs).toBe(
      CLUSTER_CONFIG_DEFAULT.networks.logging.bandwidthBytesPerUs,
    );
  });
  it('names the bad field', () => {
    expect(() => resolveClusterConfig({ hosts: 1 })).toThrow(/^cluster\.hosts: /);
    expect(() => resolveClusterConfig({ networks: { client: { lossRate: 2 } } })).toThrow(
      /^cluster\.networks\.client\.lossRate: /,
    );
    expect(() => resolveClusterConfig({ hosts: 2, racks: 3 })).toThrow(
      /^cluster\.racks: 3 racks for 2 hosts/,
    );
    expect(() => resolveClusterConfig({ sliceUs: 0.5 })).toThrow(/^cluster\.sliceUs: /);
  });
  it('spreads neighbouring hosts over racks', () => {
    expect([1, 2, 3, 4, 5].map((i) => rackOfHost(i, 2))).toEqual(['r1', 'r2', 'r1', 'r2', 'r1']);
  });
  it('refuses to start more VMs on a host than it has slots', () => {
    const createVm = () => new VirtualMachine();
    const vms = [1, 2, 3].map((i) => ({ name: `vm${i}`, ft: true, primaryHost: 'h1', createVm }));
    expect(() => new Cluster({ seed: 1, config: { cpuCapacity: 2 }, vms })).toThrow(
      'cluster.cpuCapacity: 3 VMs start on h1 but a host has 2 slots',
    );
  });
});

describe('workloads', () => {
  it('kvstore clients recognise only their own answers', () => {
    const mine = kvstoreWorkload(2, 10);
    const other = kvstoreWorkload(3, 10);
    const reply = encodeKvReply({ op: 2, status: KvStatus.Ok, id: 2_000_004, value: new Uint8Array() });
    expect(mine.match(reply)).toBe(3);
    expect(other.match(reply)).toBeNull();
    expect(mine.match(new Uint8Array([1, 2]))).toBeNull();
    expect(mine.encode(3)).toEqual(mine.encode(3));
  });
  it('ledger clients recognise only their own answers', () => {
    const mine = ledgerWorkload(1, 5);
    const reply = encodeLedgerReply({ op: 1, status: LedgerStatus.Ok, id: 1_000_005, values: [0, 0] });
    expect(mine.match(reply)).toBe(4);
    const late = encodeLedgerReply({ op: 1, status: LedgerStatus.Ok, id: 1_000_006, values: [0, 0] });
    expect(mine.match(late)).toBeNull();
  });
});

describe('MachineActor', () => {
  it('names nested states and returns emitted commands after each event', () => {
    expect(stateName({ secondary: { goingLive: 'draining' } })).toBe('secondary.goingLive.draining');
    const trace = new TraceRecorder(1);
    const actor = new MachineActor<AgentEvent, AgentCommand>(agentMachine, 'h1/vm1', trace, () => 5);
    expect(actor.send({ type: 'POWER_ON' }).map((c) => c.type)).toContain('takeClientAddress');
    expect(actor.state).toBe('primary.alone');
    expect(actor.send({ type: 'LOCKSTEP_ENGAGED' })).toEqual([]);
    expect(actor.send({ type: 'PEER_SILENT', logPending: false }).map((c) => c.type)).toEqual([
      'disengage',
      'testAndSet',
    ]);
    expect([...actor.statesVisited]).toEqual([
      'idle',
      'primary.alone',
      'primary.engaged',
      'primary.acquiringLock',
    ]);
    expect(actor.transitionsTaken.has('primary.engaged|PEER_SILENT|primary.acquiringLock')).toBe(true);
    expect(actor.transitionsTaken.has('primary.alone|LOCKSTEP_ENGAGED|primary.engaged')).toBe(true);
    expect(trace.stored().map((e) => e[3].to)).toEqual([
      'primary.alone',
      'primary.engaged',
      'primary.acquiringLock',
    ]);
  });
});
