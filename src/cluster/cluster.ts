// The simulated cluster: hosts in racks, the four networks, shared storage, the FT VMs (each with
// an agent per host and an HA service) and their clients, all on one deterministic Simulator.
// `run(untilUs)` advances it; faults come from a schedule (fault-injector.ts).
import type { AnyStateMachine } from 'xstate';
import { agentMachine } from '../../models/agent.ts';
import { haMachine } from '../../models/haService.ts';
import { assert } from '../base/assert.ts';
import { correctStrategy, type DataPlaneStrategy } from '../lockstep/strategy.ts';
import type { FaultSchedule, NetworkKind } from '../sim/fault-schedule.ts';
import { checkScheduleAgainstCluster, NETWORK_KINDS } from '../sim/fault-schedule.ts';
import { type RunStop, Simulator } from '../sim/simulator.ts';
import { TRACE_DETAIL_MESSAGES, type TraceDetailName } from '../sim/trace.ts';
import { CLIENT_OPTIONS_DEFAULT, Client, type ClientOptions, type ClientWorkload } from './client.ts';
import type { ClusterBehaviour, ClusterContext } from './cluster-context.ts';
import { correctBehaviour } from './cluster-context.ts';
import {
  type ClusterConfig,
  ClusterConfigError,
  type ClusterConfigInput,
  rackOfHost,
  resolveClusterConfig,
} from './config.ts';
import { scheduleFaults } from './fault-injector.ts';
import { FtVm, type FtVmSpec } from './ft-vm.ts';
import { Host, type PathSelector } from './host.ts';
import { Network } from './network.ts';
import type { ClusterObserver } from './observer.ts';
import { SharedStorage } from './shared-storage.ts';
import { STORAGE_ENDPOINT, StoragePath } from './storage-path.ts';

export interface ClientSpec {
  vm: string;
  workload: ClientWorkload;
  options?: Partial<ClientOptions>;
}

export interface ClusterOptions {
  seed: number;
  config?: ClusterConfigInput;
  vms: FtVmSpec[];
  clients?: ClientSpec[];
  schedule?: FaultSchedule;
  observers?: ClusterObserver[];
  /** Protocol machines (a seeded model bug is `agentMachine.provide(...)`). */
  agentMachine?: AnyStateMachine;
  haMachine?: AnyStateMachine;
  /** Data-plane strategy (seeded lockstep bugs). */
  strategy?: DataPlaneStrategy;
  /** The cluster's own decisions (seeded cluster bugs, cluster-bugs.ts). */
  behaviour?: ClusterBehaviour;
  traceEntriesMax?: number;
  /** What the trace records (see src/sim/trace.ts); default 'all'. */
  traceDetail?: TraceDetailName;
  /** Events a run may fire at most (a livelocked system stops there; see Simulator). */
  eventsMax?: number;
}

export class Cluster {
  readonly sim: Simulator;
  readonly config: ClusterConfig;
  readonly hosts: Host[];
  readonly networks: Record<NetworkKind, Network>;
  readonly storage = new SharedStorage();
  readonly storagePath: StoragePath;
  readonly vms: FtVm[];
  readonly clients: Client[];
  readonly observers: ClusterObserver[];
  /** Which host holds each VM's client address. */
  readonly addressOwner = new Map<string, string>();
  private readonly hostsByName = new Map<string, Host>();
  private readonly behaviour: ClusterBehaviour;

