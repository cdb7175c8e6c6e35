// Every checker must be shown able to fail: each seeded bug (model, data-plane, cluster), run on
// the cluster under a schedule that exercises it, is caught by the invariant monitors — and the
// correct system passes the same schedule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentMachine } from '../models/agent.ts';
import { findModelBug } from '../models/bugs.ts';
import { haMachine } from '../models/haService.ts';
import { type FtRunOptions, runFt } from '../src/check/monitors/ft-run.ts';
import { clusterBehaviour } from '../src/cluster/cluster-bugs.ts';
import { dataPlaneStrategy } from '../src/lockstep/bugs.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

const SCHEDULES = {
  logPartition: [{ at: '1s', kind: 'partition', network: 'logging', between: ['h1', 'h2'] }],
  primaryCrash: [{ at: '1002ms', kind: 'crash', host: 'primary' }],
  slowSecondaryThenCrash: [
    // Lag control stops the primary within a few slices; what it ran meanwhile takes a 1000×
    // slower secondary longer than failure detection to replay.
    { at: '900ms', kind: 'slow', host: 'secondary', factor: 1000 },
    { at: '1s', kind: 'crash', host: 'primary' },
  ],
  repairOldPrimary: [
    { at: '1s', kind: 'crash', host: 'h1' },
    { at: '2s', kind: 'repair', host: 'h1' },
  ],
  secondaryCrash: [{ at: '1s', kind: 'crash', host: 'h2' }],
  oneHbaOfPrimary: [{ at: '1s', kind: 'hba-fail', host: 'primary', path: 0 }],
  slowStorage: [{ at: '1s', kind: 'delay', network: 'storage', ms: 80 }],
  none: [],
  // A slow primary is busy across slice boundaries, where timer interrupts are taken: a late
  // interrupt then lands on a different instruction (an idle guest takes every one in wfi).
  slowPrimary: [{ at: '0ms', kind: 'slow', host: 'primary', factor: 10 }],
} as const;

type ScheduleName = keyof typeof SCHEDULES;

function run(schedule: ScheduleName, options: Partial<FtRunOptions> = {}) {
  return runFt({
    seed: 1,
    elf: kvstore,
    guest: 'kvstore',
    durationUs: 3_200_000,
    schedule: parseFaultSchedule({ version: 1, faults: SCHEDULES[schedule] }),
    stopOnViolation: true,
    ...options,
  });
}

function modelBug(name: string): Partial<FtRunOptions> {
  const bug = findModelBug(name);
  if (bug === undefined) throw new Error(`no model bug ${name}`);
  return {
    agentMachine: bug.agent === undefined ? undefined : agentMachine.provide(bug.agent as never),
    haMachine: bug.ha === undefined ? undefined : haMachine.provide(bug.ha as never),
  };
}

