/**
 * The sqitch executor: drives `sqitch` (PATH, or `runner.sqitch.bin`) with the target `db:pg:` and
 * the libpq variables (PGHOST, PGUSER, PGPASSWORD...) pointing at the branch, so no password is on
 * a command line; DATABASE_URL is set too. The changes are the plan's (`sqitch.plan`), their scripts
 * `deploy/`, `revert/`, `verify/`; the history is sqitch's registry (`sqitch.changes`), read on the
 * run session. `sqitch deploy [--to <change>]` applies, `sqitch revert -y [--to <change>]` reverts.
 *
 * Timeouts: sqitch runs the scripts with psql and keeps its registry through DBD::Pg, both libpq,
 * which applies PGOPTIONS: lock_timeout and statement_timeout reach every statement that way.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SqitchOptions } from '../config/runner-schema.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { hashFiles, sha256Hex } from './files-hash.js';
import { locateTool, onPath } from './locate.js';
import {
  branchEnv,
  durationMs,
  endToolSessions,
  runBranchTool,
  type runTool,
  type ToolOutcome,
} from './tool-process.js';
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

export const SQITCH_INSTALL_HINT = 'install it: apt-get install sqitch libdbd-pg-perl (or see sqitch.org/download)';

/** The changes of a sqitch plan, in order, and its project name. */
export function parsePlan(text: string, file = 'sqitch.plan'): { project: string | null; changes: string[] } {
  let project: string | null = null;
  const changes: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    if (line.startsWith('%')) {
      project = /^%project=(\S+)/.exec(line)?.[1] ?? project;
      continue;
    }
    const name = /^[+-]?([^\s[@]+)/.exec(line)?.[1];
    if (!name) continue;
    if (changes.includes(name)) {
      throw new MigrationFileError(`${file}: change "${name}" is reworked; reworked changes are not supported`, {
        hint: 'wrap this project with the command runner: { "command": { "up": "sqitch deploy", ... } }',
        code: 'RUNNER_FILES',
      });
    }
    changes.push(name);
  }
  return { project, changes };
}

/** The database error in sqitch's output (psql's `ERROR:` line), else the usual failure line. */
export function sqitchFailure(output: string): string {
  const errors = [...output.matchAll(/^(?:psql:(\S+?):? )?ERROR:\s+(.+)$/gm)];
  const last = errors.at(-1);
  if (!last) return failureLine(output);
  return last[1] ? `${last[2]!.trim()} (${last[1].replace(/:$/, '')})` : last[2]!.trim();
}

/** Statements other than comments and BEGIN/COMMIT: a revert script that does something. */
function hasStatements(text: string): boolean {
  return (
    text
      .replace(/--[^\n]*/g, '')
      .replace(/\b(BEGIN|COMMIT)\s*;/gi, '')
      .trim().length > 0
  );
}

/** The sqitch adapter (see the file comment). */
export class SqitchExecutor implements Executor {
  readonly kind = 'sqitch' as const;
  readonly limits: ExecutorLimits = {};

