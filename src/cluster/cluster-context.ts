// What an FT VM needs from the cluster around it: time, hosts, networks, storage, the protocol
// machines to run, the data-plane strategy and the observers. Built once by Cluster.
import type { AnyStateMachine } from 'xstate';
import type { DataPlaneStrategy } from '../lockstep/strategy.ts';
import type { NetworkKind } from '../sim/fault-schedule.ts';
import type { Simulator } from '../sim/simulator.ts';
import type { ClusterConfig } from './config.ts';
import type { FtInstance } from './ft-instance.ts';
import type { Host } from './host.ts';
import { LAG_SHARES } from './lag-marks.ts';
import type { Network } from './network.ts';
import type { ClusterObserver } from './observer.ts';
import type { SharedStorage } from './shared-storage.ts';
import type { StoragePath } from './storage-path.ts';

/** The cluster's own decisions, which seeded cluster bugs (cluster-bugs.ts) replace by name. */
export interface ClusterBehaviour {
  readonly name: string;
  /**
   * Whether `candidate` may host a secondary of a primary running on `primary`, as far as the
   * cluster's rules go (rack anti-affinity). Not running this VM already is the HA machine's rule.
   */
  placementAllowed(candidate: Host, primary: Host | null, config: ClusterConfig): boolean;
  /** reissuePendingIo really reissues the old primary's pending disk requests. */
  readonly reissuesPendingIo: boolean;
  /** takeClientAddress after a failover really moves the address. */
  readonly movesAddressOnFailover: boolean;
  /** Whether a host whose HBAs are as they are now has lost its storage (STORAGE_LOST). */
  storageLost(host: Host): boolean;
  /** A disk request that timed out waits twice as long for its retry's reply (bounded). */
  readonly diskRetryBacksOff: boolean;
  /** Whether the agent of `instance` watches its peer for heartbeat and logging silence. */
  watchesPeer(instance: FtInstance): boolean;
  /** When a pair forms, a spawn HA gave up on but that is still syncing elsewhere is abandoned. */
  readonly dropsOrphanSpawns: boolean;
  /**
   * A new spawn makes the primary drop a stream to an earlier target that never paired (HA gave up
   * on it while its acknowledgement was still on the way) and send its snapshot to the new one.
   */
  readonly supersedesUnpairedStreams: boolean;
  /**
   * A write fenced while the instance still knows only the generation it was sent with waits for
   * the instance's next generation instead of being dropped (its own test-and-set's reply may be
   * the one still on its way).
   */
  readonly parksFencedWrites: boolean;
  /** A secondary answers each keepalive with an acknowledgement (all the primary hears of it while nothing is logged). */
  readonly acksKeepalives: boolean;
  /** A heartbeat counts from when it arrived (not from when it was sent) in the silence clock. */
  readonly heartbeatsDatedOnArrival: boolean;
  /** A reply from the array (granted, denied) ends a lock claim's backoff: the next claim starts afresh. */
  readonly resetsLockBackoff: boolean;
  /** The primary's speed steps under lag control, full speed first; the last stops it (lag-marks.ts). */
  readonly lagShares: readonly number[];
}

export const correctBehaviour: ClusterBehaviour = {
  name: 'correct',
  placementAllowed: (candidate, primary, config) =>
    primary === null || !config.rackAntiAffinity || candidate === primary || candidate.rack !== primary.rack,
  reissuesPendingIo: true,
  movesAddressOnFailover: true,
  storageLost: (host) => !host.hasStoragePath,
  diskRetryBacksOff: true,
  watchesPeer: () => true,
  dropsOrphanSpawns: true,
  supersedesUnpairedStreams: true,
  parksFencedWrites: true,
  acksKeepalives: true,
  heartbeatsDatedOnArrival: true,
  resetsLockBackoff: true,
  lagShares: LAG_SHARES,
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
  behaviour: ClusterBehaviour;
  /** Moves the VM's client address to `host` (takeClientAddress). */
  takeAddress(vm: string, host: string): void;
  /** Sends a packet the VM released from `host` to its clients. */
  sendToClients(vm: string, host: string, bytes: Uint8Array): void;
}
