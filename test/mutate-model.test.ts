// Model mutants: generation from the machines' own configuration, equivalence by bisimulation of
// the actor tables, and the verdict of each detector (explorer, fuzz) — on small fixed samples.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { agentMachine } from '../models/agent.ts';
import { createClusterModel } from '../models/clusterModel.ts';
import { AE, stepAgent } from '../models/environment.ts';
import { fuzzCampaign } from '../properties/fuzz-campaign.ts';
import { explore } from '../src/check/explorer/explore.ts';
import { bugRunOptions } from '../src/check/fuzz/bug-injection.ts';
import { behaviourChanges } from '../src/check/mutate/equivalence.ts';
import {
  findModelMutant,
  MODEL_MUTANT_OPERATORS,
  modelMutants,
  mutantsOf,
} from '../src/check/mutate/model-mutants.ts';
import {
  EQUIVALENCE_ALPHABETS,
  EQUIVALENCE_OBSERVATIONS,
  runModelMutant,
} from '../src/check/mutate/model-runner.ts';
import { scoreOf } from '../src/check/mutate/outcome.ts';
import { sampleIndices, selectMutants } from '../src/check/mutate/select.ts';
import { main } from '../src/cli/main.ts';
import { Cluster } from '../src/cluster/cluster.ts';
import { kvstoreWorkload } from '../src/cluster/workloads.ts';
import { VirtualMachine } from '../src/vm/machine.ts';

const kvstore = new Uint8Array(readFileSync(new URL('../guests/kvstore.elf', import.meta.url)));

const mutant = (id: string) => {
  const found = findModelMutant(id);
  if (found === undefined) throw new Error(`no mutant ${id}`);
  return found;
};
const noFuzz = () => {
  throw new Error('the fuzz detector must not run');
};
const explorerOnly = { hosts: 2, seed: 1, runs: 0, fuzz: noFuzz };

describe('model mutant generation', () => {
  it('covers every operator, with unique, file-name safe ids', () => {
    const all = modelMutants();
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    for (const m of all) expect(m.id).toMatch(/^[\w.~-]+$/);
    for (const op of MODEL_MUTANT_OPERATORS) expect(all.some((m) => m.operator === op)).toBe(true);
    expect(all.some((m) => m.machine === 'ha')).toBe(true);
  });

  it('every guarded transition is dropped and negated; every candidate retargeted to every other leaf', () => {
    const agent = mutantsOf('agent');
    const count = (op: string) => agent.filter((m) => m.operator === op).length;
    expect(count('drop-guard')).toBe(count('negate-guard'));
    expect(count('drop-guard')).toBeGreaterThanOrEqual(6);
    // 11 leaf states: a candidate with a target has 10 new ones, a targetless one (stays) 10 too.
    expect(count('retarget')).toBe(count('drop-transition') * 10);
  });

  it('describes a mutant as a diff of the machine definition', () => {
    const m = mutant('agent~negate-guard~primary.engaged~OUTPUT_READY.0');
    expect(m.diff).toBe(
      [
        '  primary.engaged:',
        '-   OUTPUT_READY [outputAcknowledged] → · / releaseOutput',
        '+   OUTPUT_READY [!(outputAcknowledged)] → · / releaseOutput',
      ].join('\n'),
    );
    expect(mutant('agent~drop-transition~idle~POWER_ON.0').diff).toBe(
      '  idle:\n-   POWER_ON → primary.alone',
    );
  });

  it('builds a runnable machine that differs where the diff says and nowhere else', () => {
    const machine = mutant('agent~retarget~halted~RESET.0~failed').build();
    const actor = createActor(machine).start();
    for (const type of ['POWER_ON', 'LOCKSTEP_ENGAGED', 'STORAGE_LOST'] as const) actor.send({ type });
    expect(actor.getSnapshot().value).toBe('halted');
    actor.send({ type: 'RESET' });
    expect(actor.getSnapshot().value).toBe('failed');
    const changes = behaviourChanges(agentMachine, machine, EQUIVALENCE_ALPHABETS.agent);
    expect(changes).toEqual([{ state: 'halted', event: 'RESET', before: '→ idle', after: '→ failed' }]);
  });
});