  constructor(options: ClusterOptions) {
    this.config = resolveClusterConfig(options.config);
    this.behaviour = options.behaviour ?? correctBehaviour;
    this.sim = new Simulator({
      seed: options.seed,
      traceEntriesMax: options.traceEntriesMax,
      traceDetail: options.traceDetail,
      eventsMax: options.eventsMax,
    });
    this.observers = options.observers ?? [];
    this.hosts = [];
    for (let i = 1; i <= this.config.hosts; i++) {
      const host = new Host({
        name: `h${i}`,
        rack: rackOfHost(i, this.config.racks),
        cpuCapacity: this.config.cpuCapacity,
        instructionsPerUs: this.config.instructionsPerUs,
      });
      this.hosts.push(host);
      this.hostsByName.set(host.name, host);
    }
    this.networks = this.buildNetworks();
    this.storagePath = new StoragePath(
      this.sim,
      this.storage,
      this.networks.storage,
      this.config.storageTimeoutUs,
      this.observers,
    );
    const ctx = this.context(options);
    assert(options.vms.length > 0, 'a cluster run needs at least one VM');
    this.checkCapacity(options.vms);
    this.vms = options.vms.map((spec) => {
      assert(
        this.hostsByName.has(spec.primaryHost),
        `${spec.name}: primary host ${spec.primaryHost} does not exist`,
      );
      return new FtVm(spec, ctx);
    });
    this.clients = (options.clients ?? []).map((spec, index) => this.buildClient(spec, index));
    if (options.schedule !== undefined) {
      const vmNames = options.vms.map((vm) => vm.name);
      checkScheduleAgainstCluster(options.schedule, this.config.hosts, this.config.racks, vmNames);
      scheduleFaults(this, options.schedule);
    }
  }

  /** Every VM must start within its host's slots. */
  private checkCapacity(vms: readonly FtVmSpec[]): void {
    const perHost = new Map<string, number>();
    for (const vm of vms) perHost.set(vm.primaryHost, (perHost.get(vm.primaryHost) ?? 0) + 1);
    for (const [host, count] of perHost) {
      if (count > this.config.cpuCapacity) {
        throw new ClusterConfigError(
          'cpuCapacity',
          `${count} VMs start on ${host} but a host has ${this.config.cpuCapacity} slots`,
        );
      }
    }
  }

  private buildNetworks(): Record<NetworkKind, Network> {
    const entries = NETWORK_KINDS.map((kind) => {
      const endpoints = {
        up: (name: string) => this.hostsByName.get(name)?.canUse(kind) ?? true,
        incarnation: (name: string) => this.hostsByName.get(name)?.incarnation ?? 0,
      };
      const network = new Network(kind, this.sim, this.config.networks[kind], endpoints);
      network.onDelivered = (link, label, vm, sentUs) => {
        for (const observer of this.observers)
          observer.messageDelivered?.(kind, link.source, link.target, label, vm, sentUs);
      };
      return [kind, network] as const;
    });
    return Object.fromEntries(entries) as Record<NetworkKind, Network>;
  }

  private context(options: ClusterOptions): ClusterContext {
    return {
      sim: this.sim,
      config: this.config,
      hosts: this.hosts,
      host: (name) => this.host(name),
      networks: this.networks,
      storage: this.storage,
      storagePath: this.storagePath,
      observers: this.observers,
      agentMachine: options.agentMachine ?? agentMachine,
      haMachine: options.haMachine ?? haMachine,
      strategy: options.strategy ?? correctStrategy,
      behaviour: this.behaviour,
      takeAddress: (vm, host) => {
        if (this.addressOwner.get(vm) === host) return;
        this.addressOwner.set(vm, host);
        this.sim.trace.record(this.sim.now, 'role', vm, { address: host });
        for (const observer of this.observers) observer.addressMoved?.(vm, host);
      },
      sendToClients: (vm, host, bytes) => this.sendToClients(vm, host, bytes),
    };
  }

  private buildClient(spec: ClientSpec, index: number): Client {
    const vm = this.vms.find((v) => v.name === spec.vm);
    assert(vm !== undefined, `client ${index + 1}: no VM named ${spec.vm}`);
    const options = { ...CLIENT_OPTIONS_DEFAULT, ...spec.options };
    return new Client(`c${index + 1}`, spec.vm, this.sim, spec.workload, options, (client, bytes) => {
      const owner = this.addressOwner.get(client.vm);
      if (owner === undefined) return;
      const info = this.sim.trace.detail >= TRACE_DETAIL_MESSAGES ? { vm: client.vm } : undefined;
      const link = { source: client.name, target: owner };
      this.networks.client.send(
        link,
        bytes.length,
        'request',
        () => vm.data.clientPacket(owner, bytes),
        info,
      );
    });
  }

