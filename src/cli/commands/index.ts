// One line per subcommand; each lives in its own file and sets the exit code through `setExit`.
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { registerBugs } from './bugs.ts';
import { registerDiagram } from './diagram.ts';
import { registerExplore } from './explore.ts';
import { registerFuzz } from './fuzz.ts';
import { registerGate } from './gate.ts';
import { registerMerge } from './merge.ts';
import { registerReplay } from './replay.ts';
import { registerRun } from './run.ts';

export type SetExit = (code: number) => void;
export type CommandRegistrar = (program: Command, io: CliIo, setExit: SetExit) => void;

const registrars: CommandRegistrar[] = [
  registerGate,

  registerMerge,
  registerRun,
  registerExplore,
  registerBugs,
  registerDiagram,
  registerFuzz,
  registerReplay,
];

export function registerCommands(program: Command, io: CliIo, setExit: SetExit): void {
  for (const register of registrars) register(program, io, setExit);
}
