/**
 * `baseline`: adopt a database whose history another tool wrote. The applied set is read from that
 * tool's table (or given with `--to V` when there is none), checked against the migration files,
 * and recorded in `neon_migrate.applied` with the files' checksums, without running any migration.
 * Like every write it takes a checkpoint first and is recorded as a run. A history that disagrees
 * with the files is reported in full (exit 2) and nothing is written.
 */
import type { DbClient } from '../db/connect.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { NativeExecutor, unitOf } from '../executors/native.js';
import { StampExecutor } from '../executors/stamp.js';
import { readApplied } from '../history/store.js';
import { versionArgument } from '../migrations/naming.js';
import { runPipeline } from '../run/pipeline.js';
import { type MigrationProject, platformOf, projectMigrations } from '../run/run-context.js';
import { withBranchDb } from '../run/scoped.js';
import type { Migration } from '../migrations/types.js';
import {
  detectForeignTools,
  FOREIGN_TOOLS,
  type ForeignHistory,
  type ForeignTool,
  readForeignHistory,
} from './baseline-sources.js';

export interface BaselineOptions {
  branch?: string;
  /** Which tool's table to read when several are present, or `none` to ignore them (then `to` is required). */
  from?: ForeignTool | 'none';
  /** Stamp every migration up to this version as applied (only without another tool's table, or with `from: 'none'`). */
  to?: string;
  /** Check and report, write nothing (no checkpoint either). */
  dryRun?: boolean;
  /** Wait for another run on the branch instead of failing with exit 5. */
  wait?: boolean;
}

export interface BaselineReport {
  branch: string;
  /** Where the applied set came from: a tool's table, or `--to`. */
  source: { tool: ForeignTool; table: string } | { to: string };
  /** Recorded as applied (in run order). */
  adopted: { version: string; name: string }[];
  /** Left for the next `up`/`test`. */
  pending: { version: string; name: string }[];
  dryRun: boolean;
  checkpoint?: string;
  runId?: string;
}

/** Check the tool's applied set against the files; every disagreement is listed. */
export function matchForeignHistory(
  migrations: Migration[],
  h: ForeignHistory,
): { adopted: Migration[]; problems: string[] } {
  const problems = [...h.problems];
  const position = new Map(migrations.map((m, i) => [m.version, i]));
  const applied = new Set<string>();
  for (const v of h.versions) {
    if (!position.has(v.version))
      problems.push(`${h.tool} applied version ${v.version} (${v.label}) but no migration file has that version`);
    else applied.add(v.version);
  }
  if (h.head) {
    const at = position.get(h.head.version);
    if (at === undefined)
      problems.push(
        `${h.tool} is at version ${h.head.version} (${h.head.label}) but no migration file has that version`,
      );
    else for (const m of migrations.slice(0, at + 1)) applied.add(m.version);
  }
  const last = migrations.reduce((acc, m, i) => (applied.has(m.version) ? i : acc), -1);
  for (const m of migrations.slice(0, last + 1)) {
    if (!applied.has(m.version))
      problems.push(
        `${m.upFile} comes before the newest applied migration (${migrations[last]!.name}) but ${h.tool} never applied it`,
      );
  }
  return { adopted: migrations.filter((m) => applied.has(m.version)), problems };
}

/** Resolve `--to` to the files it stamps. */
function stampUpTo(migrations: Migration[], raw: string): Migration[] {
  const version = versionArgument(raw);
  const at = migrations.findIndex((m) => m.version === version);
  if (at < 0)
    throw new UsageError(`--to ${raw}: no migration has version ${version}`, {
      hint: 'run `neon-migrate status` to see the versions',
      code: 'UNKNOWN_VERSION',
    });
  return migrations.slice(0, at + 1);
}

