// Model mutants, generated from the protocol machines themselves (they are data): every guard
// dropped or negated (and each conjunct of an `and` dropped), every action and emitted command
// dropped, every transition retargeted to every other leaf state or dropped, and every pair of
// events handled by one state swapped. Each mutant is the machine rebuilt from an edited copy of
// `machine.config` with the original `implementations`, so what runs is still xstate's semantics.
import { type AnyStateMachine, and, not } from 'xstate';
import { agentMachine } from '../../../models/agent.ts';
import { haMachine } from '../../../models/haService.ts';
import { assert } from '../../base/assert.ts';
import {
  actionsOf,
  actionText,
  type Candidate,
  candidatesOf,
  candidateText,
  cloneConfig,
  guardText,
  leafStates,
  rebuild,
  resolveTarget,
  type StateConfig,
  stateAt,
  stateName,
  statePaths,
  type TransitionSite,
  transitionSites,
} from './machine-config.ts';

export const MODEL_MUTANT_OPERATORS = [
  'drop-guard',
  'negate-guard',
  'drop-conjunct',
  'drop-action',
  'drop-entry',
  'retarget',
  'drop-transition',
  'swap-events',
] as const;
export type ModelMutantOperator = (typeof MODEL_MUTANT_OPERATORS)[number];

export type ProtocolMachineName = 'agent' | 'ha';

export interface ModelMutant {
  /** Stable, file-name safe: `agent~negate-guard~secondary.engaged~PEER_SILENT.0`. */
  id: string;
  machine: ProtocolMachineName;
  operator: ModelMutantOperator;
  /** Where in the machine: `secondary.engaged PEER_SILENT.0`. */
  location: string;
  /** Unified-diff style lines of the machine's definition: ' ' context, '-' before, '+' after. */
  diff: string;
  /** The mutated machine (built on demand). */
  build(): AnyStateMachine;
}

export const PROTOCOL_MACHINES: Record<ProtocolMachineName, AnyStateMachine> = {
  agent: agentMachine,
  ha: haMachine,
};

type Edit = (config: StateConfig) => void;

interface Draft {
  operator: ModelMutantOperator;
  idParts: string[];
  location: string;
  /** The state whose definition changes (for the diff's context line). */
  state: string[];
  edit: Edit;
  /** The diff's body for the state: before and after lines. */
  before: string[];
  after: (mutated: StateConfig) => string[];
}

const siteKey = (s: { event: string; index: number }) => `${s.event}.${s.index}`;
const idState = (path: readonly string[]) => (path.length === 0 ? 'root' : path.join('.'));

/** Replaces candidate `index` of `on[event]` on `state` (normalising the list to objects). */
function editCandidate(
  config: StateConfig,
  site: TransitionSite,
  change: (c: Candidate) => Candidate | null,
) {
  const node = stateAt(config, site.state);
  const list = candidatesOf(node.on![site.event]).map((c) => ({ ...c }));
  const changed = change(list[site.index]!);
  if (changed === null) list.splice(site.index, 1);
  else list[site.index] = changed;
  if (list.length === 0) delete node.on![site.event];
  else node.on![site.event] = list;
}

function siteLine(config: StateConfig, site: TransitionSite): string {
  return candidateText(config, site);
}

function mutatedSiteLines(config: StateConfig, site: TransitionSite): string[] {
  const node = stateAt(config, site.state);
  const value = node.on?.[site.event];
  if (value === undefined) return [];
  const list = candidatesOf(value);
  return site.index < list.length ? [candidateText(config, { ...site, candidate: list[site.index]! })] : [];
}

function siteDraft(
  root: StateConfig,
  site: TransitionSite,
  operator: ModelMutantOperator,
  extra: string[],
  change: (c: Candidate) => Candidate | null,
): Draft {
  return {
    operator,
    idParts: [operator, idState(site.state), siteKey(site), ...extra],
    location: `${stateName(site.state)} ${siteKey(site)}`,
    state: site.state,
    edit: (config) => editCandidate(config, site, change),
    before: [siteLine(root, site)],
    after: (mutated) => (change === dropCandidate ? [] : mutatedSiteLines(mutated, site)),
  };
}

const dropCandidate = () => null;

function guardDrafts(root: StateConfig, site: TransitionSite): Draft[] {
  const guard = site.candidate.guard;
  if (guard === undefined) return [];
  const drafts = [
    siteDraft(root, site, 'drop-guard', [], ({ guard: _, ...rest }) => rest),
    siteDraft(root, site, 'negate-guard', [], (c) => ({ ...c, guard: not(guard as never) })),
  ];
  const inner = (guard as { name?: string; guards?: unknown[] }).guards;
  if (typeof guard === 'function' && guard.name === 'and' && inner && inner.length >= 2) {
    inner.forEach((conjunct, i) => {
      const rest = inner.filter((_, j) => j !== i);
      const replaced = rest.length === 1 ? rest[0] : and(rest as never);
      drafts.push(
        siteDraft(root, site, 'drop-conjunct', [guardText(conjunct)], (c) => ({ ...c, guard: replaced })),
      );
    });
  }
  return drafts;
}

function actionDrafts(root: StateConfig, site: TransitionSite): Draft[] {
  const actions = actionsOf(site.candidate.actions);
  return actions.map((action, i) =>
    siteDraft(root, site, 'drop-action', [actionText(action).replace(/\W+/g, '')], (c) => {
      const rest = actions.filter((_, j) => j !== i);
      const { actions: _, ...without } = c;
      return rest.length === 0 ? without : { ...without, actions: rest.length === 1 ? rest[0] : rest };
    }),
  );
}