const cases: { bug: string; schedule: ScheduleName; options: Partial<FtRunOptions>; expected: string[] }[] = [
  {
    bug: 'go-live-without-test-and-set',
    schedule: 'logPartition',
    options: modelBug('go-live-without-test-and-set'),
    expected: ['I2', 'I3'],
  },
  {
    bug: 'output-before-ack (model)',
    schedule: 'logPartition',
    options: modelBug('output-before-ack'),
    expected: ['I4'],
  },
  {
    bug: 'go-live-without-replay',
    schedule: 'slowSecondaryThenCrash',
    options: modelBug('go-live-without-replay'),
    expected: ['I4'],
  },
  {
    bug: 'skip-pending-io-reissue',
    schedule: 'primaryCrash',
    options: modelBug('skip-pending-io-reissue'),
    expected: ['I4'],
  },
  {
    bug: 'respawn-on-primary-host',
    schedule: 'none',
    options: modelBug('respawn-on-primary-host'),
    expected: ['I5'],
  },
  {
    bug: 'stale-primary-resumes',
    schedule: 'repairOldPrimary',
    options: modelBug('stale-primary-resumes'),
    // I5 first: the repaired host becomes primary with no VM on it (the replica monitor).
    expected: ['I5', 'I8', 'I2', 'I3'],
  },
  {
    bug: 'continue-alone-without-test-and-set',
    schedule: 'logPartition',
    options: modelBug('continue-alone-without-test-and-set'),
    expected: ['I2', 'I3', 'I4'],
  },
  {
    bug: 'interrupt-late',
    schedule: 'slowPrimary',
    options: { strategy: dataPlaneStrategy('interrupt-late') },
    expected: ['I1'],
  },
  {
    bug: 'dma-misplaced',
    schedule: 'none',
    options: { strategy: dataPlaneStrategy('dma-misplaced') },
    expected: ['I1'],
  },
  {
    bug: 'time-unlogged',
    schedule: 'none',
    options: { strategy: dataPlaneStrategy('time-unlogged') },
    expected: ['I1'],
  },
  {
    bug: 'output-not-suppressed',
    schedule: 'none',
    options: { strategy: dataPlaneStrategy('output-not-suppressed') },
    expected: ['I3'],
  },
  {
    bug: 'output-before-ack (data plane)',
    schedule: 'logPartition',
    options: { strategy: dataPlaneStrategy('output-released-before-ack') },
    expected: ['I4'],
  },
  {
    bug: 'log-entry-dropped',
    schedule: 'none',
    options: { strategy: dataPlaneStrategy('log-entry-dropped') },
    expected: ['I1'],
  },
  {
    bug: 'log-entries-reordered',
    schedule: 'none',
    options: { strategy: dataPlaneStrategy('log-entries-reordered') },
    expected: ['I1'],
  },
  {
    bug: 'ha-same-rack',
    schedule: 'secondaryCrash',
    options: {
      behaviour: clusterBehaviour('ha-same-rack'),
      config: { hosts: 3, racks: 2, rackAntiAffinity: true },
    },
    expected: ['I5'],
  },
  {
    bug: 'pending-disk-write-not-reissued',
    schedule: 'primaryCrash',
    options: { behaviour: clusterBehaviour('pending-disk-write-not-reissued') },
    expected: ['I4'],
  },
  {
    bug: 'client-address-not-moved',
    schedule: 'primaryCrash',
    options: { behaviour: clusterBehaviour('client-address-not-moved') },
    expected: ['I5', 'I7'],
  },
  {
    bug: 'storage-lost-on-one-hba',
    schedule: 'oneHbaOfPrimary',
    options: { behaviour: clusterBehaviour('storage-lost-on-one-hba') },
    expected: ['I8'],
  },
  {
    bug: 'disk-retry-without-backoff',
    schedule: 'slowStorage',
    options: { behaviour: clusterBehaviour('disk-retry-without-backoff'), durationUs: 6_000_000 },
    expected: ['I7'],
  },
  {
    bug: 'primary-ignores-silent-secondary',
    schedule: 'secondaryCrash',
    options: { behaviour: clusterBehaviour('primary-ignores-silent-secondary'), durationUs: 5_000_000 },
    expected: ['I7'],
  },
];

describe('seeded bugs are caught on the cluster', () => {
  for (const { bug, schedule, options, expected } of cases) {
    it(`${bug} under ${schedule}`, () => {
      const result = run(schedule, options);
      const found = result.violations.map((v) => v.invariant);
      expect(found.length, `no invariant broke for ${bug}`).toBeGreaterThan(0);
      expect(expected).toContain(found[0]);
      expect(result.violations[0]!.message.length).toBeGreaterThan(20);
    });
  }
});

describe('the correct system passes the same schedules', () => {
  for (const schedule of Object.keys(SCHEDULES) as ScheduleName[]) {
    it(schedule, () => {
      expect(run(schedule).violations).toEqual([]);
      expect(run(schedule, { config: { hosts: 3, racks: 2, rackAntiAffinity: true } }).violations).toEqual(
        [],
      );
    });
  }
});
