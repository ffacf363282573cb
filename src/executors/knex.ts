/**
 * The knex executor: drives the knex CLI (`knex migrate:*`, node_modules/.bin here or in a parent
 * folder, or PATH) with DATABASE_URL set to the branch; the knexfile must read it
 * (`connection: process.env.DATABASE_URL`). State comes from the tool itself (`knex migrate:list`,
 * which honours the knexfile's table, schema and folder); the migration files give the checksums;
 * after each invocation, what it did is read from knex's table (`knex_migrations`) on the run session.
 * The whole pending list runs as one `migrate:latest` (one knex batch, as the team's own run);
 * a prefix (`--to`) runs as one `migrate:up <name>` per unit; reverting is one `migrate:down <name>`
 * per unit, newest first.
 *
 * Timeouts: knex connects with node-postgres, which reads PGOPTIONS (and PGAPPNAME) for any setting
 * its connection config leaves unset, so lock_timeout and statement_timeout reach every statement
 * of the tool's session through PGOPTIONS (checked in test/executors/knex.test.ts). A knexfile
 * that sets `connection.options` itself overrides them.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { KnexOptions } from '../config/runner-schema.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { hashFiles, listFiles, sha256Hex } from './files-hash.js';
import { requireNodeTool } from './locate.js';
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
  ToolInvocation,
} from './types.js';
import { failureLine, unitResults } from './unit-results.js';

export const KNEX_INSTALL_HINT = 'install it in the project: npm install --save-dev knex pg';

/** Migration files knex loads by default (its `loadExtensions`). */
const MIGRATION_FILE = /^[^.].*\.(co|coffee|eg|iced|js|cjs|litcoffee|ls|ts)$/;
/** A migration that exports a down (`exports.down = false` or none marks an irreversible one). */
const DOWN_EXPORT =
  /(export\s+(async\s+)?function\s+down\b|(export\s+const\s+|exports\.)down\s*=(?!\s*(false|null|undefined)\b))/;
const KNEXFILES = ['knexfile.js', 'knexfile.cjs', 'knexfile.mjs', 'knexfile.ts'];
const ANSI = /\u001b\[[0-9;]*m/g;

/** The applied and pending names `knex migrate:list` prints. */
export function parseMigrateList(stdout: string): { completed: string[]; pending: string[] } {
  const out = { completed: [] as string[], pending: [] as string[] };
  let section: 'completed' | 'pending' | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(ANSI, '').trim();
    if (!line) continue;
    if (/Completed Migration/.test(line)) section = 'completed';
    else if (/Pending Migration/.test(line)) section = 'pending';
    else if (section && !/\s/.test(line)) out[section].push(line);
  }
  return out;
}

/** The knex adapter (see the file comment). */
export class KnexExecutor implements Executor {
  readonly kind = 'knex' as const;
  readonly limits: ExecutorLimits = { offlineSql: 'knex cannot print SQL without running the migrations' };
  /** knex's table and its lock table (see Executor.historyTables). */
  get historyTables(): string[] {
    return [this.options.table, `${this.options.table}_lock`];
  }

