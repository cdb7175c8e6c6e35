// The ftcheck command: parses arguments with commander and dispatches to one file per subcommand,
// loading only the subcommand that runs (bare `ftcheck` and options first are the gate).
import { Command, CommanderError } from 'commander';
import { toolVersion } from '../base/package-root.ts';
import { similarNames } from '../base/suggest.ts';
import { COMMAND_NAMES, COMMANDS } from './commands/index.ts';
import {
  type CliIo,
  EXIT_INTERNAL,
  EXIT_USAGE,
  fsReason,
  isFsError,
  processIo,
  UsageError,
} from './context.ts';

/** Which subcommands to load for these arguments, or a usage error for an unknown command. */
function commandsFor(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first === '--help' || first === '-h') return COMMAND_NAMES;
  if (first === undefined || first.startsWith('-')) return ['gate'];
  if (first === 'help') return argv[1] !== undefined && COMMANDS[argv[1]] ? [argv[1]] : COMMAND_NAMES;
  if (COMMANDS[first]) return [first];
  const similar = similarNames(first, COMMAND_NAMES);
  const hint = similar.length > 0 ? ` (did you mean ${similar.map((s) => `'${s}'`).join(' or ')}?)` : '';
  throw new UsageError(
    `unknown command '${first}'${hint}\ncommands: ${COMMAND_NAMES.join(', ')} (ftcheck --help for usage)`,
  );
}

/** Runs the CLI and resolves to the process exit code (never throws). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('ftcheck')
    .description('Verification suite for record/replay fault-tolerant virtual machines')
    .version(toolVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)');
  try {
    for (const name of commandsFor(argv)) {
      const register = await COMMANDS[name]!();
      register(program, io, (code) => {
        exitCode = code;
      });
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.err(`ftcheck: ${error.message}`);
      return EXIT_USAGE;
    }
    if (isFsError(error)) {
      // A path the user gave that cannot be read or written: their input, not ftcheck's fault.
      io.err(`ftcheck: cannot ${error.syscall} '${error.path}' (${fsReason(error)})`);
      return EXIT_USAGE;
    }
    io.err(
      `ftcheck: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_INTERNAL;
  }
}