describe('equivalent mutants', () => {
  it('a guard whose implementation is constant true, dropped, is equivalent', () => {
    const r = runModelMutant(mutant('agent~drop-guard~primary.engaged~PEER_SILENT.0'), explorerOnly);
    expect(r.status).toBe('equivalent');
    expect(r.changes).toEqual([]);
  });

  it('a remembered role nobody reads (context only) is equivalent; a dropped heartbeat is not', () => {
    expect(
      runModelMutant(mutant('agent~drop-action~primary~CRASH.0~rememberRoleprimarytrue'), explorerOnly)
        .status,
    ).toBe('equivalent');
    const heartbeat = behaviourChanges(
      agentMachine,
      mutant('agent~drop-action~secondary.engaged~HEARTBEAT_DUE.0~sendHeartbeat').build(),
      EQUIVALENCE_ALPHABETS.agent,
    );
    expect(heartbeat).toEqual([
      {
        state: 'secondary.engaged',
        event: 'HEARTBEAT_DUE',
        before: '→ secondary.engaged / sendHeartbeat',
        // Still handled (a targetless transition without actions), no longer sending: not 'ignored'.
        after: '→ secondary.engaged',
      },
    ]);
  });
});

describe('what the environments observe', () => {
  it('a reaction to a second CRASH of a host already down is unreachable: its retargets are equivalent', () => {
    const r = runModelMutant(mutant('agent~retarget~failed~CRASH.0~primary.alone'), explorerOnly);
    expect(r.status).toBe('equivalent');
    // Without the hosts' liveness discipline it is a difference any environment could trigger.
    const anyEvent = behaviourChanges(
      agentMachine,
      mutant('agent~retarget~failed~CRASH.0~primary.alone').build(),
      EQUIVALENCE_ALPHABETS.agent,
    );
    expect(anyEvent.map((c) => `${c.state} ${c.event}`)).toContain('failed CRASH');
    // The repair that follows the crash is still observed.
    expect(runModelMutant(mutant('agent~retarget~failed~REPAIR.1~halted'), explorerOnly).status).not.toBe(
      'equivalent',
    );
  });

  it('halt and announceCandidate are inert (their effect comes with the state); dropping releaseOutput is not', () => {
    for (const id of [
      'agent~drop-action~primary.acquiringLock~LOCK_DENIED.0~halt',
      'agent~drop-action~failed~REPAIR.1~announceCandidate',
    ])
      expect(runModelMutant(mutant(id), explorerOnly).status).toBe('equivalent');
    const release = behaviourChanges(
      agentMachine,
      mutant('agent~drop-action~primary.alone~OUTPUT_READY.0~releaseOutput').build(),
      EQUIVALENCE_ALPHABETS.agent,
      EQUIVALENCE_OBSERVATIONS.agent,
    );
    expect(release.length).toBeGreaterThan(0);
  });

  it('both environments refuse to step the agent of a down host, so the discipline is checked, not assumed', () => {
    const cluster = new Cluster({
      seed: 1,
      vms: [{ name: 'vm1', ft: true, primaryHost: 'h1', createVm: () => VirtualMachine.fromElf(kvstore) }],
      clients: [{ vm: 'vm1', workload: kvstoreWorkload(1, 4) }],
    });
    cluster.start();
    cluster.run(200_000);
    cluster.crashHost('h2');
    const vm = cluster.vms[0]!;
    const down = vm.instances.find((i) => i.host.name === 'h2')!;
    expect(() => vm.send(down, { type: 'HEARTBEAT_DUE' })).toThrow(
      /h2 is down but its agent was sent HEARTBEAT_DUE/,
    );
    const model = createClusterModel({ hosts: 2 });
    const context = structuredClone(createActor(model.machine).getSnapshot().context);
    context.hosts[1]!.up = 0;
    expect(() => stepAgent(model.tables, context, 1, AE.logEntry)).toThrow(
      /a down host hears nothing but its crash/,
    );
  });
});

