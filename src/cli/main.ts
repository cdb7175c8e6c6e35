// The ftcheck command: parses arguments with commander and dispatches to one file per subcommand.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';
import { type CliIo, EXIT_INTERNAL, EXIT_USAGE, processIo, UsageError } from './context.ts';

/** Runs the CLI and resolves to the process exit code (never throws). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('ftcheck')
    .description('Verification suite for record/replay fault-tolerant virtual machines')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)');
  registerCommands(program, io, (code) => {
    exitCode = code;
  });
  try {
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
    io.err(
      `ftcheck: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_INTERNAL;
  }
}
