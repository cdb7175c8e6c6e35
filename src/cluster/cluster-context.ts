// What an FT VM needs from the cluster around it: time, hosts, networks, storage, the protocol
// machines to run, the data-plane strategy and the observers. Built once by Cluster.
import type { AnyStateMachine } from 'xstate';
import type { DataPlaneStrategy } from '../lockstep/strategy.ts';
import type { NetworkKind } from '../sim/fault-schedule.ts';
import type { Simulator } from '../sim/simulator.ts';
import type { ClusterConfig } from './config.ts';
import type { Host } from './host.ts';
import type { Network } from './network.ts';
import type { ClusterObserver } from './observer.ts';
import type { SharedStorage } from './shared-storage.ts';
import type { StoragePath } from './storage-path.ts';

/** Placement decisions that seeded cluster bugs may replace. */
export interface PlacementPolicy {
  readonly name: string;
  /** Whether `candidate` may host a secondary of a primary running on `primary`. */
  allowed(candidate: Host, primary: Host | null, config: ClusterConfig): boolean;
}

export const correctPlacement: PlacementPolicy = {
  name: 'correct',
  allowed: (candidate, primary, config) =>
    primary === null ||
    (candidate !== primary && (!config.rackAntiAffinity || candidate.rack !== primary.rack)),
};

export interface ClusterContext {
  sim: Simulator;
  config: ClusterConfig;
  hosts: readonly Host[];
  host(name: string): Host;
  networks: Record<NetworkKind, Network>;
  storage: SharedStorage;
  storagePath: StoragePath;
  observers: ClusterObserver[];
  agentMachine: AnyStateMachine;
  haMachine: AnyStateMachine;
  strategy: DataPlaneStrategy;
  placement: PlacementPolicy;
  /** Moves the VM's client address to `host` (takeClientAddress). */
  takeAddress(vm: string, host: string): void;
  /** Sends a packet the VM released from `host` to its clients. */
  sendToClients(vm: string, host: string, bytes: Uint8Array): void;
}