describe('detectors on model mutants', () => {
  it('the explorer kills a negated Output Rule with I2, a dropped LOG_ENTRY with I0 and an impossible release as a step that throws', () => {
    const explored = (id: string) => runModelMutant(mutant(id), explorerOnly);
    const killedBy = (invariant: string, property: string) => ({
      status: 'killed',
      kill: { detector: 'explore', invariant, property },
    });
    expect(explored('agent~negate-guard~primary.engaged~OUTPUT_READY.0')).toMatchObject(
      killedBy('I2', 'outputReproducible'),
    );
    // An engaged secondary that does not handle LOG_ENTRY at all: a named property with its path.
    expect(explored('agent~drop-transition~secondary.engaged~LOG_ENTRY.0')).toMatchObject(
      killedBy('I0', 'agentHandlesDeliveredEvents'),
    );
    // LOG_ENTRY handled without the ack: the channel carries only what the agent acknowledged, so
    // outputs are held for good and requests starve (a lasso under fairness).
    expect(explored('agent~drop-action~secondary.engaged~LOG_ENTRY.0~ackLogEntry')).toMatchObject(
      killedBy('I7', 'requestsAnswered'),
    );
    // A secondary that goes live without `disengage` keeps its end of the logging stream attached:
    // after a partition heals, the primary's next entry reaches a going-live state without LOG_ENTRY.
    for (const silent of ['PEER_SILENT.0', 'PEER_SILENT.2']) {
      expect(explored(`agent~drop-action~secondary.engaged~${silent}~disengage`)).toMatchObject(
        killedBy('I0', 'agentHandlesDeliveredEvents'),
      );
    }
    // The primary's: equivalent in effect (properties/README.md); its end ships only while it executes.
    expect(explored('agent~drop-action~primary.engaged~PEER_SILENT.0~disengage').status).toBe('survived');
    // A primary that releases output on LOCKSTEP_ENGAGED, before any entry executed: the
    // environment's own assertion refuses it, a step that throws, which explore reports as an I0
    // finding with its path (never a crash of ftcheck). Its secondary, engaged with no primary
    // engaged to ship to, is caught first: engagedAgentAttached.
    const swapped = 'agent~swap-events~primary.alone~OUTPUT_READY~LOCKSTEP_ENGAGED';
    expect(explored(swapped)).toMatchObject(killedBy('I5', 'engagedAgentAttached'));
    // Without that property, the path goes on to the step that throws.
    const model = createClusterModel({ hosts: 2, agentMachine: mutant(swapped).build() });
    const others = model.invariants.filter((p) => p.name !== 'engagedAgentAttached');
    const thrown = explore({ ...model, invariants: others }, { engine: 'compiled' }).violations.find(
      (v) => v.property === 'stepsComplete',
    );
    expect([thrown?.invariant, thrown?.thrown?.error]).toEqual([
      'I0',
      expect.stringMatching(/^assertion failed: an output is released only after its entry executed/),
    ]);
  });

  it('a mutant the explorer cannot see goes to the fuzz detector; its verdict and crashes are kept apart', () => {
    const blind = mutant('agent~drop-action~primary.engaged~HEARTBEAT_DUE.0~sendHeartbeat');
    expect(runModelMutant(blind, explorerOnly).status).toBe('survived');
    const requests: unknown[] = [];
    const found = runModelMutant(blind, {
      ...explorerOnly,
      runs: 7,
      fuzz: (request) => {
        requests.push(request);
        return {
          found: false,
          runs: 7,
          executions: 7,
          stopped: null,
          incidental: [],
          schedulesPerSecond: 1,
          elapsedMs: 1,
        };
      },
    });
    expect(requests).toEqual([{ bug: blind.id, seed: 1, runs: 7 }]);
    expect(found).toMatchObject({ status: 'survived', fuzzRuns: 7 });
    const crashed = runModelMutant(blind, {
      ...explorerOnly,
      runs: 7,
      fuzz: () => {
        throw new Error('a failed search recorded its failure');
      },
    });
    expect(crashed).toMatchObject({
      status: 'crashed',
      crash: 'fuzz: Error: a failed search recorded its failure',
    });
    expect(scoreOf([found, crashed, { status: 'killed' }, { status: 'equivalent' }])).toMatchObject({
      killed: 1,
      survived: 1,
      crashed: 1,
      equivalent: 1,
      score: 1 / 3,
    });
  });

  it('a mutant id is a bug name: the fuzzer runs the cluster with the mutated machine', () => {
    const injected = bugRunOptions('ha~drop-action~selecting~CANDIDATE.0~spawnSecondary');
    expect(injected.options.haMachine).toBeDefined();
    expect(injected.options.agentMachine).toBeUndefined();
  });
});

