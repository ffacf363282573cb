/**
 * The Alembic executor: drives the project's own `alembic` (found in .venv/, venv/ or on PATH)
 * against the branch. DATABASE_URL is the branch URI (env.py reads it); lock_timeout and
 * statement_timeout reach psycopg2 through PGOPTIONS. The revision graph is Alembic's: history,
 * heads and current come from the tool, the revision before/after a run from its version table.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AlembicOptions } from '../config/runner-schema.js';
import { MigrationFileError, UsageError } from '../errors.js';
import {
  type AlembicRevision,
  hasDowngrade,
  parseHistory,
  parseRevisionList,
  parseRunningLine,
  readAlembicLayout,
} from './alembic-parse.js';
import { hashFiles, listFiles, sha256Hex } from './files-hash.js';
import { locateTool, pathWithToolDir } from './locate.js';
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

/** How to install Alembic, shown when it is missing. */
export const ALEMBIC_INSTALL_HINT =
  'install it in the project: python3 -m venv .venv && .venv/bin/pip install alembic psycopg2-binary ' +
  '(or set runner.alembic.bin in neon-migrate.json)';

/** DATABASE_URL for commands that never connect (history, heads, --sql): never a real database's. */
const OFFLINE_URL = 'postgresql://offline@localhost/offline';

interface HistoryCache {
  stamp: string;
  revisions: AlembicRevision[];
}

/** The Alembic adapter (see the file comment). */
export class AlembicExecutor implements Executor {
  readonly kind = 'alembic' as const;
  readonly limits: ExecutorLimits = {};
  /** Alembic's version table (see Executor.historyTables). */
  get historyTables(): string[] {
    return [this.options.versionTable];
  }
  private readonly configFile: string;
  private readonly runDir: string;
  private history?: HistoryCache;

  constructor(
    private readonly projectDir: string,
    private readonly options: AlembicOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.configFile = path.resolve(projectDir, options.config);
    this.runDir = path.dirname(this.configFile);
  }

  /** The alembic executable, or a UsageError (exit 2) saying how to install it. */
  private bin(): string {
    const bin = locateTool('alembic', this.projectDir, this.env, {
      configured: this.options.bin,
      candidates: ['.venv/bin/alembic', 'venv/bin/alembic'],
    });
    if (!bin) throw this.missing();
    return bin;
  }

  private missing(detail = 'not found in .venv/bin, venv/bin or on PATH'): UsageError {
    return new UsageError(`alembic ${detail}`, { hint: ALEMBIC_INSTALL_HINT, code: 'TOOL_MISSING' });
  }

  /** Run `alembic -c <ini> ...args`; with a target it works on that branch, without it offline. */
  private async alembic(
    args: string[],
    target?: ExecutorTarget,
    opts: { stream?: boolean; limited?: boolean; onLine?: Parameters<typeof runTool>[0]['onLine'] } = {},
  ): Promise<ToolOutcome> {
    const bin = this.bin();
    const outcome = await runTool({
      display: `alembic ${args.join(' ')}`,
      file: bin,
      args: ['-c', this.configFile, ...args],
      cwd: this.runDir,
      env: pathWithToolDir(bin, this.env),
      extraEnv: target ? branchEnv(target) : { DATABASE_URL: OFFLINE_URL },
      prefix: 'alembic',
      ...(opts.stream && target?.log ? { log: target.log } : {}),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
      // The configured limit is for runs (upgrade/downgrade); reading the state is quick.
      timeoutMs: opts.limited ? durationMs(this.options.timeout) : undefined,
      secrets: target ? uriSecrets(target.uri) : [],
    });
    if (outcome.notFound) throw this.missing(`cannot be started (${bin})`);
    return outcome;
  }

  async prepare(): Promise<void> {
    if (!existsSync(this.configFile)) {
      throw new MigrationFileError(`${this.options.config} not found`, {
        hint: 'run `alembic init alembic`, or set runner.alembic.config in neon-migrate.json',
        code: 'RUNNER_CONFIG_MISSING',
      });
    }
    readAlembicLayout(this.configFile, this.runDir);
    const version = await this.alembic(['--version']);
    if (version.invocation.exitCode !== 0) {
      throw new UsageError(`alembic does not start: ${failureLine(version.invocation.output)}`, {
        hint: ALEMBIC_INSTALL_HINT,
        code: 'TOOL_BROKEN',
      });
    }
  }

