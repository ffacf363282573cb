/** The CLI entry: builds the commander program from one module per command. */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../errors.js';
import { registerCommands } from './commands.js';

/** Build the program (exported for tests and docs). */
export function buildProgram(): Command {
  const program = new Command('neon-migrate')
    .description('Postgres migrations on Neon that cannot lose data')
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .option('-y, --yes', 'answer yes to confirmations (required when stdin is not a TTY)')
    .option('--dotenv <file>', 'dotenv file with NEON_API_KEY / NEON_PROJECT_ID (default: .env; alias --env-file)')
    // Node 20 itself reads `--env-file` anywhere on its command line and exits 9 when the file is not
    // in the current folder, before this program runs: --dotenv is the name that always reaches us.
    .addOption(new Option('--env-file <file>', 'alias of --dotenv').hideHelp())
    .option('-C, --cwd <dir>', 'project directory (default: the current directory)')
    .exitOverride()
    // one line per error, like every other error of the CLI: commander's message plus the fix
    .configureOutput({ outputError: (text, write) => write(`${text.trimEnd()} (run with --help for usage)\n`) });
  registerCommands(program);
  return program;
}

/** Run the CLI with argv; resolves to the exit code (the bin sets process.exitCode). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = 0;
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are "errors" to commander, with exit code 0.
      return err.exitCode === 0 ? 0 : ExitCode.usage;
    }
    throw err;
  }
}
