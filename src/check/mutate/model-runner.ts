// Runs model mutants through ftcheck's own detectors: first the equivalence check (a mutant no
// environment can tell from the original is left out of the score), then the exhaustive model
// check of the abstract cluster with the mutated machine, then — for mutants the explorer did not
// kill — a fixed-run fuzz campaign with the mutated machine driving the cluster's agents. Every
// result is a function of the mutant, the host count, the seed and the run count: no timer
// decides anything. A fault of ftcheck's own machinery is a `crashed` mutant, never a kill.
import type { AnyStateMachine, EventObject } from 'xstate';
import { AGENT_EVENT_TYPES } from '../../../models/agent.ts';
import { createClusterModel } from '../../../models/clusterModel.ts';
import { AGENT_ALPHABET, HA_ALPHABET } from '../../../models/environment.ts';
import { HA_EVENT_TYPES } from '../../../models/haService.ts';
import { AssertionError, assert } from '../../base/assert.ts';
import type { InvariantId } from '../../base/invariants.ts';
import { explore } from '../explorer/explore.ts';
import { thrownLine } from '../explorer/thrown.ts';
import type { CampaignResult } from '../fuzz/campaign.ts';
import {
  ANY_EVENT,
  type BehaviourChange,
  behaviourChanges,
  HOST_LIVENESS,
  type Observation,
} from './equivalence.ts';
import { type ModelMutant, PROTOCOL_MACHINES } from './model-mutants.ts';
import type { Kill, MutantOutcome } from './outcome.ts';

export interface FuzzRequest {
  /** The mutant's id, injected like a seeded bug (src/check/fuzz/bug-injection.ts). */
  bug: string;
  seed: number;
  runs: number;
}

/** The fuzz detector: the standard campaign (properties/fuzz-campaign.ts), wired by the caller. */
export type FuzzDetector = (request: FuzzRequest) => CampaignResult;

export interface ModelMutationOptions {
  /** Hosts of the explored abstract cluster (2–6). */
  hosts: number;
  /** fast-check seed of the fuzz campaign. */
  seed: number;
  /** Fuzz runs per mutant the explorer did not kill (0: explorer only). */
  runs: number;
  fuzz: FuzzDetector;
  /** Also fuzz mutants the explorer killed (hunting for crashes of the checker). Default false. */
  everyDetector?: boolean;
  /**
   * The command that replays a saved trace file (default `ftcheck replay <path>`); the gate names
   * the file relative to its reports folder, so the command works where the reports are downloaded.
   */
  replayCommand?: (tracePath: string) => string;
}

export interface ModelMutantResult extends MutantOutcome {
  level: 'model';
  machine: ModelMutant['machine'];
  operator: ModelMutant['operator'];
  /** Observable differences from the original machine (empty for an equivalent mutant). */
  changes: BehaviourChange[];
  /** Fuzz runs spent on the mutant (0 when the explorer killed it first). */
  fuzzRuns: number;
}

/**
 * Every event an environment sends, with every parameter value that matters: the abstract
 * environment's alphabets plus what only the cluster sends (heartbeat ticks, placement objections).
 */
export const EQUIVALENCE_ALPHABETS: Record<ModelMutant['machine'], readonly EventObject[]> = {
  agent: [...AGENT_ALPHABET, { type: 'HEARTBEAT_DUE' }],
  ha: [
    ...HA_ALPHABET,
    { type: 'CANDIDATE', host: 0, healthy: true, runsThisVm: false, hasCapacity: false } as EventObject,
    { type: 'CANDIDATE', host: 0, healthy: true, runsThisVm: false, breaksAntiAffinity: true } as EventObject,
  ],
};
/**
 * What the environments observe of each machine: when they send its events, and which of its
 * commands neither acts on — `halt` is carried out on the state change to `halted` in both
 * (`FtVm.onStateChange` in the cluster, `stepAgent` clearing the VM in the model), and
 * `announceCandidate` only writes a trace note in the cluster (an idle agent is a candidate by its
 * state); the model's `runAgentCommand` and the cluster's `FtVm.execute` ignore both.
 */
export const EQUIVALENCE_OBSERVATIONS: Record<ModelMutant['machine'], Observation> = {
  agent: { discipline: HOST_LIVENESS, inertCommands: ['halt', 'announceCandidate'] },
  ha: { discipline: ANY_EVENT },
};
for (const type of AGENT_EVENT_TYPES) {
  assert(
    EQUIVALENCE_ALPHABETS.agent.some((e) => e.type === type),
    `equivalence alphabet covers ${type}`,
  );
}
for (const type of HA_EVENT_TYPES) {
  assert(
    EQUIVALENCE_ALPHABETS.ha.some((e) => e.type === type),
    `equivalence alphabet covers ${type}`,
  );
}