  /** Revisions oldest first, from `alembic history -v` (cached while the revision files are unchanged). */
  private async revisions(): Promise<AlembicRevision[]> {
    const layout = readAlembicLayout(this.configFile, this.runDir);
    const files = layout.versionDirs.flatMap((d) => listFiles(this.projectDir, d));
    const stamp = files
      .map((f) => {
        const s = statSync(path.resolve(this.projectDir, f));
        return `${f}:${s.size}:${s.mtimeMs}`;
      })
      .join('|');
    if (this.history?.stamp === stamp) return this.history.revisions;
    const out = await this.alembic(['history', '-v']);
    if (out.invocation.exitCode !== 0) {
      throw new MigrationFileError(`alembic history failed: ${failureLine(out.invocation.output)}`, {
        hint: 'fix the revision files (run `alembic history` to see the error)',
        code: 'RUNNER_HISTORY',
      });
    }
    const revisions = parseHistory(out.stdout);
    const heads = revisions.filter((r) => r.isHead);
    if (heads.length > 1) {
      throw new MigrationFileError(`alembic has ${heads.length} heads (${heads.map((h) => h.revision).join(', ')})`, {
        hint: 'merge them first: alembic merge heads -m "merge"',
        code: 'RUNNER_MULTIPLE_HEADS',
      });
    }
    this.history = { stamp, revisions };
    return revisions;
  }

  private unit(r: AlembicRevision): ExecutorUnit {
    const text = readFileSync(r.path, 'utf8');
    return {
      version: r.revision,
      name: r.message,
      checksum: sha256Hex(text),
      downChecksum: null,
      reversible: hasDowngrade(text),
      file: path.relative(this.projectDir, r.path),
    };
  }

