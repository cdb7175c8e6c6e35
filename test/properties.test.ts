// The fuzzing arbitraries and the named invariant properties: every generated run spec is valid,
// generation is a pure function of the seed, schedules shrink toward fewer and earlier faults and
// simpler configurations, and each property's failure names the invariant, the time and the host.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterConfigArb, toClusterConfigInput } from '../properties/arbitraries/cluster-config.ts';
import { withComponentRepair } from '../properties/arbitraries/component-repair.ts';
import { withCreepingDelay } from '../properties/arbitraries/creeping-delay.ts';
import { withDoubleFault } from '../properties/arbitraries/double-fault.ts';
import {
  FAULT_FAMILIES,
  type FuzzFault,
  fitFaultToCluster,
  swarmFaultListArb,
} from '../properties/arbitraries/fault-schedule.ts';
import { modelPathTemplates } from '../properties/arbitraries/model-paths.ts';
import { withPathByPathLoss } from '../properties/arbitraries/path-by-path-loss.ts';
import { withReprotectionStress } from '../properties/arbitraries/reprotection-stress.ts';
import { runSpecArb } from '../properties/arbitraries/run-spec.ts';
import { withStorageAftershock } from '../properties/arbitraries/storage-aftershock.ts';
import { withSurvivorStorageCut } from '../properties/arbitraries/survivor-storage-cut.ts';
import { describeViolation, INVARIANT_PROPERTIES, judgeRun } from '../properties/invariant-properties.ts';
import { INVARIANTS } from '../src/base/invariants.ts';
import { checkRunSpec, type RunSpec } from '../src/check/fuzz/run-spec.ts';
import type { FtRunResult } from '../src/check/monitors/ft-run.ts';
import { resolveClusterConfig } from '../src/cluster/config.ts';
import { parseFaultSchedule } from '../src/sim/fault-schedule.ts';

const familyOf = (kind: unknown) =>
  Object.entries(FAULT_FAMILIES).find(([, entries]) =>
    entries.some((entry) => fc.sample(entry.arbitrary, { seed: 1, numRuns: 1 })[0]!.kind === kind),
  )?.[0] ?? String(kind);

