/**
 * The dbmate executor: drives `dbmate` (the npm package ships its binary) with DATABASE_URL set to
 * the branch and `--no-dump-schema` (a test run must not rewrite db/schema.sql). State comes from
 * `dbmate status`. dbmate applies every pending migration at once and rolls back one at a time; to
 * stop at a given version (`--to`, or one migration at a time while `test` measures), it runs over a
 * temporary folder holding only the migrations asked for.
 * lock_timeout and statement_timeout ride in the URL's `options` parameter (its driver takes the
 * libpq keywords from the URL, not PGOPTIONS).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DbmateOptions } from '../config/runner-schema.js';
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

export const DBMATE_INSTALL_HINT = 'install it: npm install --save-dev dbmate (or see github.com/amacneil/dbmate)';

/** The branch URI as dbmate takes it: TLS off for the local engine, the timeouts as startup options. */
export function dbmateUrl(target: ExecutorTarget): string {
  const u = new URL(target.uri);
  if (!u.searchParams.has('sslmode') && ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname))
    u.searchParams.set('sslmode', 'disable');
  const t = target.timeouts;
  u.searchParams.set(
    'options',
    `-c lock_timeout=${t.lockTimeout.replace(/\s+/g, '')} -c statement_timeout=${t.statementTimeout.replace(/\s+/g, '')}`,
  );
  return u.toString();
}

/** The dbmate adapter (see the file comment). */
export class DbmateExecutor implements Executor {
  readonly kind = 'dbmate' as const;
  readonly limits: ExecutorLimits = { offlineSql: 'dbmate cannot print SQL without running it' };
  /** dbmate's table (see Executor.historyTables). */
  readonly historyTables = ['schema_migrations'];

