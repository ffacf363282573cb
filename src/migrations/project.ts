/** What the library's command functions need: the project, its settings, the platform, a logger. */
import type { Settings } from '../config/schema.js';
import { ConflictError } from '../errors.js';
import type { Branch, Platform } from '../platform/types.js';
import { type LoadOptions, loadMigrations } from './load.js';
import type { Migration } from './types.js';

export interface MigrationProject {
  projectDir: string;
  settings: Settings;
  /** The platform, or a function opening it (called only once inputs are validated). */
  platform: Platform | (() => Promise<Platform>);
  /** Progress lines (the CLI sends them to stderr). */
  log?: (message: string) => void;
  /** Ask for confirmation (the CLI's `--yes` / TTY prompt); absent = refuse when one is needed. */
  confirm?: (question: string) => Promise<boolean>;
}

/** The project's platform, opening it on first use. */
export async function platformOf(p: Pick<MigrationProject, 'platform'>): Promise<Platform> {
  return typeof p.platform === 'function' ? p.platform() : p.platform;
}

/** Load the project's migrations (file errors are thrown before anything connects). */
export function projectMigrations(p: Pick<MigrationProject, 'projectDir' | 'settings'>, options: LoadOptions = {}): Promise<Migration[]> {
  return loadMigrations(p.projectDir, p.settings.migrationsDir, options);
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function utcStamp(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Take a checkpoint branch of `branch` (DESIGN §4), named `checkpoint/<branch>/<UTC stamp>`. */
export async function createCheckpoint(platform: Platform, branch: string, now = new Date()): Promise<Branch> {
  const base = `checkpoint/${branch}/${utcStamp(now)}`;
  // Two runs within one second would collide on the name: suffix rather than fail.
  for (let i = 0; ; i++) {
    try {
      return await platform.createBranch({ name: i === 0 ? base : `${base}-${i}`, parent: branch });
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= 9) throw err;
    }
  }
}