  /** The revisions `heads` and all their ancestors. */
  private lineage(revisions: AlembicRevision[], heads: string[]): Set<string> {
    const byId = new Map(revisions.map((r) => [r.revision, r]));
    const seen = new Set<string>();
    const stack = [...heads];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(byId.get(id)?.parents ?? []));
    }
    return seen;
  }

  /** The revision(s) in the branch's version table, read on the run session; [] when there is none. */
  private async versionTable(target: ExecutorTarget): Promise<string[]> {
    const table = this.options.versionTable;
    const exists = await target.db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [table]);
    if (!exists.rows[0]?.t) return [];
    const rows = await target.db.query<{ v: string }>(`SELECT version_num AS v FROM ${table} ORDER BY 1`);
    return rows.rows.map((r) => r.v);
  }

  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const revisions = await this.revisions();
    const out = await this.alembic(['current'], target);
    if (out.invocation.exitCode !== 0) {
      throw new MigrationFileError(
        `alembic current failed on ${target.branch}: ${failureLine(out.invocation.output)}`,
        { hint: 'run `alembic current` with DATABASE_URL set to see the error', code: 'RUNNER_STATE' },
      );
    }
    const current = parseRevisionList(out.stdout);
    const known = new Set(revisions.map((r) => r.revision));
    const unknown = current.filter((c) => !known.has(c));
    if (unknown.length) {
      throw new MigrationFileError(
        `branch ${target.branch} is at alembic revision ${unknown.join(', ')}, which is not in the revision files`,
        {
          hint: 'restore the missing revision file, or check out the code that matches the branch',
          code: 'RUNNER_UNKNOWN_REVISION',
        },
      );
    }
    const applied = this.lineage(revisions, current);
    const units = revisions.map((r) => this.unit(r));
    return {
      current: current.length ? current.join(',') : null,
      applied: units.filter((u) => applied.has(u.version)),
      pending: units.filter((u) => !applied.has(u.version)),
    };
  }

  /** Run upgrade/downgrade to `destination` and turn what happened into per-unit results. */
  private async move(
    target: ExecutorTarget,
    direction: 'up' | 'down',
    destination: string,
    units: ExecutorUnit[],
  ): Promise<ExecutorRunResult> {
    const revisions = await this.revisions();
    const before = await this.versionTable(target);
    const starts = new Map<string, number>();
    let transactional = true;
    const out = await this.alembic([direction === 'up' ? 'upgrade' : 'downgrade', destination], target, {
      stream: true,
      limited: true,
      onLine: (line) => {
        const running = parseRunningLine(line.text);
        if (running && running.direction === direction) starts.set(running.revision, line.atMs);
        if (/assume non-transactional DDL/.test(line.text)) transactional = false;
      },
    });
    if (out.invocation.timedOut) await endToolSessions(target);
    const after = await this.versionTable(target);
    const lineage = this.lineage(revisions, after);
    const done = new Set(
      units
        .filter((u) => (direction === 'up' ? lineage.has(u.version) : !lineage.has(u.version)))
        .map((u) => u.version),
    );
    return unitResults({
      units,
      direction,
      starts,
      done,
      invocation: out.invocation,
      transactional,
      revisionBefore: before.join(',') || null,
      revisionAfter: after.join(',') || null,
    });
  }

  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    return this.move(target, 'up', units.at(-1)!.version, units);
  }

  /** The revision before `unit` ('base' for the first); a merge revision has no single one. */
  private async parentOf(unit: ExecutorUnit): Promise<string> {
    const rev = (await this.revisions()).find((r) => r.revision === unit.version);
    if (!rev)
      throw new MigrationFileError(`alembic revision ${unit.version} is not in the revision files`, {
        hint: 'restore the revision file',
        code: 'RUNNER_UNKNOWN_REVISION',
      });
    if (rev.parents.length > 1) {
      throw new MigrationFileError(
        `alembic revision ${unit.version} merges ${rev.parents.join(', ')}: going below a merge is not supported`,
        { hint: 'revert to the merge revision itself, or run alembic downgrade by hand', code: 'RUNNER_MERGE_DOWN' },
      );
    }
    return rev.parents[0] ?? 'base';
  }

  async revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    if (!units.length) return { outcome: 'succeeded', results: [] };
    return this.move(target, 'down', await this.parentOf(units.at(-1)!), units);
  }

  async renderSql(units: ExecutorUnit[], direction: 'up' | 'down'): Promise<string> {
    if (!units.length) return '';
    let args: string[];
    if (direction === 'up') {
      const from = await this.parentOf(units[0]!);
      const to = units.at(-1)!.version;
      args = ['upgrade', from === 'base' ? to : `${from}:${to}`, '--sql'];
    } else {
      args = ['downgrade', `${units[0]!.version}:${await this.parentOf(units.at(-1)!)}`, '--sql'];
    }
    const out = await this.alembic(args);
    if (out.invocation.exitCode !== 0) {
      throw new MigrationFileError(`alembic could not render the SQL: ${failureLine(out.invocation.output)}`, {
        hint: 'run `alembic upgrade --sql` to see the error (env.py needs an offline mode)',
        code: 'RUNNER_OFFLINE_SQL',
      });
    }
    return `${out.stdout.trim()}\n`;
  }

  async fingerprint(): Promise<ExecutorFingerprint> {
    const layout = readAlembicLayout(this.configFile, this.runDir);
    const files = layout.versionDirs.flatMap((d) => listFiles(this.projectDir, d));
    if (existsSync(layout.envPy)) files.push(path.relative(this.projectDir, layout.envPy));
    files.push(path.relative(this.projectDir, this.configFile));
    const out = await this.alembic(['heads']);
    if (out.invocation.exitCode !== 0) {
      throw new MigrationFileError(`alembic heads failed: ${failureLine(out.invocation.output)}`, {
        hint: 'fix the revision files (run `alembic heads` to see the error)',
        code: 'RUNNER_HISTORY',
      });
    }
    const head = parseRevisionList(out.stdout).sort().join(',') || null;
    return { hash: hashFiles(this.projectDir, files, { head }), head };
  }
}