describe('arbitraries', () => {
  it('a creeping delay slows the pair link step by step past the detection timeout, and stays', () => {
    const base: FuzzFault[] = [{ at: '700ms', kind: 'crash', host: 'h3' }];
    const creep = { afterMs: 100, network: 'heartbeat' as const, stepMs: 90, everyMs: 200, topTenths: 15 };
    const faults = withCreepingDelay(base, creep, {
      hosts: 3,
      racks: 1,
      rackAntiAffinity: false,
      slowHosts: [],
    });
    const steps = faults.slice(1);
    // 600 ms at the 400 ms default timeout, in steps of at most 90 ms, 200 ms apart.
    expect(steps.map((f) => [f.at, f.ms])).toEqual([
      ['800ms', 90],
      ['1000ms', 180],
      ['1200ms', 270],
      ['1400ms', 360],
      ['1600ms', 450],
      ['1800ms', 540],
      ['2000ms', 600],
    ]);
    expect(steps.every((f) => f.kind === 'delay' && f.network === 'heartbeat')).toBe(true);
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 31, numRuns: 400 });
    const creeping = specs.filter((spec) =>
      spec.schedule.faults.some((f) => f.kind === 'delay' && Array.isArray(f.between) && Number(f.ms) > 400),
    );
    expect(creeping.length).toBeGreaterThan(25);
    for (const spec of specs) parseFaultSchedule(spec.schedule);
  });

  it('keep runs to the configured guests, with the same schedules, and a quiet service only when listed', () => {
    const all = fc.sample(runSpecArb(), { seed: 5, numRuns: 150 });
    const ledger = fc.sample(runSpecArb({ guests: ['ledger'] }), { seed: 5, numRuns: 150 });
    const ticking = fc.sample(runSpecArb({ guests: ['kvstore', 'ledger'] }), { seed: 5, numRuns: 150 });
    expect(new Set(all.map((s) => s.guest))).toEqual(new Set(['kvstore', 'ledger', 'kvstore-quiet']));
    expect(new Set(ledger.map((s) => s.guest))).toEqual(new Set(['ledger']));
    expect(ticking.some((s) => s.guest === 'kvstore-quiet')).toBe(false);
    expect(ledger.map((s) => s.schedule)).toEqual(all.map((s) => s.schedule));
  });

  it('generate run specs whose config and schedule validate against each other', () => {
    for (const spec of fc.sample(runSpecArb(), { seed: 7, numRuns: 300 })) {
      expect(() => checkRunSpec(spec)).not.toThrow();
      const hosts = spec.config.hosts!;
      expect(hosts).toBeGreaterThanOrEqual(2);
      expect(hosts).toBeLessThanOrEqual(5);
      expect(spec.config.racks!).toBeLessThanOrEqual(hosts);
    }
  });

  it('cover every fault kind, both role references and every network', () => {
    const specs = fc.sample(runSpecArb(), { seed: 11, numRuns: 400 });
    const faults = specs.flatMap((spec) => spec.schedule.faults);
    const kinds = new Set(faults.map((f) => f.kind));
    for (const kind of [
      'crash',
      'repair',
      'power-off-rack',
      'partition',
      'heal',
      'hba-fail',
      'nic-fail',
      'slow',
      'delay',
      'loss',
      'duplicate',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const hosts = new Set(faults.map((f) => f.host));
    expect(hosts).toContain('primary');
    expect(hosts).toContain('secondary');
    expect(new Set(faults.map((f) => f.network))).toEqual(
      new Set([undefined, 'logging', 'heartbeat', 'client', 'storage']),
    );
    expect(specs.some((spec) => spec.checkDeterminism)).toBe(true);
    expect(specs.some((spec) => spec.config.rackAntiAffinity === true)).toBe(true);
  });

  it('are a pure function of the seed', () => {
    const a = fc.sample(runSpecArb(), { seed: 42, numRuns: 50 });
    const b = fc.sample(runSpecArb(), { seed: 42, numRuns: 50 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = fc.sample(runSpecArb(), { seed: 43, numRuns: 50 });
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('shrink a schedule to the one fault that matters, at time 0, in the simplest configuration', () => {
    const failsOnPrimaryCrash = (spec: RunSpec) =>
      !spec.schedule.faults.some((f) => f.kind === 'crash' && f.host === 'primary');
    const result = fc.check(
      fc.property(runSpecArb({ shape: 'classic', faultsMax: 6 }), failsOnPrimaryCrash),
      {
        seed: 3,
        numRuns: 500,
      },
    );
    expect(result.failed).toBe(true);
    const [spec] = result.counterexample!;
    expect(spec.schedule.faults).toEqual([{ at: '0ms', kind: 'crash', host: 'primary' }]);
    expect(spec.config).toEqual({ hosts: 2, racks: 1 });
    expect(spec.seed).toBe(0);
    expect(spec.guest).toBe('kvstore');
    expect(spec.checkDeterminism).toBe(false);
  });

  it('shrink toward earlier times when time matters', () => {
    const failsOnLateFault = (spec: RunSpec) =>
      !spec.schedule.faults.some((f) => Number.parseInt(f.at as string, 10) >= 300);
    const result = fc.check(fc.property(runSpecArb({ shape: 'classic' }), failsOnLateFault), {
      seed: 5,
      numRuns: 500,
    });
    expect(result.failed).toBe(true);
    expect(result.counterexample![0].schedule.faults).toEqual([
      { at: '300ms', kind: 'crash', host: 'primary' },
    ]);
  });

  it('swarm schedules shrink to the one fault that matters, at time 0', () => {
    const failsOnPrimaryCrash = (faults: FuzzFault[]) =>
      !faults.some((f) => f.kind === 'crash' && f.host === 'primary');
    const result = fc.check(fc.property(swarmFaultListArb(), failsOnPrimaryCrash), { seed: 3, numRuns: 500 });
    expect(result.failed).toBe(true);
    expect(result.counterexample![0]).toEqual([{ at: '0ms', kind: 'crash', host: 'primary' }]);
  });

  it('swarm runs enable a subset of fault families, spread faults over the run and settle after the last', () => {
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 13, numRuns: 400 });
    const families = specs.map((spec) => new Set(spec.schedule.faults.map((f) => familyOf(f.kind))).size);
    // Some runs use one family only, others several: the swarm, not a uniform mix.
    expect(families.filter((n) => n === 1).length).toBeGreaterThan(40);
    expect(families.filter((n) => n >= 3).length).toBeGreaterThan(10);
    const lastMs = specs.map((spec) =>
      Math.max(0, ...spec.schedule.faults.map((f) => Number.parseInt(String(f.at), 10))),
    );
    expect(lastMs.filter((ms) => ms > 3_000).length).toBeGreaterThan(40);
    for (const [i, spec] of specs.entries())
      expect(spec.durationUs).toBeGreaterThanOrEqual(lastMs[i]! * 1000 + 2_000_000);
    // Several VMs and few slots sometimes; model-path schedules (the reissuing-I/O path's storage delay) too.
    expect(specs.some((spec) => spec.ftVms === 2)).toBe(true);
    expect(specs.some((spec) => spec.config.cpuCapacity === 2)).toBe(true);
    expect(specs.some((spec) => spec.schedule.faults.some((f) => f.kind === 'delay' && f.ms === 30))).toBe(
      true,
    );
  });

  it("one swarm run in four ends with a storage aftershock: a short cut of a pair host's path, or a lossy or slow array for a while", () => {
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 17, numRuns: 400 });
    const ms = (f: Record<string, unknown>) => Number.parseInt(String(f.at), 10);
    // A cut of the primary's (or secondary's) storage path that heals within 400 ms, at or after
    // every other fault of the run: a request lost in flight must be retried once it heals.
    const shortCuts = specs.filter((spec) => {
      const faults = spec.schedule.faults;
      const cut = faults.findLastIndex((f) => f.kind === 'partition' && f.network === 'storage');
      const heal = faults[cut + 1];
      return (
        cut >= 0 &&
        (faults[cut]!.host === 'primary' || faults[cut]!.host === 'secondary') &&
        heal?.kind === 'heal' &&
        heal.network === 'storage' &&
        ms(heal) - ms(faults[cut]!) <= 400 &&
        faults.slice(0, cut).every((f) => ms(f) <= ms(faults[cut]!))
      );
    });
    const ended = (kind: string) =>
      specs.filter((spec) => {
        const last = spec.schedule.faults.at(-1);
        return last?.kind === kind && last.network === 'storage' && (last.rate === 0 || last.ms === 0);
      }).length;
    // (A re-protection, component-repair, survivor-cut, path-by-path or creeping-delay scenario
    // drawn later may follow it in a run: fewer end with it.)
    expect(shortCuts.length).toBeGreaterThan(8);
    expect(ended('loss')).toBeGreaterThan(8);
    expect(ended('delay')).toBeGreaterThan(8);
    // Every one of them validates (rate 0 and 0 ms are how a lossy or slow network recovers).
    for (const spec of specs) parseFaultSchedule(spec.schedule);
  });

  it("a survivor's storage cut begins after the last fault, and its peer crashes before it heals", () => {
    const faults: FuzzFault[] = [{ at: '1200ms', kind: 'delay', network: 'client', ms: 0 }];
    expect(
      withSurvivorStorageCut(faults, {
        afterMs: 50,
        survivor: 'primary',
        crashAfterMs: 400,
        healAfterMs: 300,
      }),
    ).toEqual([
      ...faults,
      { at: '1250ms', kind: 'partition', network: 'storage', host: 'primary' },
      { at: '1549ms', kind: 'crash', host: 'secondary' },
      { at: '1550ms', kind: 'heal', network: 'storage' },
    ]);
    const spread = withSurvivorStorageCut([], {
      afterMs: 0,
      survivor: 'secondary',
      crashAfterMs: 10,
      healAfterMs: 900,
    });
    expect(spread.map((f) => [f.at, f.kind, f.host])).toEqual([
      ['0ms', 'partition', 'secondary'],
      ['10ms', 'crash', 'primary'],
      ['900ms', 'heal', undefined],
    ]);
    parseFaultSchedule({ version: 1, faults: spread });
  });

  it("a storage aftershock comes after the schedule's last fault and ends with its recovery", () => {
    const faults: FuzzFault[] = [{ at: '1200ms', kind: 'crash', host: 'primary' }];
    expect(
      withStorageAftershock(faults, { kind: 'cut', afterMs: 40, host: 'secondary', healAfterMs: 75 }),
    ).toEqual([
      ...faults,
      { at: '1240ms', kind: 'partition', network: 'storage', host: 'secondary' },
      { at: '1315ms', kind: 'heal', network: 'storage' },
    ]);
    expect(withStorageAftershock([], { kind: 'slow', afterMs: 0, ms: 300, forMs: 900 })).toEqual([
      { at: '0ms', kind: 'delay', network: 'storage', ms: 300 },
      { at: '900ms', kind: 'delay', network: 'storage', ms: 0 },
    ]);
    expect(
      withStorageAftershock(faults, { kind: 'lossy', afterMs: 600, rate: 0.3, forMs: 100 }).slice(1),
    ).toEqual([
      { at: '1800ms', kind: 'loss', network: 'storage', rate: 0.3 },
      { at: '1900ms', kind: 'loss', network: 'storage', rate: 0 },
    ]);
  });

  it('one swarm run in five has a double fault: a pair host loses a component, then the other crashes', () => {
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 19, numRuns: 600 });
    const ms = (f: Record<string, unknown>) => Number.parseInt(String(f.at), 10);
    const degradedThenCrash = (spec: (typeof specs)[number], degraded: string) =>
      spec.schedule.faults.some((f, _, all) => {
        if ((f.kind !== 'hba-fail' && f.kind !== 'nic-fail') || f.host !== degraded) return false;
        const other = degraded === 'primary' ? 'secondary' : 'primary';
        return all.some(
          (c) => c.kind === 'crash' && c.host === other && ms(c) >= ms(f) && ms(c) <= ms(f) + 400,
        );
      });
    // A survivor already degraded when its primary fails; a primary degraded while it is alone.
    expect(specs.filter((s) => degradedThenCrash(s, 'secondary')).length).toBeGreaterThan(20);
    const aloneDegraded = specs.filter((s) =>
      s.schedule.faults.some((f) => f.kind === 'hba-fail' && f.host === 'primary' && ms(f) < 10),
    );
    expect(aloneDegraded.length).toBeGreaterThan(3);
    for (const spec of specs) parseFaultSchedule(spec.schedule);
  });

  it('re-protection under stress: a named host crashes, the primary’s storage fails, the host comes back, then the primary may crash — in time order', () => {
    const faults: FuzzFault[] = [{ at: '300ms', kind: 'delay', network: 'logging', ms: 20 }];
    expect(
      withReprotectionStress(faults, {
        afterMs: 100,
        crashed: 2,
        troubleAfterMs: 50,
        trouble: { kind: 'cut', healAfterMs: 500 },
        repairAfterMs: 100,
        crashPrimaryAfterMs: 200,
      }),
    ).toEqual([
      ...faults,
      { at: '400ms', kind: 'crash', host: 'h2' },
      { at: '450ms', kind: 'partition', network: 'storage', host: 'primary' },
      { at: '550ms', kind: 'repair', host: 'h2' },
      { at: '750ms', kind: 'crash', host: 'primary' },
      { at: '950ms', kind: 'heal', network: 'storage' },
    ]);
    expect(
      withReprotectionStress([], {
        afterMs: 0,
        crashed: 1,
        troubleAfterMs: 0,
        trouble: { kind: 'slow', ms: 300, forMs: 200 },
        repairAfterMs: 400,
        crashPrimaryAfterMs: undefined,
      }),
    ).toEqual([
      { at: '0ms', kind: 'crash', host: 'h1' },
      { at: '0ms', kind: 'delay', network: 'storage', host: 'primary', ms: 300 },
      { at: '200ms', kind: 'delay', network: 'storage', ms: 0 },
      { at: '400ms', kind: 'repair', host: 'h1' },
    ]);
    // About one swarm run in six has one: a crash of a named host repaired 0-900 ms later with a
    // storage fault of the primary in between; every schedule still validates.
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 23, numRuns: 600 });
    const ms = (f: Record<string, unknown>) => Number.parseInt(String(f.at), 10);
    const stressed = specs.filter((spec) =>
      spec.schedule.faults.some(
        (crash, i, all) =>
          crash.kind === 'crash' &&
          /^h\d$/.test(String(crash.host)) &&
          all.some(
            (trouble, j) =>
              j > i &&
              trouble.host === 'primary' &&
              ['hba-fail', 'partition', 'delay'].includes(String(trouble.kind)) &&
              all.some(
                (r, k) => k > j && r.kind === 'repair' && r.host === crash.host && ms(r) <= ms(crash) + 900,
              ),
          ),
      ),
    );
    expect(stressed.length).toBeGreaterThan(60);
    expect(stressed.length).toBeLessThan(160);
    for (const spec of specs) parseFaultSchedule(spec.schedule);
  });

  it('a component repair: a named host loses a component or its speed and is repaired later; the primary may crash in between or after', () => {
    const faults: FuzzFault[] = [{ at: '300ms', kind: 'partition', network: 'logging' }];
    expect(
      withComponentRepair(faults, {
        afterMs: 100,
        host: 3,
        loss: { kind: 'nic-fail', network: 'logging' },
        repairAfterMs: 500,
        crashPrimaryAfterMs: 200,
      }),
    ).toEqual([
      ...faults,
      { at: '400ms', kind: 'nic-fail', host: 'h3', path: 'all', network: 'logging' },
      { at: '600ms', kind: 'crash', host: 'primary' },
      { at: '900ms', kind: 'repair', host: 'h3' },
    ]);
    expect(
      withComponentRepair([], {
        afterMs: 0,
        host: 2,
        loss: { kind: 'slow', factor: 200 },
        repairAfterMs: 300,
        crashPrimaryAfterMs: 300,
      }),
    ).toEqual([
      { at: '0ms', kind: 'slow', host: 'h2', factor: 200 },
      { at: '300ms', kind: 'repair', host: 'h2' },
      { at: '300ms', kind: 'crash', host: 'primary' },
    ]);
    // About one run in six has one: a component loss of a named host and that host's repair
    // 100-1500 ms later; every schedule still validates.
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 29, numRuns: 600 });
    const ms = (f: Record<string, unknown>) => Number.parseInt(String(f.at), 10);
    const repaired = specs.filter((spec) =>
      spec.schedule.faults.some(
        (loss, i, all) =>
          ['nic-fail', 'hba-fail', 'slow'].includes(String(loss.kind)) &&
          /^h\d$/.test(String(loss.host)) &&
          all.some(
            (r, k) =>
              k === i + 1 &&
              r.kind === 'repair' &&
              r.host === loss.host &&
              ms(r) - ms(loss) >= 100 &&
              ms(r) - ms(loss) <= 1500,
          ),
      ),
    );
    // (Not every drawn repair has exactly this shape: 60 of 600 at this seed.)
    expect(repaired.length).toBeGreaterThan(45);
    expect(repaired.length).toBeLessThan(160);
    for (const spec of specs) parseFaultSchedule(spec.schedule);
  });

  it('a double fault at power-on goes before the schedule (its crash 300 ms later, in time order), one after it after its last fault', () => {
    const faults: FuzzFault[] = [{ at: '500ms', kind: 'delay', network: 'logging', ms: 20 }];
    const component = { kind: 'nic-fail' as const, path: 'all' as const };
    expect(
      withDoubleFault(faults, {
        when: 'power-on',
        atMs: 37,
        degraded: 'secondary',
        component,
        crashAfterMs: 100,
      }),
    ).toEqual([
      { at: '7ms', kind: 'nic-fail', path: 'all', host: 'secondary' },
      { at: '407ms', kind: 'crash', host: 'primary' },
      ...faults,
    ]);
    expect(
      withDoubleFault(faults, {
        when: 'power-on',
        atMs: 3,
        degraded: 'primary',
        component,
        crashAfterMs: undefined,
      }),
    ).toEqual([{ at: '3ms', kind: 'nic-fail', path: 'all', host: 'primary' }, ...faults]);
    expect(
      withDoubleFault(faults, {
        when: 'after-last-fault',
        atMs: 50,
        degraded: 'primary',
        component,
        crashAfterMs: 0,
      }).slice(1),
    ).toEqual([
      { at: '550ms', kind: 'nic-fail', path: 'all', host: 'primary' },
      { at: '550ms', kind: 'crash', host: 'secondary' },
    ]);
  });

  it('one run in eight loses both paths of one host component, one after the other, after the last fault', () => {
    const faults: FuzzFault[] = [{ at: '700ms', kind: 'crash', host: 'h3' }];
    expect(
      withPathByPathLoss(faults, { afterMs: 30, host: 'primary', component: 'hba', first: 1, gapMs: 200 }),
    ).toEqual([
      ...faults,
      { at: '730ms', kind: 'hba-fail', host: 'primary', path: 1 },
      { at: '930ms', kind: 'hba-fail', host: 'primary', path: 0 },
    ]);
    expect(
      withPathByPathLoss([], { afterMs: 0, host: 'secondary', component: 'client-nic', first: 0, gapMs: 20 }),
    ).toEqual([
      { at: '0ms', kind: 'nic-fail', host: 'secondary', path: 0, network: 'client' },
      { at: '20ms', kind: 'nic-fail', host: 'secondary', path: 1, network: 'client' },
    ]);
    const specs = fc.sample(runSpecArb({ determinismEvery: 0 }), { seed: 23, numRuns: 400 });
    const both = specs.filter((spec) => {
      const [a, b] = spec.schedule.faults.slice(-2);
      return (
        a !== undefined && b !== undefined && a.kind === b.kind && a.host === b.host && a.path !== b.path
      );
    });
    expect(both.length).toBeGreaterThan(30);
    expect(both.length).toBeLessThan(75);
  });

  it('model-path schedules exist for every agent transition', () => {
    const templates = modelPathTemplates();
    expect(templates.length).toBe(28);
    expect(templates.map((t) => t.covers)).toContain('secondary.goingLive.reissuingIo --CRASH--> failed');
  });

  it('map host and rack numbers onto the cluster, turning a degenerate pair into one host', () => {
    expect(fitFaultToCluster({ at: '1ms', kind: 'crash', host: 'h5' }, 3, 1)).toEqual({
      at: '1ms',
      kind: 'crash',
      host: 'h2',
    });
    expect(fitFaultToCluster({ at: '1ms', kind: 'power-off-rack', rack: 'r3' }, 3, 2)).toMatchObject({
      rack: 'r1',
    });
    expect(
      fitFaultToCluster({ at: '1ms', kind: 'partition', network: 'logging', between: ['h1', 'h3'] }, 2, 1),
    ).toEqual({ at: '1ms', kind: 'partition', network: 'logging', host: 'h1' });
  });

  it('produce configurations the cluster accepts', () => {
    for (const config of fc.sample(clusterConfigArb(), { seed: 9, numRuns: 200 })) {
      expect(() => resolveClusterConfig(toClusterConfigInput(config))).not.toThrow();
    }
  });
});

