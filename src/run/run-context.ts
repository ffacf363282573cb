/** What the run pipeline and the library's command functions need: project, settings, platform, I/O. */
import type { Settings } from '../config/schema.js';
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

/** Load the project's migrations (file errors are thrown before anything connects). */
export async function projectMigrations(
  p: Pick<MigrationProject, 'projectDir' | 'settings'>,
  options: Pick<LoadOptions, 'importTs'> = {},
): Promise<Migration[]> {
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
