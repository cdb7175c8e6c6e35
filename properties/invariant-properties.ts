// The invariants I0–I8 as named properties (Stateright's "properties are named data"): each has
// its statement, the assumptions under which the emulator demands it, and a check that turns a
// checked run into a failure message naming the invariant, the simulated time and the host.

import { formatMicros } from '../src/base/duration.ts';
import type { InvariantId } from '../src/base/invariants.ts';
import type { FtRunResult } from '../src/check/monitors/ft-run.ts';
import type { Violation } from '../src/check/monitors/violation.ts';
import type { ExpectedViolation } from '../src/check/trace-file.ts';

export interface InvariantProperty {
  id: InvariantId;
  name: string;
  kind: 'always' | 'eventually';
  statement: string;
  /** When the emulator demands the property; outside these, a run says nothing about it. */
  assumptions: readonly string[];
  /** The first failure of this property in the run, or null. */
  check(result: FtRunResult): ExpectedViolation | null;
}

function fromMonitor(id: InvariantId, name: string) {
  return (result: FtRunResult): ExpectedViolation | null => {
    const violation = result.violations.find((v) => v.invariant === id);
    return violation === undefined ? null : describeViolation(violation, name);
  };
}

/** "I3 (no split-brain) violated at 612ms on h2, vm1: <monitor message>". */
export function describeViolation(violation: Violation, name: string): ExpectedViolation {
  const where = [violation.host === undefined ? 'the cluster' : violation.host, violation.vm]
    .filter((part) => part !== undefined)
    .join(', ');
  const failure: ExpectedViolation = {
    invariant: violation.invariant,
    atMicros: violation.timeUs,
    message: `${violation.invariant} (${name}) violated at ${formatMicros(violation.timeUs)} on ${where}: ${violation.message}`,
  };
  if (violation.host !== undefined) failure.host = violation.host;
  if (violation.vm !== undefined) failure.vm = violation.vm;
  return failure;
}

export const INVARIANT_PROPERTIES: readonly InvariantProperty[] = [
  {
    id: 'I0',
    name: 'implementation assertion',
    kind: 'always',
    statement:
      'The system under test never fails an assertion of its own, throws, or livelocks (fires events without simulated time advancing).',
    assumptions: [
      "Exceptions from ftcheck's own monitors are not findings about the system: they stop the checker (exit 3).",
      'A livelock is a run that fires a hundred times the normal events per simulated millisecond.',
    ],
    check: fromMonitor('I0', 'implementation assertion'),
  },
  {
    id: 'I1',
    name: 'lockstep',
    kind: 'always',
    statement:
      "While lockstep is engaged, the secondary's state equals the primary's at every compared boundary.",
    assumptions: [
      'Compared only at instruction counts both sides retired while engaged (the monitor samples digests).',
    ],
    check: fromMonitor('I1', 'lockstep'),
  },
  {
    id: 'I2',
    name: 'single output',
    kind: 'always',
    statement:
      'Clients see the output of one deterministic execution; only exact retransmissions at a failover.',
    assumptions: [
      'Judged on what clients received; retransmissions of an identical answer are allowed and counted.',
    ],
    check: fromMonitor('I2', 'single output'),
  },
  {
    id: 'I3',
    name: 'no split-brain',
    kind: 'always',
    statement: 'At no instant do two VMs of one FT pair both act as primary (emit output or write the disk).',
    assumptions: ['Holds under every schedule: partitions, delays and repairs included.'],
    check: fromMonitor('I3', 'no split-brain'),
  },
  {
    id: 'I4',
    name: 'no data loss',
    kind: 'always',
    statement: 'Every output a client saw and every completed disk write survives any failover.',
    assumptions: ['Only outputs and writes that completed to the outside world or the guest count.'],
    check: fromMonitor('I4', 'no data loss'),
  },
  {
    id: 'I5',
    name: 'recovery',
    kind: 'eventually',
    statement:
      'After a failure the service resumes within the failover bound and is re-protected within the respawn bound; an engaged instance whose peer really fell silent declares it failed within the detection timeout and two heartbeat intervals.',
    assumptions: [
      'Resumption is demanded only when an engaged secondary survived the failure and reaches storage (not cut, under 50% loss).',
      'A storage delay stretches the failover and re-protection bounds by the test-and-set round trips it costs.',
      'Silence is what the network delivered: only messages of the VM from the current peer (sent since the pair began) on the heartbeat network or the logging channel count, whatever the implementation made of them.',
      'Re-protection is demanded only while a spare host exists: up, an HBA, a free slot, placement-eligible, working logging NICs on both ends, and logging and heartbeat links to the primary that are not partitioned, lose under half their messages and have a round trip under half the detection timeout.',
      'The survivor’s replay of its backlog stretches the failover bound only as far as a controlled lag allows (100 ms of its replay time plus four full-speed slices at its speed).',
      'Every new fault restarts both clocks: the bounds are per single failure.',
    ],
    check: fromMonitor('I5', 'recovery'),
  },
  {
    id: 'I6',
    name: 'determinism',
    kind: 'always',
    statement: 'The same seed, configuration and fault schedule give a byte-identical trace.',
    assumptions: ['Checked on runs whose spec asks for it (the run is made twice and the traces compared).'],
    check: fromMonitor('I6', 'determinism'),
  },
  {
    id: 'I7',
    name: 'availability',
    kind: 'eventually',
    statement:
      'Whenever the cluster permits service, every client request is answered within the bound: the failover bound plus two client timeouts, stretched by delays in force and a slowed host.',
    assumptions: [
      "Service is permitted when the VM's live primary runs on a host that is up, reaches storage and reaches its clients, or when its host is down or lost every storage path and a secondary holding the VM's state runs on such a host.",
      'A client path that loses messages, or a client or storage partition in front of a healthy primary, is outside FT’s failure model: no answer is demanded then.',
      'Each request’s clock starts at the latest of its first transmission, the last fault and the moment service became possible.',
    ],
    check: fromMonitor('I7', 'availability'),
  },
  {
    id: 'I8',
    name: 'proportionate response',
    kind: 'always',
    statement:
      'FT responds to real failures only: a peer is declared failed only after it really fell silent for the detection timeout, for a reason the environment gives; an instance halts only on a lost lock race or the loss of every storage path; a repaired host never acts as primary or takes the client address; no respawn while the pair is engaged.',
    assumptions: [
      'Silence is measured on the messages of the VM actually delivered on the heartbeat network and the logging channel, so message loss or delay that leaves traffic flowing, and a slow VM whose heartbeats arrive, never justify a failover.',
      "A silence has a reason only if, within the last two detection timeouts, the peer went down or out of lockstep, a fault struck either host, one of their links, the heartbeat or logging network as a whole (or healed a partition), or a cut, loss, delay, failed logging NIC or slowdown of either host is in force: otherwise the peer was healthy and reachable, and the failover is the implementation's own doing.",
    ],
    check: fromMonitor('I8', 'proportionate response'),
  },
];

/** The earliest failure among the selected properties (ties: lower invariant id), or null. */
export function judgeRun(
  result: FtRunResult,
  properties: readonly InvariantProperty[] = INVARIANT_PROPERTIES,
): ExpectedViolation | null {
  let first: ExpectedViolation | null = null;
  for (const property of properties) {
    const failure = property.check(result);
    if (failure !== null && (first === null || failure.atMicros < first.atMicros)) first = failure;
  }
  return first;
}
