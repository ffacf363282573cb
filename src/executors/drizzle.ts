/**
 * The drizzle executor: drives `drizzle-kit migrate` (node_modules/.bin here or in a parent folder,
 * or PATH) with DATABASE_URL set to the branch; drizzle.config.* must read it
 * (`dbCredentials: { url: process.env.DATABASE_URL }`). The migrations are the SQL files listed in
 * the folder's `meta/_journal.json`; drizzle's history is its table (`drizzle.__drizzle_migrations`:
 * the file's SHA-256 and the journal entry's `when`), read on the run session.
 *
 * drizzle-kit applies every pending migration, in one transaction, and has no target revision and
 * no down. A prefix (`--to`, or one migration at a time while `test` measures) runs through a
 * temporary config that imports the project's and points `out` at a copy of the folder whose journal
 * stops at the last unit asked for. Reverting is not possible (`limits.down`): only a checkpoint
 * restore undoes a drizzle run.
 *
 * Timeouts: drizzle-kit connects with node-postgres, which reads PGOPTIONS (and PGAPPNAME) for any
 * setting its connection config leaves unset, so lock_timeout and statement_timeout reach its
 * session through PGOPTIONS (checked in test/executors/drizzle.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DrizzleOptions } from '../config/runner-schema.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { hashFiles, sha256Hex } from './files-hash.js';
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

export const DRIZZLE_INSTALL_HINT = 'install it in the project: npm install --save-dev drizzle-kit drizzle-orm pg';
const CONFIGS = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs'];

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** A drizzle migration: the unit plus its journal entry. */
interface DrizzleUnit extends ExecutorUnit {
  when: number;
}

/** The line of drizzle-kit's output that says why it failed: the database error under `cause:`, else the usual. */
export function drizzleFailure(output: string): string {
  const cause = /^\s*cause: (?:error: )?(.+)$/m.exec(output)?.[1];
  return cause ? cause.trim() : failureLine(output);
}

/** The drizzle-kit adapter (see the file comment). */
export class DrizzleExecutor implements Executor {
  readonly kind = 'drizzle' as const;
  readonly limits: ExecutorLimits = {
    down: 'drizzle-kit has no down migrations: only a checkpoint restore undoes a drizzle run',
    offlineSql: 'drizzle-kit migrate cannot print SQL without running it (the SQL files are in the migrations folder)',
  };

