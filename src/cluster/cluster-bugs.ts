// Seeded cluster-level bugs: alternative implementations of the cluster's own decisions, bound by
// name like the model and data-plane bugs (never `if (bug)` branches). The fuzzer must find each.
import type { SeededBug } from '../base/invariants.ts';
import { type ClusterBehaviour, correctBehaviour } from './cluster-context.ts';

export interface ClusterBug extends SeededBug {
  level: 'cluster';
  behaviour: ClusterBehaviour;
}

export const CLUSTER_BUGS: readonly ClusterBug[] = [
  {
    name: 'ha-same-rack',
    level: 'cluster',
    breaks: ['I5'],
    description: 'The HA service ignores rack anti-affinity and places the secondary in the primary’s rack.',
    behaviour: { ...correctBehaviour, name: 'ha-same-rack', placementAllowed: () => true },
  },
  {
    name: 'pending-disk-write-not-reissued',
    level: 'cluster',
    breaks: ['I4'],
    description:
      'At go-live the new primary acknowledges reissuePendingIo without reissuing the pending disk I/O.',
    behaviour: { ...correctBehaviour, name: 'pending-disk-write-not-reissued', reissuesPendingIo: false },
  },
  {
    name: 'client-address-not-moved',
    level: 'cluster',
    breaks: ['I5', 'I7'],
    description: 'The new primary does not announce the client address from its host on go-live.',
    behaviour: { ...correctBehaviour, name: 'client-address-not-moved', movesAddressOnFailover: false },
  },
  {
    name: 'storage-lost-on-one-hba',
    level: 'cluster',
    breaks: ['I8'],
    description:
      'The host reports its storage lost when one of its two HBAs fails, so multipathing never absorbs a path failure: the primary halts and the VM fails over.',
    behaviour: {
      ...correctBehaviour,
      name: 'storage-lost-on-one-hba',
      storageLost: (host) => !(host.hbaUp[0]! && host.hbaUp[1]!),
    },
  },
  {
    name: 'disk-retry-without-backoff',
    level: 'cluster',
    // I5 too: a survivor's test-and-set goes through the same retries and never wins in time.
    breaks: ['I7', 'I5'],
    description:
      'A disk request that timed out is retried with the same timeout, so a storage network slower than half the timeout stalls the guest on its disk for good.',
    behaviour: { ...correctBehaviour, name: 'disk-retry-without-backoff', diskRetryBacksOff: false },
  },
  {
    name: 'primary-ignores-silent-secondary',
    level: 'cluster',
    // I5 too: when the secondary goes live, the stale primary still acts beside it.
    breaks: ['I7', 'I5'],
    description:
      'The primary never watches its secondary for silence: when the secondary dies the primary keeps waiting for acknowledgements, and the Output Rule holds every answer.',
    behaviour: {
      ...correctBehaviour,
      name: 'primary-ignores-silent-secondary',
      watchesPeer: (instance) => !instance.isPrimary,
    },
  },
  {
    name: 'keepalive-not-acked',
    level: 'cluster',
    breaks: ['I8'],
    description:
      'The secondary takes a keepalive as proof that its primary lives but does not acknowledge it: while the guest has nothing to log, the primary hears nothing on the logging channel and declares its healthy secondary failed.',
    behaviour: { ...correctBehaviour, name: 'keepalive-not-acked', acksKeepalives: false },
  },
  {
    name: 'heartbeat-dated-at-send',
    level: 'cluster',
    breaks: ['I8'],
    description:
      'The receiver dates a heartbeat by when it was sent, not when it arrived: once the heartbeat link is slower than the detection timeout, with heartbeats still arriving steadily, a healthy peer looks silent and the pair fails over.',
    behaviour: { ...correctBehaviour, name: 'heartbeat-dated-at-send', heartbeatsDatedOnArrival: false },
  },
];

export function clusterBehaviour(name?: string): ClusterBehaviour {
  if (name === undefined || name === 'correct') return correctBehaviour;
  const bug = CLUSTER_BUGS.find((b) => b.name === name);
  if (bug === undefined) throw new Error(`unknown cluster bug '${name}'`);
  return bug.behaviour;
}
