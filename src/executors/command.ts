/**
 * The `command` executor: a user-given command applies the migrations (`up`), optionally reverts them
 * (`down`) and prints the current revision (`status`), run with DATABASE_URL (and PGOPTIONS) set
 * to the branch. Its SQL is not ours to parse: it is one unit, always pending (a tool's `up`
 * applies what is pending and nothing else), fingerprinted by the files it names. The one-off
 * form (`test -- <command and args>`) is the same executor with an argv and no shell.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandOptions } from '../config/runner-schema.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { hashFiles, matchFiles, sha256Hex } from './files-hash.js';
import { locateTool } from './locate.js';
import { branchEnv, durationMs, endToolSessions, runTool, type ToolOutcome, uriSecrets } from './tool-process.js';
import type {
  Executor,
  ExecutorFingerprint,
  ExecutorLimits,
  ExecutorRunResult,
  ExecutorState,
  ExecutorTarget,
  ExecutorUnit,
} from './types.js';
import { failureLine, unitResults } from './unit-results.js';

/** A command: a shell command line, or an executable and its arguments (no shell). */
export type CommandLine = string | string[];

/** What the command executor runs. */
export interface CommandSpec {
  up: CommandLine;
  down?: CommandLine;
  status?: CommandLine;
  /** Globs of the files that define the migrations (the fingerprint). */
  files: string[];
  /** Kill an invocation after this long (a duration setting, "30min"). */
  timeout?: string;
}

/** The spec of the one-off form `neon-migrate test --branch dev -- <command and args>`. */
export function oneOffCommand(argv: string[], timeout?: string): CommandSpec {
  if (!argv.length || !argv[0])
    throw new UsageError('no command after `--`', {
      hint: 'e.g. neon-migrate test --branch dev -- npx prisma migrate deploy',
    });
  return { up: argv, files: [], ...(timeout ? { timeout } : {}) };
}

/** The spec of the `runner: { "command": {...} }` setting. */
export function commandSpecFromSettings(options: CommandOptions): CommandSpec {
  return { ...options };
}