/** Adopt the branch's existing history (see the file comment). */
export async function baseline(p: MigrationProject, options: BaselineOptions = {}): Promise<BaselineReport> {
  const branch = options.branch ?? p.settings.defaultBranch;
  if (options.from && options.from !== 'none' && !FOREIGN_TOOLS.includes(options.from)) {
    throw new UsageError(`--from ${options.from}: unknown tool`, {
      hint: `one of: ${FOREIGN_TOOLS.join(', ')}, none`,
      code: 'BAD_FROM',
    });
  }
  if (options.from === 'none' && options.to === undefined)
    throw new UsageError('--from none needs --to <version>', {
      hint: 'pass the newest version the database already has',
      code: 'BASELINE_NEEDS_TO',
    });
  const migrations = await projectMigrations(p);
  const platform = await platformOf(p);
  const decide = (db: DbClient) => decideAdoption(db, branch, migrations, options);
  if (options.dryRun)
    return withBranchDb(platform, branch, async (db) => reportOf(branch, migrations, await decide(db), true));
  const native = new NativeExecutor(p.projectDir, migrations);
  let decided: Adoption | undefined;
  let report: BaselineReport | undefined;
  const run = await runPipeline(
    { ...p, env: p.env ?? process.env, platform },
    {
      command: 'baseline',
      branch,
      executor: new StampExecutor(native),
      direction: 'up',
      wait: options.wait,
      // Read under the run lock, so what is stamped is what was checked.
      select: async (_state, { db }) => {
        decided = await decide(db);
        return decided.adopted.map(unitOf);
      },
      report: (r) => {
        report = reportOf(branch, migrations, decided!, false);
        if (r.checkpoint) Object.assign(report, { checkpoint: r.checkpoint, runId: r.runId });
        return report;
      },
    },
  );
  const failed = run.applied?.results.find((r) => r.error);
  if (failed) throw new Error(`baseline failed: ${failed.error!.message}`);
  return report ?? reportOf(branch, migrations, decided!, false);
}

interface Adoption {
  adopted: Migration[];
  source: BaselineReport['source'];
}

/** The report of an adoption (before or after it was recorded). */
function reportOf(branch: string, migrations: Migration[], a: Adoption, dryRun: boolean): BaselineReport {
  const ids = new Set(a.adopted.map((m) => m.version));
  return {
    branch,
    source: a.source,
    adopted: a.adopted.map((m) => ({ version: m.version, name: m.name })),
    pending: migrations.filter((m) => !ids.has(m.version)).map((m) => ({ version: m.version, name: m.name })),
    dryRun,
  };
}

/** What the branch already has, from another tool's table or `--to`; refuses a branch with our history. */
async function decideAdoption(
  db: DbClient,
  branch: string,
  migrations: Migration[],
  options: BaselineOptions,
): Promise<Adoption> {
  const existing = await readApplied(db);
  if (existing.length) {
    throw new UsageError(`branch "${branch}" already has a neon-migrate history (${existing.length} applied)`, {
      hint: 'baseline is for a database that has none yet; see `neon-migrate status`',
      code: 'ALREADY_ADOPTED',
    });
  }
  if (options.from === 'none')
    return { adopted: stampUpTo(migrations, options.to!), source: { to: versionArgument(options.to!) } };
  const tools = options.from ? [options.from] : await detectForeignTools(db);
  if (tools.length > 1)
    throw new UsageError(`branch "${branch}" has history tables of ${tools.join(' and ')}`, {
      hint: `choose one with --from ${tools.join('|')}`,
      code: 'BASELINE_AMBIGUOUS',
    });
  const tool = tools[0];
  if (tool && options.to !== undefined) {
    throw new UsageError(`--to is for a database without a history table, and branch "${branch}" has ${tool}'s`, {
      hint: `drop --to to adopt what ${tool} recorded, or pass --from none --to ${options.to} to ignore it`,
      code: 'BASELINE_TO_WITH_TABLE',
    });
  }
  if (!tool) {
    if (options.to === undefined) {
      throw new UsageError(`branch "${branch}" has no other tool's history table (${FOREIGN_TOOLS.join(', ')})`, {
        hint: 'pass --to <version>: the newest migration the database already has',
        code: 'NO_FOREIGN_HISTORY',
      });
    }
    return { adopted: stampUpTo(migrations, options.to), source: { to: versionArgument(options.to) } };
  }
  const history = await readForeignHistory(db, tool);
  const matched = matchForeignHistory(migrations, history);
  if (matched.problems.length) {
    throw new MigrationFileError(
      `${history.table} (${tool}) disagrees with the migration files: ${matched.problems.join('; ')}`,
      {
        hint: 'make the files match what the database has (restore missing files, or fix the versions); nothing was written',
        code: 'BASELINE_MISMATCH',
      },
    );
  }
  return { adopted: matched.adopted, source: { tool, table: history.table } };
}