/** An assertion of the abstract environment (models/) refusing what the mutant did: a finding. */
function isModelAssertion(error: unknown): boolean {
  if (!(error instanceof AssertionError) || error.stack === undefined) return false;
  const frame = error.stack
    .split('\n')
    .find((line) => /^\s+at /.test(line) && !line.includes('/base/assert.'));
  return frame !== undefined && /\/models\/[\w-]+\.[jt]s\b/.test(frame);
}

const messageOf = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

type Detection = { kill: Kill } | { crash: string } | null;

function exploreMutant(machine: AnyStateMachine, mutant: ModelMutant, hosts: number): Detection {
  try {
    const model = createClusterModel({
      hosts,
      ...(mutant.machine === 'agent' ? { agentMachine: machine } : { haMachine: machine }),
    });
    const violation = explore(model, { engine: 'auto' }).violations[0];
    if (violation === undefined) return null;
    return {
      kill: {
        detector: 'explore',
        invariant: violation.invariant ?? null,
        property: violation.property,
        message: `${violation.property}: ${violation.thrown ? thrownLine(violation.thrown) : violation.description} (${violation.trace.length - 1} steps)`,
        reproduce: `ftcheck mutate --only ${mutant.id}`,
      },
    };
  } catch (error) {
    if (!isModelAssertion(error)) return { crash: `explore: ${messageOf(error)}` };
    return {
      kill: {
        detector: 'explore',
        invariant: 'I0',
        property: 'model assertion',
        message: `the abstract environment refused the mutant: ${messageOf(error)}`,
        reproduce: `ftcheck mutate --only ${mutant.id}`,
      },
    };
  }
}

function fuzzMutant(mutant: ModelMutant, options: ModelMutationOptions): Detection {
  let result: CampaignResult;
  try {
    result = options.fuzz({ bug: mutant.id, seed: options.seed, runs: options.runs });
  } catch (error) {
    return { crash: `fuzz: ${messageOf(error)}` };
  }
  if (!result.found) return null;
  const v = result.violation;
  return {
    kill: {
      detector: 'fuzz',
      invariant: v.invariant as InvariantId,
      property: v.invariant,
      message: `${v.message} (run ${result.runsToFailure} of ${options.runs})`,
      reproduce:
        result.tracePath === null
          ? `ftcheck fuzz --runs ${options.runs} --seed ${options.seed} --bug ${mutant.id}`
          : (options.replayCommand?.(result.tracePath) ?? `ftcheck replay ${result.tracePath}`),
    },
  };
}

/** Runs one mutant through every detector that is needed to decide it. */
export function runModelMutant(mutant: ModelMutant, options: ModelMutationOptions): ModelMutantResult {
  const machine = mutant.build();
  const changes = behaviourChanges(
    PROTOCOL_MACHINES[mutant.machine],
    machine,
    EQUIVALENCE_ALPHABETS[mutant.machine],
    EQUIVALENCE_OBSERVATIONS[mutant.machine],
  );
  const base = {
    level: 'model' as const,
    id: mutant.id,
    machine: mutant.machine,
    operator: mutant.operator,
    location: `models/${mutant.machine === 'agent' ? 'agent' : 'haService'}.ts ${mutant.location}`,
    diff: mutant.diff,
    changes,
    fuzzRuns: 0,
  };
  if (changes.length === 0) return { ...base, status: 'equivalent' };
  const explored = exploreMutant(machine, mutant, options.hosts);
  if (explored !== null && 'crash' in explored) return { ...base, status: 'crashed', crash: explored.crash };
  if (explored !== null && !options.everyDetector) return { ...base, status: 'killed', kill: explored.kill };
  if (options.runs === 0)
    return explored ? { ...base, status: 'killed', kill: explored.kill } : { ...base, status: 'survived' };
  const fuzzed = fuzzMutant(mutant, options);
  const withRuns = { ...base, fuzzRuns: options.runs };
  if (fuzzed !== null && 'crash' in fuzzed) return { ...withRuns, status: 'crashed', crash: fuzzed.crash };
  const kill = explored?.kill ?? fuzzed?.kill;
  return kill === undefined ? { ...withRuns, status: 'survived' } : { ...withRuns, status: 'killed', kill };
}

/** Runs every mutant in order; `onMutant` sees each result as it is decided (progress, logs). */
export function runModelMutants(
  mutants: readonly ModelMutant[],
  options: ModelMutationOptions,
  onMutant?: (result: ModelMutantResult, index: number) => void,
): ModelMutantResult[] {
  return mutants.map((mutant, index) => {
    const result = runModelMutant(mutant, options);
    onMutant?.(result, index);
    return result;
  });
}