/** A command line as shown in reports. */
export function displayCommand(line: CommandLine): string {
  return typeof line === 'string'
    ? line
    : line.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Shell words that are not executables to look for. */
const SHELL_WORDS = new Set([
  'cd',
  'export',
  'set',
  '.',
  'source',
  'exec',
  'env',
  'true',
  'false',
  'test',
  '[',
  'echo',
  'if',
  'for',
  'while',
  'sh',
  'bash',
  '(',
  '{',
  'eval',
  'printf',
  'exit',
  'sleep',
]);

/** The executor for any command (see the file comment). */
export class CommandExecutor implements Executor {
  readonly kind = 'command' as const;
  readonly limits: ExecutorLimits;

  constructor(
    private readonly projectDir: string,
    private readonly spec: CommandSpec,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.limits = {
      ...(spec.down
        ? {}
        : { down: 'the command runner has no "down" command (runner.command.down in neon-migrate.json)' }),
      offlineSql: 'a command runner cannot print its SQL without running it',
    };
  }

  /** PATH with the project's node_modules/.bin and .venv/bin first, as `npm run` would. */
  private toolEnv(): NodeJS.ProcessEnv {
    const dirs = ['node_modules/.bin', '.venv/bin']
      .map((d) => path.join(this.projectDir, d))
      .filter((d) => existsSync(d));
    return { ...this.env, PATH: [...dirs, this.env.PATH ?? ''].filter(Boolean).join(path.delimiter) };
  }

  /** The executable a command starts with, when it can be told without running a shell. */
  private executableOf(line: CommandLine): string | undefined {
    if (Array.isArray(line)) return line[0];
    const first = line.trim().split(/\s+/)[0] ?? '';
    if (!first || first.includes('=') || SHELL_WORDS.has(first) || /[$`'"(){};&|<>]/.test(first)) return undefined;
    return first;
  }

  async prepare(): Promise<void> {
    for (const [key, line] of Object.entries({ up: this.spec.up, down: this.spec.down, status: this.spec.status })) {
      if (!line) continue;
      const exe = this.executableOf(line);
      if (exe && !locateTool(exe, this.projectDir, this.toolEnv(), { configured: exe, nodeModules: true })) {
        throw new UsageError(`${exe} (the runner's ${key} command) not found in the project or on PATH`, {
          hint: 'install it, or fix the command in neon-migrate.json',
          code: 'TOOL_MISSING',
        });
      }
    }
    for (const glob of this.spec.files) {
      if (!matchFiles(this.projectDir, [glob]).length) {
        throw new MigrationFileError(`runner.command.files: "${glob}" matches no file`, {
          hint: 'fix the glob (relative to the project, ** for any folders)',
          code: 'RUNNER_FILES',
        });
      }
    }
  }

  private async run(line: CommandLine, target: ExecutorTarget, stream: boolean): Promise<ToolOutcome> {
    const shell = typeof line === 'string';
    const out = await runTool({
      display: displayCommand(line),
      file: shell ? line : line[0]!,
      args: shell ? [] : line.slice(1),
      shell,
      cwd: this.projectDir,
      env: this.toolEnv(),
      extraEnv: branchEnv(target),
      prefix: 'command',
      ...(stream && target.log ? { log: target.log } : {}),
      timeoutMs: durationMs(this.spec.timeout),
      secrets: uriSecrets(target.uri),
    });
    if (out.notFound)
      throw new UsageError(`${displayCommand(line)}: cannot be started`, {
        hint: 'install it, or fix the command',
        code: 'TOOL_MISSING',
      });
    if (out.invocation.timedOut) await endToolSessions(target);
    return out;
  }

  /** The last line `status` prints, or null without a status command (or when it fails). */
  private async status(target: ExecutorTarget): Promise<string | null> {
    if (!this.spec.status) return null;
    const out = await this.run(this.spec.status, target, false);
    if (out.invocation.exitCode !== 0) return null;
    return (
      out.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .at(-1) ?? null
    );
  }

  private async unit(): Promise<ExecutorUnit> {
    const { hash } = await this.fingerprint();
    return {
      version: `command-${hash.slice(0, 12)}`,
      name: displayCommand(this.spec.up),
      checksum: hash,
      downChecksum: this.spec.down ? sha256Hex(displayCommand(this.spec.down)) : null,
      reversible: Boolean(this.spec.down),
    };
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    return { current: await this.status(target), applied: [], pending: [await this.unit()] };
  }

  private async invoke(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
  ): Promise<ExecutorRunResult> {
    const line = direction === 'up' ? this.spec.up : this.spec.down!;
    const before = await this.status(target);
    const out = await this.run(line, target, true);
    const ok = out.invocation.exitCode === 0 && !out.invocation.timedOut;
    const after = await this.status(target);
    return unitResults({
      units,
      direction,
      starts: new Map(units.map((u) => [u.version, 0])),
      done: new Set(ok ? units.map((u) => u.version) : []),
      invocation: out.invocation,
      // What the command does inside is unknown: it may commit as it goes.
      transactional: false,
      revisionBefore: before,
      revisionAfter: after,
    });
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    return this.invoke(target, 'up', units);
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    if (!this.spec.down)
      throw new UsageError(this.limits.down!, {
        hint: 'add a down command, or restore the checkpoint instead',
        code: 'RUNNER_NO_DOWN',
      });
    return this.invoke(target, 'down', units);
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const files = matchFiles(this.projectDir, this.spec.files);
    const commands = { up: displayCommand(this.spec.up), down: this.spec.down ? displayCommand(this.spec.down) : null };
    return { hash: hashFiles(this.projectDir, files, commands), head: null };
  }
}

/** Why a tool failed, one line (re-exported for the one-off form's messages). */
export { failureLine };