  constructor(
    private readonly projectDir: string,
    private readonly options: SqitchOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** sqitch's registry tables (see Executor.historyTables). */
  get historyTables(): string[] {
    return ['changes', 'tags', 'dependencies', 'events', 'projects', 'releases'].map(
      (t) => `${this.options.registry}.${t}`,
    );
  }

  private bin(): string {
    const bin = locateTool('sqitch', this.projectDir, this.env, { configured: this.options.bin });
    if (!bin) throw new UsageError('sqitch not found on PATH', { hint: SQITCH_INSTALL_HINT, code: 'TOOL_MISSING' });
    return bin;
  }

  private async sqitch(
    args: string[],
    target: ExecutorTarget | undefined,
    onLine?: Parameters<typeof runTool>[0]['onLine'],
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    return runBranchTool({
      tool: 'sqitch',
      bin,
      args,
      cwd: path.resolve(this.projectDir, this.options.topDir),
      env: this.env,
      // `db:pg:` leaves host, user, password and database to libpq's variables.
      extraEnv: target ? { ...branchEnv(target), SQITCH_TARGET: 'db:pg:' } : {},
      ...(target ? { target } : {}),
      ...(onLine ? { onLine, timeoutMs: durationMs(this.options.timeout) } : {}),
      installHint: SQITCH_INSTALL_HINT,
    });
  }

  private rel(...parts: string[]): string {
    return path.posix.join(this.options.topDir, ...parts);
  }

  async prepare(): Promise<void> {
    if (!existsSync(path.resolve(this.projectDir, this.rel('sqitch.plan')))) {
      throw new MigrationFileError(`${this.rel('sqitch.plan')} not found`, {
        hint: 'set runner.sqitch.topDir to the folder with sqitch.plan',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    this.units();
    const out = await this.sqitch(['--version'], undefined);
    if (out.invocation.exitCode !== 0) {
      throw new UsageError(`sqitch does not start: ${failureLine(out.invocation.output)}`, {
        hint: SQITCH_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
    }
    if (!onPath('psql', this.env)) {
      throw new UsageError('sqitch runs its scripts with psql, which is not on PATH', {
        hint: 'install the PostgreSQL client: apt-get install postgresql-client',
        code: 'TOOL_MISSING',
      });
    }
  }

  private plan(): { project: string | null; changes: string[] } {
    const file = this.rel('sqitch.plan');
    return parsePlan(readFileSync(path.resolve(this.projectDir, file), 'utf8'), file);
  }

  /** The plan's changes with their scripts; a missing deploy script is a file error. */
  private units(): ExecutorUnit[] {
    return this.plan().changes.map((change) => {
      const file = this.rel('deploy', `${change}.sql`);
      const downFile = this.rel('revert', `${change}.sql`);
      if (!existsSync(path.resolve(this.projectDir, file))) {
        throw new MigrationFileError(`${file} not found (change ${change} of the plan)`, {
          hint: `add it, or remove ${change} from the plan`,
          code: 'RUNNER_FILES',
        });
      }
      const down = existsSync(path.resolve(this.projectDir, downFile))
        ? readFileSync(path.resolve(this.projectDir, downFile), 'utf8')
        : null;
      return {
        version: change,
        name: change,
        checksum: sha256Hex(readFileSync(path.resolve(this.projectDir, file), 'utf8')),
        downChecksum: down === null ? null : sha256Hex(down),
        reversible: down !== null && hasStatements(down),
        file,
        ...(down === null ? {} : { downFile }),
      };
    });
  }

  /** Deployed changes of this project in sqitch's registry; [] before sqitch's first deploy. */
  private async deployed(target: ExecutorTarget): Promise<string[]> {
    const table = `${this.options.registry}.changes`;
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [table]);
    if (!exists.rows[0]?.t) return [];
    const rows = await target.db.query<{ change: string }>(
      `SELECT change FROM ${table} WHERE project = $1 ORDER BY committed_at, change_id`,
      [this.plan().project ?? ''],
    );
    return rows.rows.map((r) => r.change);
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const units = this.units();
    const deployed = new Set(await this.deployed(target));
    const unknown = [...deployed].filter((c) => !units.some((u) => u.version === c));
    if (unknown.length) {
      throw new MigrationFileError(
        `branch ${target.branch} has sqitch changes that are not in ${this.rel('sqitch.plan')}: ${unknown.join(', ')}`,
        { hint: 'check out the code that matches the branch', code: 'RUNNER_UNKNOWN_REVISION' },
      );
    }
    const applied = units.filter((u) => deployed.has(u.version));
    return {
      current: applied.at(-1)?.version ?? null,
      applied,
      pending: units.filter((u) => !deployed.has(u.version)),
    };
  }

  private async invoke(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
    args: string[],
  ): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    const before = await this.deployed(target);
    const starts = new Map<string, number>();
    const out = await this.sqitch(args, target, (line) => {
      // `  + change .. ok` (deploy), `  - change .. ok` (revert).
      const m = /^\s*([+-]) (\S+?) \.+/.exec(line.text);
      if (m && (m[1] === '+') === (direction === 'up')) starts.set(m[2]!, line.atMs);
    });
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = new Set(await this.deployed(target));
    const result = unitResults({
      units,
      direction,
      starts,
      done: new Set(
        units.filter((u) => (direction === 'up' ? after.has(u.version) : !after.has(u.version))).map((u) => u.version),
      ),
      invocation: out.invocation,
      // Each script says for itself (BEGIN/COMMIT in sqitch's templates): it may commit as it goes.
      transactional: false,
      revisionBefore: before.at(-1) ?? null,
      revisionAfter:
        this.units()
          .filter((u) => after.has(u.version))
          .at(-1)?.version ?? null,
    });
    if (out.invocation.exitCode !== 0) {
      const why = sqitchFailure(out.invocation.output);
      result.results = result.results.map((r) => (r.error ? { ...r, error: { ...r.error, message: why } } : r));
    }
    return result;
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    const { pending } = await this.state(target);
    if (units.some((u, i) => u.version !== pending[i]?.version)) {
      throw new UsageError('sqitch deploys the plan in order: the selection must start at the first pending change', {
        hint: 'drop --to/--steps, or pick a change from the pending list',
        code: 'RUNNER_NO_TARGET',
      });
    }
    const all = units.length === pending.length;
    return this.invoke(target, 'up', units, all ? ['deploy'] : ['deploy', '--to', units.at(-1)!.version]);
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    const { applied } = await this.state(target);
    // Revert to the change before the oldest one asked for (none before it: revert everything).
    const oldest = units.at(-1)!;
    const at = applied.findIndex((u) => u.version === oldest.version);
    if (at < 0)
      throw new UsageError(`sqitch change ${oldest.version} is not deployed on ${target.branch}`, {
        hint: 'run `neon-migrate status` to see what is deployed',
        code: 'NOT_APPLIED',
      });
    const to = at > 0 ? applied[at - 1]!.version : undefined;
    return this.invoke(target, 'down', units, ['revert', '-y', ...(to ? ['--to', to] : [])]);
  }

  /** The deploy (or revert) scripts of `units`, as psql would run them. */
  async renderSql(units: ExecutorUnit[], direction: 'up' | 'down'): Promise<string> {
    return units
      .map((u) => {
        const file = direction === 'up' ? u.file! : this.rel('revert', `${u.version}.sql`);
        const abs = path.resolve(this.projectDir, file);
        const text = existsSync(abs) ? readFileSync(abs, 'utf8') : '-- (no revert script)\n';
        return `-- ${u.version} (${file})\n${text.trimEnd()}\n`;
      })
      .join('\n');
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const units = this.units();
    const files = [this.rel('sqitch.plan')];
    for (const u of units) {
      for (const dir of ['deploy', 'revert', 'verify']) {
        const file = this.rel(dir, `${u.version}.sql`);
        if (existsSync(path.resolve(this.projectDir, file))) files.push(file);
      }
    }
    if (existsSync(path.resolve(this.projectDir, this.rel('sqitch.conf')))) files.push(this.rel('sqitch.conf'));
    const head = units.at(-1)?.version ?? null;
    return { hash: hashFiles(this.projectDir, files, { head }), head };
  }
}
