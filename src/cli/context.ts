/** What every command gets: global flags, the project dir, settings, env, and a lazily opened platform. */
import { stdin } from 'node:process';
import type { Command } from 'commander';
import type { Settings } from '../config/schema.js';
import { notConfirmed, UsageError } from '../errors.js';
import type { Platform } from '../platform/types.js';
import { type CommandOutput, log, printError, printOutput } from './output.js';

export interface GlobalOptions {
  json?: boolean;
  yes?: boolean;
  envFile?: string;
  /** `--dotenv`, the name Node never intercepts; wins over `--env-file`. */
  dotenv?: string;
  cwd?: string;
}

export interface CliContext {
  projectDir: string;
  options: GlobalOptions;
  env: NodeJS.ProcessEnv;
  settings: Settings;
  /** Opens the platform on first use (local engine or Neon, from env). */
  platform(): Promise<Platform>;
  /**
   * Ask for confirmation: `--yes` answers, a non-TTY without `--yes` is a usage error (exit 2), and an
   * explicit "no" throws NOT_CONFIRMED (exit 3, "not approved"), the same for every command.
   */
  confirm(question: string): Promise<boolean>;
}

/**
 * Build the context from the root command's global options. Config, platform and seeding modules
 * are imported here, not at the top: `--help` must not pay for zod, drivers or the engine.
 */
export async function createContext(options: GlobalOptions): Promise<CliContext & { dispose(): Promise<void> }> {
  const projectDir = options.cwd ? options.cwd : process.cwd();
  const [{ loadEnv }, { loadSettings }] = await Promise.all([
    import('../config/dotenv.js'),
    import('../config/load.js'),
  ]);
  const env = loadEnv(projectDir, options.dotenv ?? options.envFile);
  const settings = loadSettings(projectDir);
  let platform: Promise<Platform> | undefined;
  const openAndSeed = async (): Promise<Platform> => {
    const { openProjectPlatform } = await import('../workflow/seed.js');
    return openProjectPlatform({ projectDir, env, settings, log });
  };
  return {
    projectDir,
    options,
    env,
    settings,
    // A new local project gets its demo data (settings `local.seed`) whatever the first command is.
    platform: () => (platform ??= openAndSeed()),
    confirm: async (question) => {
      if (options.yes) return true;
      if (!stdin.isTTY) {
        throw new UsageError(`confirmation needed: ${question}`, {
          hint: 'pass --yes to confirm in a non-interactive session',
          code: 'CONFIRMATION_REQUIRED',
        });
      }
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: stdin, output: process.stderr });
      try {
        // End of input (Ctrl-D) before an answer is a no, like an empty answer.
        const answer = await rl.question(`${question} [y/N] `).catch(() => '');
        if (!/^y(es)?$/i.test(answer.trim())) throw notConfirmed(question.replace(/\?$/, ''));
        return true;
      } finally {
        rl.close();
      }
    },
    dispose: async () => {
      if (platform) await (await platform).close();
    },
  };
}

/** Wrap a command action: build the context, run, print, and set the exit code. Never throws. */
export function action<A extends unknown[]>(
  fn: (ctx: CliContext, ...args: A) => Promise<CommandOutput>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes (...positionals, options, command); the root's options are the globals.
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    let code: number;
    let ctx: Awaited<ReturnType<typeof createContext>> | undefined;
    try {
      ctx = await createContext(globals);
      code = printOutput(await fn(ctx, ...args), Boolean(globals.json));
    } catch (err) {
      code = printError(err, Boolean(globals.json));
    } finally {
      if (ctx) await ctx.dispose().catch(() => undefined);
    }
    process.exitCode = code;
  };
}
