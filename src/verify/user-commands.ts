/** `--run "<command>"` checks: shell commands run with DATABASE_URL set to the branch; exit 0 passes. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { redactSecrets, UsageError } from '../errors.js';

export interface CommandResult {
  command: string;
  passed: boolean;
  exitCode: number;
  /** The last lines of its combined output, secrets redacted. */
  outputTail: string;
}

// Shell builtins and keywords that are never found on PATH but always exist.
const SHELL_BUILTINS = new Set([
  'cd',
  'echo',
  'exit',
  'export',
  'false',
  'test',
  'true',
  '[',
  'printf',
  'set',
  'if',
  'for',
  'while',
  'command',
  'type',
  'exec',
  'eval',
  ':',
  '.',
  'source',
  'env',
]);

/** The program a shell command line starts with (skipping leading VAR=value assignments). */
function programOf(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  return words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))?.replace(/^["']|["']$/g, '');
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Refuse (exit 2) before anything runs when a command's program cannot be found. */
export function assertCommandsExist(commands: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  for (const command of commands) {
    const program = programOf(command);
    if (!program)
      throw new UsageError('--run was given an empty command', {
        hint: 'pass a shell command, e.g. --run "npm test"',
        code: 'RUN_COMMAND_NOT_FOUND',
      });
    if (SHELL_BUILTINS.has(program)) continue;
    const found = program.includes('/')
      ? isExecutable(path.resolve(cwd, program))
      : (env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, program)));
    if (!found) {
      throw new UsageError(`--run command not found: "${program}" (in "${command}")`, {
        hint: 'install it or fix the command; it runs in a shell with DATABASE_URL set to the branch',
        code: 'RUN_COMMAND_NOT_FOUND',
      });
    }
  }
}

/** Remove the branch password itself (raw and URL-decoded) from a command's output: a program may print it outside a URI. */
export function scrubPassword(text: string, databaseUrl: string): string {
  let password = '';
  try {
    password = new URL(databaseUrl).password;
  } catch {
    return text;
  }
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: only the raw form can appear.
  }
  return [password, decoded].filter(Boolean).reduce((t, secret) => t.split(secret).join('****'), text);
}

/** Run each command in a shell with DATABASE_URL set; a non-zero exit fails the check. */
export async function runUserCommands(
  commands: string[],
  databaseUrl: string,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const command of commands) {
    const child = await execa(command, {
      shell: true,
      cwd,
      env: { ...env, DATABASE_URL: databaseUrl },
      reject: false,
      all: true,
      timeout: 15 * 60_000,
    });
    const tail = String(child.all ?? '')
      .split('\n')
      .slice(-20)
      .join('\n');
    const exitCode = child.exitCode ?? 1;
    results.push({
      command,
      passed: exitCode === 0,
      exitCode,
      outputTail: redactSecrets(scrubPassword(tail, databaseUrl)),
    });
  }
  return results;
}