describe('invariant properties', () => {
  it('name I0–I8 once each, with a statement and explicit assumptions', () => {
    expect(INVARIANT_PROPERTIES.map((p) => p.id)).toEqual(Object.keys(INVARIANTS));
    for (const property of INVARIANT_PROPERTIES) {
      expect(property.name).toBe(INVARIANTS[property.id]);
      expect(property.assumptions.length).toBeGreaterThan(0);
    }
    const recovery = INVARIANT_PROPERTIES.find((p) => p.id === 'I5')!;
    expect(recovery.assumptions.join(' ')).toMatch(/spare host/);
  });

  it('fail with a message naming the invariant, the simulated time and the host', () => {
    const failure = describeViolation(
      {
        invariant: 'I3',
        timeUs: 612_000,
        tracePosition: 90,
        host: 'h2',
        vm: 'vm1',
        message: 'both primaries wrote',
      },
      'no split-brain',
    );
    expect(failure).toEqual({
      invariant: 'I3',
      atMicros: 612_000,
      host: 'h2',
      vm: 'vm1',
      message: 'I3 (no split-brain) violated at 612ms on h2, vm1: both primaries wrote',
    });
  });

  it('judge a run by its earliest failure, and pass a clean run', () => {
    const run = (violations: FtRunResult['violations']) => ({ violations }) as FtRunResult;
    expect(judgeRun(run([]))).toBeNull();
    const judged = judgeRun(
      run([
        { invariant: 'I5', timeUs: 900, tracePosition: 9, message: 'late' },
        { invariant: 'I2', timeUs: 500, tracePosition: 5, host: 'h1', message: 'twice' },
      ]),
    );
    expect(judged).toMatchObject({ invariant: 'I2', atMicros: 500, host: 'h1' });
    const onlyI5 = judgeRun(
      run([{ invariant: 'I2', timeUs: 500, tracePosition: 5, message: 'twice' }]),
      INVARIANT_PROPERTIES.filter((p) => p.id === 'I5'),
    );
    expect(onlyI5).toBeNull();
  });
});