  private sendToClients(vmName: string, host: string, bytes: Uint8Array): void {
    for (const client of this.clients) {
      if (client.vm !== vmName) continue;
      const info = this.sim.trace.detail >= TRACE_DETAIL_MESSAGES ? { vm: vmName } : undefined;
      const link = { source: host, target: client.name };
      this.networks.client.send(link, bytes.length, 'reply', () => client.receive(bytes), info);
    }
  }

  host(name: string): Host {
    const host = this.hostsByName.get(name);
    // The message is built only on failure (this runs per event).
    if (host === undefined) assert(false, `no host named ${name}`);
    return host;
  }

  start(): void {
    // Every VM's first host is taken before any VM powers on: the HA service of the first VM
    // places its secondary at power-on, and must see the slots of VMs that have not booted yet.
    for (const vm of this.vms) vm.reserveFirstSlot();
    for (const vm of this.vms) vm.start();
    for (const client of this.clients) client.start();
  }

  /** Runs until `untilUs`, or until every VM's guest has exited. */
  run(untilUs: number): RunStop {
    const stopWhenDone = (): void => {
      if (this.vms.every((vm) => vm.exited)) {
        this.sim.stop();
        return;
      }
      this.sim.after(this.config.sliceUs, stopWhenDone);
    };
    this.sim.after(0, stopWhenDone);
    const reason = this.sim.run(untilUs);
    for (const observer of this.observers) observer.end?.(this.sim.now);
    return reason;
  }

  // --- fault actions (fault-injector.ts) -------------------------------------------------------

  crashHost(name: string): void {
    const host = this.host(name);
    if (!host.up) return;
    host.crash();
    for (const vm of this.vms) vm.hostCrashed(host);
  }

  repairHost(name: string): void {
    const host = this.host(name);
    const wasDown = !host.up;
    host.repair();
    if (wasDown) for (const vm of this.vms) vm.hostRepaired(host);
  }

  failHba(name: string, path: PathSelector): void {
    const host = this.host(name);
    host.failHba(path);
    if (host.up && this.behaviour.storageLost(host)) for (const vm of this.vms) vm.storageLost(host);
  }

  failNic(name: string, path: PathSelector, network: 'client' | 'logging'): void {
    const host = this.host(name);
    if (network === 'logging') host.failLoggingNic();
    else host.failClientNic(path);
  }

  /** A cut on the storage network separates hosts from the array. */
  partition(
    kind: NetworkKind,
    host: string | undefined,
    between: readonly [string, string] | undefined,
  ): void {
    const network = this.networks[kind];
    if (kind === 'storage') {
      for (const name of host !== undefined ? [host] : between!) network.partition(name, STORAGE_ENDPOINT);
      return;
    }
    if (between !== undefined) network.partition(between[0], between[1]);
    else network.partition(host!);
  }

  heal(kind: NetworkKind, host: string | undefined, between: readonly [string, string] | undefined): void {
    const network = this.networks[kind];
    if (kind === 'storage' && (host !== undefined || between !== undefined)) {
      for (const name of host !== undefined ? [host] : between!) network.heal(name, STORAGE_ENDPOINT);
      return;
    }
    if (between !== undefined) network.heal(between[0], between[1]);
    else network.heal(host);
  }

  impair(
    kind: NetworkKind,
    change: { extraDelayUs?: number; lossRate?: number; duplicateRate?: number },
    host: string | undefined,
    between: readonly [string, string] | undefined,
  ): void {
    const network = this.networks[kind];
    if (between !== undefined) network.impair(change, between[0], between[1]);
    else network.impair(change, host);
  }
}
