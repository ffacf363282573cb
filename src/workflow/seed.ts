/**
 * Demo data for a new local project (settings `local.seed`). The seed file's first line
 * `-- neon-migrate:seed-baseline <version>` says which schema it needs: those migrations are applied
 * to the default branch through the runner first (recorded in its history like any run), then the
 * file runs. Size comes from NEON_MIGRATE_SEED_TASKS (the setting neon_migrate.seed_tasks).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, PlatformError, UsageError } from '../errors.js';
import { finishRun, readApplied, recordRun } from '../history/store.js';
import { projectMigrations } from '../run/run-context.js';
import { runMigrations } from '../executors/native-runner.js';
import { selectMigrations } from '../run/select.js';
import { openRunSession } from '../run/run-lock.js';
import { compareWithHistory } from '../history/compare.js';
import type { Platform } from '../platform/types.js';
import type { WorkflowContext } from './workflow-context.js';

export interface SeedResult {
  file: string;
  baselineApplied: string[];
  tasks: string;
}

const BASELINE = /^--\s*neon-migrate:seed-baseline\s+(\S+)/m;
// One seed per platform object, even when several commands share it.
const seeded = new WeakSet<Platform>();

/** Seed the default branch when this platform just created the local project; otherwise do nothing. */
export async function seedIfCreated(ctx: WorkflowContext): Promise<SeedResult | undefined> {
  const platform = ctx.platform as Platform & { created?: boolean };
  const file = ctx.settings.local.seed;
  if (platform.kind !== 'local' || !platform.created || !file || seeded.has(platform)) return undefined;
  seeded.add(platform);
  const full = path.resolve(ctx.projectDir, file);
  if (!existsSync(full)) throw new ConfigError([{ file: 'neon-migrate.json', key: 'local.seed', message: `seed script ${file} not found` }]);
  const sql = readFileSync(full, 'utf8');
  const tasks = ctx.env.NEON_MIGRATE_SEED_TASKS ?? '';
  if (tasks && !/^\d+$/.test(tasks)) throw new UsageError(`NEON_MIGRATE_SEED_TASKS must be a whole number, got "${tasks}"`, 'e.g. NEON_MIGRATE_SEED_TASKS=2000', 'BAD_SEED_SIZE');
  const branch = ctx.settings.defaultBranch;
  ctx.log?.(`new local project: seeding ${branch} with ${file}${tasks ? ` (${tasks} tasks)` : ''}`);
  const migrations = await projectMigrations(ctx);
  const session = await openRunSession(await ctx.platform.connectionUri(branch), { branch, timeouts: { ...ctx.settings.timeouts, statementTimeout: '0' } });
  try {
    const { db } = session;
    const baseline = BASELINE.exec(sql)?.[1];
    const state = compareWithHistory(migrations, await readApplied(db));
    const toApply = baseline ? selectMigrations('up', migrations, state, { to: baseline }) : [];
    const runId = randomUUID();
    await recordRun(db, { id: runId, command: 'seed', branch });
    const run = await runMigrations({ db, branch, direction: 'up', migrations: toApply, runId, log: ctx.log });
    const failed = run.results.find((r) => r.error);
    if (failed) throw new PlatformError(`seeding failed: baseline migration ${failed.name}: ${failed.error!.message}`, 'fix the migration, delete .neon-migrate/local and run again', 'SEED_FAILED');
    await db.query(`SELECT set_config('neon_migrate.seed_tasks', $1, false)`, [tasks]);
    try {
      await db.query(sql);
    } catch (err) {
      throw new PlatformError(`seeding failed: ${file}: ${(err as Error).message}`, 'fix the seed script, delete .neon-migrate/local and run again', 'SEED_FAILED');
    }
    const result = { file, baselineApplied: toApply.map((m) => m.name), tasks: tasks || 'default' };
    await finishRun(db, runId, 'succeeded', result);
    return result;
  } finally {
    await session.close();
  }
}
