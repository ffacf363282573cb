/** What the run pipeline and the library's command functions need: project, settings, platform, I/O. */
import type { Settings } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { checkMigrationsHaveStatements, requireMigrationsDir } from '../migrations/file-text.js';
import { type LoadOptions, loadMigrations } from '../migrations/load.js';
import type { Migration } from '../migrations/types.js';
import type { Platform } from '../platform/types.js';

/** A project with its platform open: what a run needs. */
export interface RunContext {
  projectDir: string;
  settings: Settings;
  /** Process environment (PATH for --run and wrapped tools, NEON_MIGRATE_SEED_TASKS...). */
  env: NodeJS.ProcessEnv;
  platform: Platform;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (message: string) => void;
  /** A terminal for progress bars (batched backfills); without one, progress goes to `log` as lines. */
  progressStream?: NodeJS.WritableStream;
  /** Ask for confirmation (the CLI's `--yes` / TTY prompt); absent = refuse when one is needed. */
  confirm?: (question: string) => Promise<boolean>;
  /** The clock, injectable for tests of age limits. */
  now?: () => Date;
}

/** A project whose platform opens only once inputs are validated (`up`, `down`, `status`, `plan`). */
export interface MigrationProject extends Omit<RunContext, 'platform' | 'env'> {
  /** The platform, or a function opening it (called only once inputs are validated). */
  platform: Platform | (() => Promise<Platform>);
  env?: NodeJS.ProcessEnv;
}

/** The project's platform, opening it on first use. */
export async function platformOf(p: Pick<MigrationProject, 'platform'>): Promise<Platform> {
  return typeof p.platform === 'function' ? p.platform() : p.platform;
}

/**
 * Load the project's migrations (file errors are thrown before anything connects). With a wrapped
 * runner (alembic, knex...) there are none of ours: its folder holds the tool's files, not ours to
 * load, and the executor validates them (`prepare`), so a run's up-front check finds nothing.
 * A read-only caller (`importTs: false`: `plan`; `status` asks the tool first) would take that
 * for "nothing to do": it is refused instead, until `plan` asks the executor (`renderSql`).
 */
export async function projectMigrations(
  p: Pick<MigrationProject, 'projectDir' | 'settings'>,
  options: Pick<LoadOptions, 'importTs'> = {},
): Promise<Migration[]> {
  const runner = p.settings.runner;
  const kind = typeof runner === 'string' ? runner : Object.keys(runner)[0];
  if (kind !== 'native') {
    if (options.importTs === false) {
      throw new UsageError(`plan is not available for the ${kind} runner yet`, {
        hint: 'the tool prints its own SQL; `neon-migrate status` lists what is pending',
        code: 'RUNNER_OFFLINE_SQL',
      });
    }
    return [];
  }
  requireMigrationsDir(p.projectDir, p.settings.migrationsDir);
  const migrations = await loadMigrations(p.projectDir, p.settings.migrationsDir, {
    ordering: p.settings.ordering,
    postgresVersion: p.settings.postgresVersion,
    ...options,
  });
  checkMigrationsHaveStatements(migrations);
  return migrations;
}

/** The current time of a context. */
export function nowOf(ctx: Pick<RunContext, 'now'>): Date {
  return ctx.now ? ctx.now() : new Date();
}

/** `YYYYMMDDTHHMMSSZ` in UTC, for generated branch names. */
export function utcStamp(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