  constructor(
    private readonly projectDir: string,
    private readonly options: DrizzleOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private bin(): string {
    return requireNodeTool('drizzle-kit', this.projectDir, this.env, this.options.bin, DRIZZLE_INSTALL_HINT);
  }

  /** drizzle.config.*, relative to the project, or undefined when none is there. */
  private config(): string | undefined {
    if (this.options.config) return this.options.config;
    return CONFIGS.find((f) => existsSync(path.resolve(this.projectDir, f)));
  }

  private async drizzle(
    args: string[],
    target: ExecutorTarget | undefined,
    onLine?: Parameters<typeof runTool>[0]['onLine'],
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    return runBranchTool({
      tool: 'drizzle-kit',
      bin,
      args,
      cwd: this.projectDir,
      env: this.env,
      extraEnv: { NO_COLOR: '1', ...(target ? branchEnv(target) : {}) },
      ...(target ? { target } : {}),
      ...(onLine ? { onLine, timeoutMs: durationMs(this.options.timeout) } : {}),
      installHint: DRIZZLE_INSTALL_HINT,
    });
  }

  private journalFile(): string {
    return path.join(this.options.migrationsDir, 'meta', '_journal.json');
  }

  async prepare(): Promise<void> {
    const config = this.config();
    if (!config || !existsSync(path.resolve(this.projectDir, config))) {
      throw new MigrationFileError(`${config ?? 'drizzle.config.ts'} not found`, {
        hint: 'add a drizzle.config.ts with dbCredentials.url = process.env.DATABASE_URL, or set runner.drizzle.config',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    if (!existsSync(path.resolve(this.projectDir, this.journalFile()))) {
      throw new MigrationFileError(`${this.journalFile()} not found`, {
        hint: 'set runner.drizzle.migrationsDir to the config’s `out` (run `drizzle-kit generate` first)',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    this.units();
    const out = await this.drizzle(['--version'], undefined);
    if (out.invocation.exitCode !== 0) {
      throw new UsageError(`drizzle-kit does not start: ${failureLine(out.invocation.output)}`, {
        hint: DRIZZLE_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
    }
  }

  /** The journal's migrations, in its order; a listed file that is missing is a file error. */
  private units(): DrizzleUnit[] {
    const file = this.journalFile();
    let entries: JournalEntry[];
    try {
      entries = (JSON.parse(readFileSync(path.resolve(this.projectDir, file), 'utf8')) as { entries: JournalEntry[] })
        .entries;
      if (!Array.isArray(entries)) throw new Error('no "entries" list');
    } catch (err) {
      throw new MigrationFileError(`${file} is not a drizzle journal: ${(err as Error).message}`, {
        hint: 'regenerate it with `drizzle-kit generate`',
        code: 'RUNNER_FILES',
      });
    }
    return [...entries]
      .sort((a, b) => a.idx - b.idx)
      .map((e) => {
        const sqlFile = path.posix.join(this.options.migrationsDir, `${e.tag}.sql`);
        const abs = path.resolve(this.projectDir, sqlFile);
        if (!existsSync(abs)) {
          throw new MigrationFileError(`${sqlFile} (in ${file}) not found`, {
            hint: 'restore the file, or regenerate the migrations with `drizzle-kit generate`',
            code: 'RUNNER_FILES',
          });
        }
        return {
          version: e.tag,
          name: e.tag.replace(/^\d+[_-]?/, ''),
          // drizzle's own hash: SHA-256 of the file's text.
          checksum: sha256Hex(readFileSync(abs, 'utf8')),
          downChecksum: null,
          reversible: false,
          file: sqlFile,
          when: e.when,
        };
      });
  }

  /** drizzle's history rows on the branch; [] before its first run. */
  private async history(target: ExecutorTarget): Promise<{ hash: string; when: number }[]> {
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [
      this.options.table,
    ]);
    if (!exists.rows[0]?.t) return [];
    const rows = await target.db.query<{ hash: string; when: string }>(
      `SELECT hash, created_at::text AS when FROM ${this.options.table} ORDER BY created_at, id`,
    );
    return rows.rows.map((r) => ({ hash: r.hash, when: Number(r.when) }));
  }

  /** Applied units: drizzle applies every journal entry newer than its newest row. */
  private async appliedUnits(target: ExecutorTarget, units: DrizzleUnit[]): Promise<DrizzleUnit[]> {
    const rows = await this.history(target);
    const unknown = rows.filter((r) => !units.some((u) => u.when === r.when));
    if (unknown.length) {
      const whens = unknown.map((r) => r.when).join(', ');
      throw new MigrationFileError(
        `branch ${target.branch} has drizzle migrations that are not in ${this.journalFile()} (created_at ${whens})`,
        { hint: 'check out the code that matches the branch', code: 'RUNNER_UNKNOWN_REVISION' },
      );
    }
    const newest = rows.at(-1)?.when ?? Number.NEGATIVE_INFINITY;
    return units.filter((u) => u.when <= newest);
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const units = this.units();
    const applied = await this.appliedUnits(target, units);
    const rows = await this.history(target);
    const edited = applied.filter((u) => rows.some((r) => r.when === u.when && r.hash !== u.checksum));
    if (edited.length) {
      throw new MigrationFileError(
        `${edited.map((u) => u.file).join(', ')} changed after it was applied on ${target.branch}`,
        {
          hint: 'restore the applied file and put the change in a new migration (drizzle-kit generate)',
          code: 'DRIFT',
        },
      );
    }
    return {
      current: applied.at(-1)?.version ?? null,
      applied,
      pending: units.filter((u) => !applied.includes(u)),
    };
  }

  /** A temporary config (the project's, `out` moved) over a copy of the folder that stops at `last`. */
  private prefixConfig(units: DrizzleUnit[], last: DrizzleUnit): { config: string; dir: string } {
    const dir = mkdtempSync(path.join(tmpdir(), 'nm-drizzle-'));
    const out = path.join(dir, 'migrations');
    mkdirSync(path.join(out, 'meta'), { recursive: true });
    const src = path.resolve(this.projectDir, this.journalFile());
    const journal = JSON.parse(readFileSync(src, 'utf8')) as { entries: JournalEntry[] };
    const keep = new Set(units.filter((u) => u.when <= last.when).map((u) => u.version));
    journal.entries = journal.entries.filter((e) => keep.has(e.tag));
    writeFileSync(path.join(out, 'meta', '_journal.json'), JSON.stringify(journal, null, 2));
    for (const u of units)
      if (keep.has(u.version)) copyFileSync(path.resolve(this.projectDir, u.file!), path.join(out, `${u.version}.sql`));
    const config = path.join(dir, 'drizzle.config.ts');
    const user = path.resolve(this.projectDir, this.config()!);
    writeFileSync(
      config,
      `import config from ${JSON.stringify(user)};\nexport default { ...config, out: ${JSON.stringify(out)} };\n`,
    );
    return { config, dir };
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    const all = this.units();
    const applied = await this.appliedUnits(target, all);
    const pending = all.filter((u) => !applied.includes(u));
    if (units.some((u, i) => u.version !== pending[i]?.version)) {
      throw new UsageError(
        'drizzle-kit applies the pending migrations in journal order: the selection must start there',
        {
          hint: 'drop --to/--steps, or pick a migration from the pending list',
          code: 'RUNNER_NO_TARGET',
        },
      );
    }
    const last = pending[units.length - 1]!;
    const prefix = units.length < pending.length ? this.prefixConfig(all, last) : undefined;
    const configArgs = prefix
      ? ['--config', prefix.config]
      : this.options.config
        ? ['--config', this.options.config]
        : [];
    const byQuery = new Map<string, number>();
    let out: ToolOutcome;
    try {
      out = await this.drizzle(['migrate', ...configArgs], target, (line) => {
        // `DrizzleQueryError: Failed query: <statement>`: the unit whose file holds it failed.
        const m = /Failed query: (.+)$/.exec(line.text);
        if (m) byQuery.set(m[1]!.trim(), line.atMs);
      });
    } finally {
      if (prefix) rmSync(prefix.dir, { recursive: true, force: true });
    }
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = new Set((await this.appliedUnits(target, all)).map((u) => u.version));
    const starts = new Map<string, number>();
    for (const [query, at] of byQuery) {
      const culprit = units.find(
        (u) => query && readFileSync(path.resolve(this.projectDir, u.file!), 'utf8').includes(query),
      );
      if (culprit) starts.set(culprit.version, at);
    }
    const result = unitResults({
      units,
      direction: 'up',
      starts,
      done: new Set(units.filter((u) => after.has(u.version)).map((u) => u.version)),
      invocation: out.invocation,
      transactional: true,
      revisionBefore: applied.at(-1)?.version ?? null,
      revisionAfter: all.filter((u) => after.has(u.version)).at(-1)?.version ?? null,
    });
    if (out.invocation.exitCode !== 0) {
      const why = drizzleFailure(out.invocation.output);
      result.results = result.results.map((r) => (r.error ? { ...r, error: { ...r.error, message: why } } : r));
    }
    return result;
  }

  async revert(): Promise<ExecutorRunResult> {
    throw new UsageError(this.limits.down!, {
      hint: 'restore from the checkpoint instead: neon-migrate rollback --branch <branch>',
      code: 'RUNNER_NO_DOWN',
    });
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const units = this.units();
    const files = [...units.map((u) => u.file!), this.journalFile()];
    const config = this.config();
    if (config && existsSync(path.resolve(this.projectDir, config))) files.push(config);
    const head = units.at(-1)?.version ?? null;
    return { hash: hashFiles(this.projectDir, files, { head }), head };
  }
}