  constructor(
    private readonly projectDir: string,
    private readonly options: KnexOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private bin(): string {
    return requireNodeTool('knex', this.projectDir, this.env, this.options.bin, KNEX_INSTALL_HINT);
  }

  /** The knexfile, relative to the project, or undefined when none is there. */
  private knexfile(): string | undefined {
    if (this.options.knexfile) return this.options.knexfile;
    return KNEXFILES.find((f) => existsSync(path.resolve(this.projectDir, f)));
  }

  /** KNEX_PATH for a project without its own knex: the knex package that ships the CLI. */
  private knexPath(bin: string): Record<string, string> {
    if (this.env.KNEX_PATH) return {};
    try {
      const cli = realpathSync(bin);
      return cli.endsWith(path.join('knex', 'bin', 'cli.js')) ? { KNEX_PATH: path.resolve(cli, '../..') } : {};
    } catch {
      return {};
    }
  }

  private async knex(
    args: string[],
    target: ExecutorTarget | undefined,
    onLine?: Parameters<typeof runTool>[0]['onLine'],
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    const knexfile = this.knexfile();
    const common = [
      ...(knexfile ? ['--knexfile', knexfile] : []),
      ...(this.options.environment ? ['--env', this.options.environment] : []),
    ];
    return runBranchTool({
      tool: 'knex',
      bin,
      args: [...args, ...(target ? common : [])],
      shownArgs: args,
      cwd: this.projectDir,
      env: this.env,
      extraEnv: { NO_COLOR: '1', ...this.knexPath(bin), ...(target ? branchEnv(target) : {}) },
      ...(target ? { target } : {}),
      ...(onLine ? { onLine, timeoutMs: durationMs(this.options.timeout) } : {}),
      installHint: KNEX_INSTALL_HINT,
    });
  }

  async prepare(): Promise<void> {
    const knexfile = this.knexfile();
    if (!knexfile || !existsSync(path.resolve(this.projectDir, knexfile))) {
      throw new MigrationFileError(`${knexfile ?? 'knexfile.js'} not found`, {
        hint: 'add a knexfile whose connection is process.env.DATABASE_URL, or set runner.knex.knexfile',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    if (!existsSync(path.resolve(this.projectDir, this.options.migrationsDir))) {
      throw new MigrationFileError(`${this.options.migrationsDir}/ not found`, {
        hint: 'set runner.knex.migrationsDir in neon-migrate.json to the knexfile’s migrations.directory',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    const out = await this.knex(['--version'], undefined);
    if (out.invocation.exitCode !== 0) {
      throw new UsageError(`knex does not start: ${failureLine(out.invocation.output)}`, {
        hint: KNEX_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
    }
  }

  /** The migration files, keyed by file name (knex's migration name), in knex's order (by name). */
  private units(): ExecutorUnit[] {
    const dir = this.options.migrationsDir.replace(/\/$/, '');
    return listFiles(this.projectDir, dir)
      .filter((f) => path.posix.dirname(f) === dir && MIGRATION_FILE.test(path.posix.basename(f)))
      .map((file) => {
        const text = readFileSync(path.resolve(this.projectDir, file), 'utf8');
        const base = path.posix.basename(file);
        return {
          version: base,
          name: base.replace(/\.[^.]+$/, '').replace(/^\d+[_-]?/, ''),
          checksum: sha256Hex(text),
          downChecksum: null,
          reversible: DOWN_EXPORT.test(text),
          file,
        };
      })
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  }

  /** `knex migrate:list` on the branch: what knex itself says is applied and pending. */
  private async list(target: ExecutorTarget): Promise<{ completed: string[]; pending: string[] }> {
    const out = await this.knex(['migrate:list'], target);
    if (out.invocation.exitCode !== 0) {
      throw new MigrationFileError(
        `knex migrate:list failed on ${target.branch}: ${failureLine(out.invocation.output)}`,
        {
          hint: 'run `npx knex migrate:list` with DATABASE_URL set to the branch to see the error',
          code: 'RUNNER_STATE',
        },
      );
    }
    return parseMigrateList(out.stdout);
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const units = this.units();
    const listed = await this.list(target);
    const byName = new Map(units.map((u) => [u.version, u]));
    const unknown = [...listed.completed, ...listed.pending].filter((n) => !byName.has(n));
    if (unknown.length) {
      throw new MigrationFileError(
        `knex lists migrations that are not in ${this.options.migrationsDir}/: ${unknown.join(', ')}`,
        {
          hint: 'set runner.knex.migrationsDir to the knexfile’s migrations.directory, or restore the missing files',
          code: 'RUNNER_UNKNOWN_REVISION',
        },
      );
    }
    const applied = new Set(listed.completed);
    const appliedUnits = units.filter((u) => applied.has(u.version));
    return {
      current: appliedUnits.at(-1)?.version ?? null,
      applied: appliedUnits,
      pending: units.filter((u) => listed.pending.includes(u.version)),
    };
  }

  /** Names in knex's table on the branch (read on the run session); [] before knex's first run. */
  private async appliedNames(target: ExecutorTarget): Promise<string[]> {
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [
      this.options.table,
    ]);
    if (!exists.rows[0]?.t) return [];
    return (await target.db.query<{ name: string }>(`SELECT name FROM ${this.options.table} ORDER BY id`)).rows.map(
      (r) => r.name,
    );
  }

  /** One knex invocation over `units`; per-unit results from knex's table after it. */
  private async invoke(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
    args: string[],
  ): Promise<ExecutorRunResult> {
    const starts = new Map<string, number>();
    const out = await this.knex(args, target, (line) => {
      // knex names the migration that failed: `migration file "…" failed`.
      const m = /migration file "([^"]+)" failed/.exec(line.text);
      if (m) starts.set(m[1]!, line.atMs);
    });
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = new Set(await this.appliedNames(target));
    const done = units.filter((u) => (direction === 'up' ? after.has(u.version) : !after.has(u.version)));
    // The run lock keeps others out: before = after without what this run applied (or with what it reverted).
    const before = new Set(after);
    for (const u of done) {
      if (direction === 'up') before.delete(u.version);
      else before.add(u.version);
    }
    const newest = (names: Set<string>) => [...names].sort().at(-1) ?? null;
    // One name per invocation (per-unit up/down): it ran for the whole invocation.
    if (units.length === 1 && !starts.size) starts.set(units[0]!.version, 0);
    const result = unitResults({
      units,
      direction,
      starts,
      done: new Set(done.map((u) => u.version)),
      invocation: out.invocation,
      transactional: true,
      revisionBefore: newest(before),
      revisionAfter: newest(after),
    });
    // `exports.config = { transaction: false }` runs a migration outside a transaction.
    const outside = (u: ExecutorUnit) =>
      /config\s*=\s*\{[^}]*transaction\s*:\s*false/.test(readFileSync(path.resolve(this.projectDir, u.file!), 'utf8'));
    const outsideSet = new Set(units.filter(outside).map((u) => u.version));
    result.results = result.results.map((r) => (outsideSet.has(r.version) ? { ...r, transactional: false } : r));
    return result;
  }

  /** Run `units` one invocation each, stopping at the first failure (the rest `not-run`). */
  private async oneByOne(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
  ): Promise<ExecutorRunResult> {
    const results: ExecutorRunResult['results'] = [];
    const tool: ToolInvocation[] = [];
    let revisionBefore: string | null | undefined;
    let revisionAfter: string | null = null;
    for (const [i, unit] of units.entries()) {
      const r = await this.invoke(target, direction, [unit], [`migrate:${direction}`, unit.version]);
      revisionBefore ??= r.revisionBefore;
      revisionAfter = r.revisionAfter ?? null;
      results.push(...r.results);
      tool.push(...(r.tool ?? []));
      if (r.outcome !== 'succeeded') {
        for (const rest of units.slice(i + 1)) {
          results.push({
            version: rest.version,
            name: rest.name,
            direction,
            status: 'not-run',
            durationMs: 0,
            transactional: true,
          });
        }
        return { outcome: 'failed', results, tool, revisionBefore, revisionAfter };
      }
    }
    return { outcome: 'succeeded', results, tool, revisionBefore: revisionBefore ?? null, revisionAfter };
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    // One unit (as `test` applies them, under the probe): `migrate:up <name>`, without a listing first.
    if (units.length === 1) return this.oneByOne(target, 'up', units);
    const { pending } = await this.state(target);
    const everything = units.length === pending.length && units.every((u, i) => u.version === pending[i]!.version);
    return everything ? this.invoke(target, 'up', units, ['migrate:latest']) : this.oneByOne(target, 'up', units);
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    return this.oneByOne(target, 'down', units);
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const units = this.units();
    const files = units.map((u) => u.file!);
    const knexfile = this.knexfile();
    if (knexfile && existsSync(path.resolve(this.projectDir, knexfile))) files.push(knexfile);
    const head = units.at(-1)?.version ?? null;
    return { hash: hashFiles(this.projectDir, files, { head }), head };
  }
}
