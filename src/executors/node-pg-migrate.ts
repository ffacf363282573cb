/**
 * The node-pg-migrate executor: drives the project's `node-pg-migrate` (node_modules/.bin, here or
 * in a parent folder, or PATH) with DATABASE_URL set to the branch. node-pg-migrate connects with
 * node-postgres, which reads PGOPTIONS: lock_timeout and statement_timeout reach its session that
 * way. Applied migrations come from its own table (`pgmigrations`), pending ones from the folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodePgMigrateOptions } from '../config/runner-schema.js';
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
} from './types.js';
import { failureLine, unitResults } from './unit-results.js';

export const NODE_PG_MIGRATE_INSTALL_HINT = 'install it in the project: npm install --save-dev node-pg-migrate pg';

/** Migration files node-pg-migrate loads (it ignores dot-files by default). */
const MIGRATION_FILE = /^[^.].*\.(js|cjs|mjs|ts|cts|mts|sql)$/;

/** The node-pg-migrate adapter (see the file comment). */
export class NodePgMigrateExecutor implements Executor {
  readonly kind = 'node-pg-migrate' as const;
  readonly limits: ExecutorLimits = {
    offlineSql: 'node-pg-migrate prints SQL only with a database connection (--dry-run)',
  };
  /** node-pg-migrate's table (see Executor.historyTables). */
  get historyTables(): string[] {
    return [this.options.table];
  }

  constructor(
    private readonly projectDir: string,
    private readonly options: NodePgMigrateOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private bin(): string {
    return requireNodeTool(
      'node-pg-migrate',
      this.projectDir,
      this.env,
      this.options.bin,
      NODE_PG_MIGRATE_INSTALL_HINT,
    );
  }

  private async tool(
    args: string[],
    target: ExecutorTarget | undefined,
    onLine?: Parameters<typeof runTool>[0]['onLine'],
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    const common = ['--migrations-dir', this.options.migrationsDir, '--migrations-table', this.options.table];
    return runBranchTool({
      tool: 'node-pg-migrate',
      bin,
      args: [...args, ...(target ? common : [])],
      shownArgs: args,
      cwd: this.projectDir,
      env: this.env,
      ...(target ? { extraEnv: branchEnv(target), target } : {}),
      ...(onLine ? { onLine, timeoutMs: durationMs(this.options.timeout) } : {}),
      installHint: NODE_PG_MIGRATE_INSTALL_HINT,
    });
  }

  async prepare(): Promise<void> {
    const dir = path.resolve(this.projectDir, this.options.migrationsDir);
    if (!existsSync(dir)) {
      throw new MigrationFileError(`${this.options.migrationsDir}/ not found`, {
        hint: 'set runner["node-pg-migrate"].migrationsDir in neon-migrate.json',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    const out = await this.tool(['--version'], undefined);
    if (out.invocation.exitCode !== 0) {
      throw new UsageError(`node-pg-migrate does not start: ${failureLine(out.invocation.output)}`, {
        hint: NODE_PG_MIGRATE_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
    }
  }

  /** The migration files in node-pg-migrate's order (by name: its timestamp or index prefix). */
  private units(): ExecutorUnit[] {
    return listFiles(this.projectDir, this.options.migrationsDir)
      .filter(
        (f) =>
          path.posix.dirname(f) === this.options.migrationsDir.replace(/\/$/, '') &&
          MIGRATION_FILE.test(path.posix.basename(f)),
      )
      .map((file) => {
        const text = readFileSync(path.resolve(this.projectDir, file), 'utf8');
        const base = path.posix.basename(file).replace(/\.[^.]+$/, '');
        return {
          version: base,
          name: base.replace(/^\d+[_-]?/, ''),
          checksum: sha256Hex(text),
          downChecksum: null,
          // `exports.down = false` (or no down at all) marks an irreversible migration.
          reversible:
            /(export\s+(async\s+)?function\s+down\b|(export\s+const\s+|exports\.)down\s*=(?!\s*false\b)|-- Down Migration)/.test(
              text,
            ),
          file,
        };
      })
      .sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
  }

  /** Names in its table, in the order they ran; [] before its first run. */
  private async appliedNames(target: ExecutorTarget): Promise<string[]> {
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [
      this.options.table,
    ]);
    if (!exists.rows[0]?.t) return [];
    const rows = await target.db.query<{ name: string }>(`SELECT name FROM ${this.options.table} ORDER BY run_on, id`);
    return rows.rows.map((r) => r.name);
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const units = this.units();
    const applied = new Set(await this.appliedNames(target));
    const unknown = [...applied].filter((n) => !units.some((u) => u.version === n));
    if (unknown.length) {
      throw new MigrationFileError(
        `branch ${target.branch} has node-pg-migrate migrations with no file: ${unknown.join(', ')}`,
        {
          hint: 'restore the missing files, or check out the code that matches the branch',
          code: 'RUNNER_UNKNOWN_REVISION',
        },
      );
    }
    const appliedUnits = units.filter((u) => applied.has(u.version));
    return {
      current: appliedUnits.at(-1)?.version ?? null,
      applied: appliedUnits,
      pending: units.filter((u) => !applied.has(u.version)),
    };
  }

  private async move(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
  ): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    const before = await this.appliedNames(target);
    const starts = new Map<string, number>();
    const marker = direction === 'up' ? '(UP)' : '(DOWN)';
    const out = await this.tool([direction, String(units.length)], target, (line) => {
      const m = /### MIGRATION (\S+) \((UP|DOWN)\) ###/.exec(line.text);
      if (m && line.text.includes(marker)) starts.set(m[1]!, line.atMs);
    });
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = new Set(await this.appliedNames(target));
    const done = new Set(
      units.filter((u) => (direction === 'up' ? after.has(u.version) : !after.has(u.version))).map((u) => u.version),
    );
    const result = unitResults({
      units,
      direction,
      starts,
      done,
      invocation: out.invocation,
      transactional: true,
      revisionBefore: before.at(-1) ?? null,
      revisionAfter: [...after].at(-1) ?? null,
    });
    // pgm.noTransaction() runs a migration outside the transaction.
    const outside = new Set(
      units
        .filter((u) => u.file && /noTransaction\(\)/.test(readFileSync(path.resolve(this.projectDir, u.file), 'utf8')))
        .map((u) => u.version),
    );
    result.results = result.results.map((r) => (outside.has(r.version) ? { ...r, transactional: false } : r));
    return result;
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    return this.move(target, 'up', units);
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    return this.move(target, 'down', units);
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const units = this.units();
    const files = units.map((u) => u.file!);
    for (const config of ['.node-pg-migraterc', '.node-pg-migraterc.json', 'config/default.json']) {
      if (existsSync(path.resolve(this.projectDir, config))) files.push(config);
    }
    const head = units.at(-1)?.version ?? null;
    return { hash: hashFiles(this.projectDir, files, { head }), head };
  }
}