  constructor(
    private readonly projectDir: string,
    private readonly options: DbmateOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private bin(): string {
    return requireNodeTool('dbmate', this.projectDir, this.env, this.options.bin, DBMATE_INSTALL_HINT);
  }

  private async dbmate(
    args: string[],
    target?: ExecutorTarget,
    onLine?: Parameters<typeof runTool>[0]['onLine'],
    migrationsDir = this.options.migrationsDir,
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    return runBranchTool({
      tool: 'dbmate',
      bin,
      args: ['--migrations-dir', migrationsDir, '--no-dump-schema', ...args],
      shownArgs: args,
      cwd: this.projectDir,
      env: this.env,
      ...(target ? { extraEnv: { ...branchEnv(target), DATABASE_URL: dbmateUrl(target) }, target } : {}),
      ...(onLine ? { onLine, timeoutMs: durationMs(this.options.timeout) } : {}),
      installHint: DBMATE_INSTALL_HINT,
    });
  }

  async prepare(): Promise<void> {
    if (!existsSync(path.resolve(this.projectDir, this.options.migrationsDir))) {
      throw new MigrationFileError(`${this.options.migrationsDir}/ not found`, {
        hint: 'set runner.dbmate.migrationsDir in neon-migrate.json',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    const out = await this.dbmate(['--version']);
    if (out.invocation.exitCode !== 0)
      throw new UsageError(`dbmate does not start: ${failureLine(out.invocation.output)}`, {
        hint: DBMATE_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
  }

  private units(): ExecutorUnit[] {
    const dir = this.options.migrationsDir.replace(/\/$/, '');
    return listFiles(this.projectDir, dir)
      .filter((f) => path.posix.dirname(f) === dir && /^\d+.*\.sql$/.test(path.posix.basename(f)))
      .map((file) => {
        const text = readFileSync(path.resolve(this.projectDir, file), 'utf8');
        const base = path.posix.basename(file, '.sql');
        const down = /--\s*migrate:down[^\n]*\n([\s\S]*)$/.exec(text)?.[1] ?? '';
        return {
          version: /^\d+/.exec(base)![0],
          name: base.replace(/^\d+_?/, ''),
          checksum: sha256Hex(text),
          downChecksum: null,
          reversible: down.split('\n').some((l) => l.trim() && !l.trim().startsWith('--')),
          file,
        };
      })
      .sort((a, b) => a.version.localeCompare(b.version, 'en', { numeric: true }));
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const out = await this.dbmate(['status'], target);
    // `status` exits 1 when migrations are pending: read its lines rather than its exit code.
    const marks = new Map<string, boolean>();
    for (const line of out.stdout.split('\n')) {
      const m = /^\[( |X)\]\s+(\d+)\S*\.sql/.exec(line.trim());
      if (m) marks.set(m[2]!, m[1] === 'X');
    }
    if (!marks.size && out.invocation.exitCode !== 0) {
      throw new MigrationFileError(`dbmate status failed on ${target.branch}: ${failureLine(out.invocation.output)}`, {
        hint: 'run `dbmate status` with DATABASE_URL set to see the error',
        code: 'RUNNER_STATE',
      });
    }
    const units = this.units();
    const applied = units.filter((u) => marks.get(u.version));
    return { current: applied.at(-1)?.version ?? null, applied, pending: units.filter((u) => !marks.get(u.version)) };
  }

  /** Versions in dbmate's table (read on the run session). */
  private async appliedVersions(target: ExecutorTarget): Promise<Set<string>> {
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
    if (!exists.rows[0]?.t) return new Set();
    return new Set(
      (await target.db.query<{ v: string }>(`SELECT version::text AS v FROM schema_migrations`)).rows.map((r) => r.v),
    );
  }

  private async invoke(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    units: ExecutorUnit[],
    args: string[],
    migrationsDir?: string,
  ): Promise<ExecutorRunResult> {
    const before = await this.appliedVersions(target);
    const starts = new Map<string, number>();
    const out = await this.dbmate(
      args,
      target,
      (line) => {
        const m = /^(Applying|Rolling back): (\d+)/.exec(line.text);
        if (m && (m[1] === 'Applying') === (direction === 'up')) starts.set(m[2]!, line.atMs);
      },
      migrationsDir,
    );
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = await this.appliedVersions(target);
    const newest = (s: Set<string>) =>
      [...s].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1) ?? null;
    return unitResults({
      units,
      direction,
      starts,
      done: new Set(
        units.filter((u) => (direction === 'up' ? after.has(u.version) : !after.has(u.version))).map((u) => u.version),
      ),
      invocation: out.invocation,
      transactional: true,
      revisionBefore: newest(before),
      revisionAfter: newest(after),
    });
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    const { pending } = await this.state(target);
    if (units.some((u, i) => u.version !== pending[i]?.version)) {
      throw new UsageError('dbmate applies the pending migrations in order: the selection must start there', {
        hint: 'drop --to/--steps, or pick a migration from the pending list',
        code: 'RUNNER_NO_TARGET',
      });
    }
    if (units.length === pending.length) return this.invoke(target, 'up', units, ['migrate']);
    // A prefix: dbmate migrates a folder holding only those files (the applied ones need not be there).
    const dir = mkdtempSync(path.join(tmpdir(), 'nm-dbmate-'));
    try {
      for (const u of units)
        copyFileSync(path.resolve(this.projectDir, u.file!), path.join(dir, path.basename(u.file!)));
      return await this.invoke(target, 'up', units, ['migrate'], dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    // One `dbmate rollback` per unit, newest first; stop at the first failure.
    const results: ExecutorRunResult['results'] = [];
    const tool: ToolInvocation[] = [];
    let revisionBefore: string | null | undefined;
    let revisionAfter: string | null | undefined;
    for (const [i, unit] of units.entries()) {
      const r = await this.invoke(target, 'down', [unit], ['rollback']);
      revisionBefore ??= r.revisionBefore;
      revisionAfter = r.revisionAfter;
      results.push(...r.results);
      tool.push(...(r.tool ?? []));
      if (r.outcome !== 'succeeded') {
        for (const rest of units.slice(i + 1))
          results.push({
            version: rest.version,
            name: rest.name,
            direction: 'down',
            status: 'not-run',
            durationMs: 0,
            transactional: true,
          });
        return { outcome: 'failed', results, tool, revisionBefore, revisionAfter };
      }
    }
    return {
      outcome: 'succeeded',
      results,
      tool,
      revisionBefore: revisionBefore ?? null,
      revisionAfter: revisionAfter ?? null,
    };
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const units = this.units();
    const head = units.at(-1)?.version ?? null;
    return {
      hash: hashFiles(
        this.projectDir,
        units.map((u) => u.file!),
        { head },
      ),
      head,
    };
  }
}