function retargetDrafts(root: StateConfig, site: TransitionSite, leaves: string[]): Draft[] {
  const current = resolveTarget(root, site.state, site.candidate);
  const here = site.state.join('.');
  const rootId = root.id;
  assert(rootId !== undefined, 'a mutated machine needs an id');
  return (
    leaves
      // A targetless candidate stays in its state: moving it anywhere inside that state is no change.
      .filter((leaf) => leaf !== current && (current !== null || !`${leaf}.`.startsWith(`${here}.`)))
      .map((leaf) =>
        siteDraft(root, site, 'retarget', [leaf], (c) => ({ ...c, target: `#${rootId}.${leaf}` })),
      )
  );
}

function entryDrafts(root: StateConfig): Draft[] {
  const drafts: Draft[] = [];
  for (const path of statePaths(root)) {
    const entry = actionsOf(stateAt(root, path).entry);
    entry.forEach((action, i) => {
      const text = actionText(action);
      drafts.push({
        operator: 'drop-entry',
        idParts: ['drop-entry', idState(path), text.replace(/\W+/g, '')],
        location: `${stateName(path)} entry`,
        state: path,
        edit: (config) => {
          const node = stateAt(config, path);
          const rest = entry.filter((_, j) => j !== i);
          if (rest.length === 0) delete node.entry;
          else node.entry = rest;
        },
        before: [`entry: ${entry.map(actionText).join(', ')}`],
        after: () => {
          const rest = entry.filter((_, j) => j !== i);
          return rest.length === 0 ? [] : [`entry: ${rest.map(actionText).join(', ')}`];
        },
      });
    });
  }
  return drafts;
}

function swapDrafts(root: StateConfig): Draft[] {
  const drafts: Draft[] = [];
  for (const path of statePaths(root)) {
    const on = stateAt(root, path).on ?? {};
    const events = Object.keys(on);
    const lines = (config: StateConfig, shown: string[]) =>
      shown.flatMap((event) =>
        candidatesOf(stateAt(config, path).on?.[event]).map((candidate) =>
          candidateText(config, { state: path, event, candidate }),
        ),
      );
    for (let a = 0; a < events.length; a++) {
      for (let b = a + 1; b < events.length; b++) {
        const [first, second] = [events[a]!, events[b]!];
        drafts.push({
          operator: 'swap-events',
          idParts: ['swap-events', idState(path), first, second],
          location: `${stateName(path)} ${first}⇄${second}`,
          state: path,
          edit: (config) => {
            const node = stateAt(config, path).on!;
            [node[first], node[second]] = [node[second], node[first]];
          },
          before: lines(root, [first, second]),
          after: (mutated) => lines(mutated, [first, second]),
        });
      }
    }
  }
  return drafts;
}

function draftsOf(root: StateConfig): Draft[] {
  const leaves = leafStates(root);
  const sites = transitionSites(root);
  return [
    ...sites.flatMap((site) => guardDrafts(root, site)),
    ...sites.flatMap((site) => actionDrafts(root, site)),
    ...entryDrafts(root),
    ...sites.flatMap((site) => retargetDrafts(root, site, leaves)),
    ...sites.map((site) => siteDraft(root, site, 'drop-transition', [], dropCandidate)),
    ...swapDrafts(root),
  ];
}

function diffOf(draft: Draft, mutated: StateConfig): string {
  const after = draft.after(mutated);
  return [
    `  ${stateName(draft.state)}:`,
    ...draft.before.map((l) => `-   ${l}`),
    ...after.map((l) => `+   ${l}`),
  ].join('\n');
}

function toMutant(name: ProtocolMachineName, machine: AnyStateMachine, draft: Draft): ModelMutant {
  const mutatedConfig = () => {
    const config = cloneConfig(machine.config as StateConfig);
    draft.edit(config);
    return config;
  };
  const mutated = mutatedConfig();
  return {
    id: [name, ...draft.idParts].join('~'),
    machine: name,
    operator: draft.operator,
    location: draft.location,
    diff: diffOf(draft, mutated),
    build: () => rebuild(machine, mutatedConfig()),
  };
}

/** Every mutant of one protocol machine, in a stable order (operator groups, document order). */
export function mutantsOf(name: ProtocolMachineName, machine = PROTOCOL_MACHINES[name]): ModelMutant[] {
  const root = machine.config as StateConfig;
  const mutants = draftsOf(root).map((draft) => toMutant(name, machine, draft));
  const ids = new Set(mutants.map((m) => m.id));
  assert(ids.size === mutants.length, `mutant ids of ${name} are unique`);
  return mutants;
}

let all: ModelMutant[] | null = null;

/** Every model mutant of the agent and the HA service. */
export function modelMutants(): ModelMutant[] {
  all ??= [...mutantsOf('agent'), ...mutantsOf('ha')];
  return all;
}

export function findModelMutant(id: string): ModelMutant | undefined {
  return modelMutants().find((m) => m.id === id);
}

/** Run options that make the cluster's agents (or HA service) run the mutant. */
export function mutantMachines(mutant: ModelMutant): {
  agentMachine?: AnyStateMachine;
  haMachine?: AnyStateMachine;
} {
  return mutant.machine === 'agent' ? { agentMachine: mutant.build() } : { haMachine: mutant.build() };
}
