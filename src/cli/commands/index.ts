// Every subcommand, each in its own file, loaded only when it runs: `ftcheck bugs` never pays for
// the model checker, Graphviz or @xstate/graph. `ftcheck --help` loads them all to list them.
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';

export type SetExit = (code: number) => void;
export type CommandRegistrar = (program: Command, io: CliIo, setExit: SetExit) => void;

/** Name → loader, in the order `--help` lists them. `gate` also owns the options of bare `ftcheck`. */
export const COMMANDS: Record<string, () => Promise<CommandRegistrar>> = {
  gate: async () => (await import('./gate.ts')).registerGate,
  merge: async () => (await import('./merge.ts')).registerMerge,
  run: async () => (await import('./run.ts')).registerRun,
  explore: async () => (await import('./explore.ts')).registerExplore,
  bugs: async () => (await import('./bugs.ts')).registerBugs,
  diagram: async () => (await import('./diagram.ts')).registerDiagram,
  fuzz: async () => (await import('./fuzz.ts')).registerFuzz,
  replay: async () => (await import('./replay.ts')).registerReplay,
  mutate: async () => (await import('./mutate.ts')).registerMutate,
};

export const COMMAND_NAMES = Object.keys(COMMANDS);