describe('the campaign fuzzed with broken systems', () => {
  // Mutants that break the cluster in different places: an assertion inside the cluster at boot,
  // one after a failover, a VM that never starts, an HA service that never spawns, a host that
  // fails on a log entry. Every detector runs on each (explorer and fuzz): none may crash ftcheck.
  const BROKEN = [
    'agent~retarget~idle~POWER_ON.0~secondary.goingLive.reissuingIo',
    'agent~drop-action~secondary.engaged~PEER_SILENT.0~disengage',
    'agent~drop-transition~idle~POWER_ON.0',
    'ha~drop-action~selecting~CANDIDATE.0~spawnSecondary',
    'agent~retarget~secondary.engaged~LOG_ENTRY.0~failed',
  ];

  it('ftcheck never crashes (exit 3) on a fixed sample of model mutants; each is decided', () => {
    for (const id of BROKEN) {
      const result = runModelMutant(mutant(id), {
        hosts: 2,
        seed: 1,
        runs: 3,
        everyDetector: true,
        fuzz: ({ bug, seed, runs }) => fuzzCampaign({ bug, seed, runs, outDir: null, shrinkBudgetMs: 2_000 }),
      });
      expect(result.crash, id).toBeUndefined();
      expect(['killed', 'survived'], id).toContain(result.status);
    }
  });
});

describe('selecting mutants', () => {
  it('samples with the seed, shards into disjoint parts, and filters by id pattern and operator', () => {
    expect(sampleIndices(100, 5, 7)).toEqual(sampleIndices(100, 5, 7));
    expect(sampleIndices(100, 5, 7)).not.toEqual(sampleIndices(100, 5, 8));
    const all = modelMutants();
    const shards = [1, 2, 3].map((index) => selectMutants(all, { seed: 1, shard: { index, count: 3 } }));
    expect(
      shards
        .flat()
        .map((m) => m.id)
        .sort(),
    ).toEqual(all.map((m) => m.id).sort());
    const ha = selectMutants(all, { seed: 1, only: ['ha~*'], operators: ['drop-guard', 'negate-guard'] });
    expect(ha.map((m) => m.id)).toEqual([
      'ha~drop-guard~selecting~CANDIDATE.0',
      'ha~negate-guard~selecting~CANDIDATE.0',
    ]);
  });
});

describe('ftcheck mutate (model level)', () => {
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
  };

  it('reports the score and every survivor with its diff; --min-score fails the run below it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftcheck-mutate-'));
    const c = capture();
    const args = [
      'mutate',
      '--hosts',
      '2',
      '--runs',
      '0',
      '--only',
      'agent~negate-guard~primary.engaged~OUTPUT_READY.0',
      'agent~drop-guard~primary.engaged~PEER_SILENT.0',
      'agent~drop-action~primary.engaged~HEARTBEAT_DUE.0~sendHeartbeat',
      '--out',
      dir,
    ];
    expect(await main(args, c.io)).toBe(0);
    expect(c.out.join('\n')).toContain(
      'mutate model: 50.0% of 2 non-equivalent (1 killed, 1 survived, 1 equivalent)',
    );
    const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8'));
    expect(report.model.score).toMatchObject({ total: 3, killed: 1, survived: 1, equivalent: 1 });
    const md = readFileSync(join(dir, 'mutation.md'), 'utf8');
    expect(md).toContain('agent~drop-action~primary.engaged~HEARTBEAT_DUE.0~sendHeartbeat` — SURVIVED');
    expect(md).toContain('-   HEARTBEAT_DUE → · / sendHeartbeat');
    expect(md).toContain('would break: the peer declares this host dead');
    expect(await main([...args, '--min-score', '60'], capture().io)).toBe(1);
  });

  it('rejects bad input with exit 2 and names the flag', async () => {
    for (const [args, message] of [
      [['mutate', '--level', 'everything'], /--level must be model, implementation or all/],
      [['mutate', '--min-score', '120'], /--min-score must be a percentage/],
      [['mutate', '--operators', 'flip'], /unknown operator 'flip'/],
      [['mutate', '--only', 'nothing~like~this'], /no model mutant matches/],
      [['mutate', '--shard', '3/2'], /shard index must be between 1 and 2/],
    ] as const) {
      const c = capture();
      expect(await main([...args], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(message);
    }
  });
});
