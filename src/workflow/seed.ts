/**
 * Demo data for a new local project (settings `local.seed`). The seed file's first line
 * `-- neon-migrate:seed-baseline <version>` says which schema it needs: those migrations are applied
 * to the default branch through the runner first (recorded in its history like any run), then the
 * file runs. Size comes from NEON_MIGRATE_SEED_TASKS (the setting neon_migrate.seed_tasks).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, PlatformError, UsageError } from '../errors.js';
import { type OpenPlatformOptions, openPlatform } from '../platform/open.js';
import type { Platform } from '../platform/types.js';
import { projectExecutor } from '../executors/project-executor.js';
import type { ExecutorState, ExecutorUnit } from '../executors/types.js';
import { runPipeline } from '../run/pipeline.js';
import { selectUnits } from '../run/select.js';
import type { WorkflowContext } from './workflow-context.js';

export interface SeedResult {
  file: string;
  baselineApplied: string[];
  tasks: string;
}

const BASELINE = /^--\s*neon-migrate:seed-baseline\s+(\S+)/m;
// One seed per platform object, even when several commands share it.
const seeded = new WeakSet<Platform>();

/** The pending units up to the baseline: a wrapped tool's revision id as it is, or one of our versions. */
function baselineUnits(state: ExecutorState, baseline: string): ExecutorUnit[] {
  if (state.applied.some((u) => u.version === baseline)) return [];
  const at = state.pending.findIndex((u) => u.version === baseline);
  return at >= 0 ? state.pending.slice(0, at + 1) : selectUnits('up', state, { to: baseline });
}

/**
 * Seed the default branch when this platform just created the local project; otherwise do nothing.
 *
 * @example
 * ```ts
 * const platform = await openPlatform({ projectDir, env, settings });
 * const seeded = await seedIfCreated({ projectDir, settings, env, platform });
 * if (seeded) console.log(`seeded with ${seeded.file}`);
 * ```
 */
export async function seedIfCreated(ctx: WorkflowContext): Promise<SeedResult | undefined> {
  const { platform } = ctx;
  const file = ctx.settings.local.seed;
  if (platform.kind !== 'local' || !platform.created || !file || seeded.has(platform)) return undefined;
  seeded.add(platform);
  const full = path.resolve(ctx.projectDir, file);
  if (!existsSync(full))
    throw new ConfigError([{ file: 'neon-migrate.json', key: 'local.seed', message: `seed script ${file} not found` }]);
  const sql = readFileSync(full, 'utf8');
  const tasks = ctx.env.NEON_MIGRATE_SEED_TASKS ?? '';
  if (tasks && !/^\d+$/.test(tasks))
    throw new UsageError(`NEON_MIGRATE_SEED_TASKS must be a whole number, got "${tasks}"`, {
      hint: 'e.g. NEON_MIGRATE_SEED_TASKS=2000',
      code: 'BAD_SEED_SIZE',
    });
  const branch = ctx.settings.defaultBranch;
  ctx.log?.(`new local project: seeding ${branch} with ${file}${tasks ? ` (${tasks} tasks)` : ''}`);
  const executor = await projectExecutor(ctx);
  await executor.prepare();
  const baseline = BASELINE.exec(sql)?.[1];
  let result: SeedResult | undefined;
  const run = await runPipeline(ctx, {
    command: 'seed',
    branch,
    executor,
    direction: 'up',
    timeouts: { ...ctx.settings.timeouts, statementTimeout: '0' },
    // A new project's first data: there is nothing to protect yet.
    checkpoint: false,
    runWhenEmpty: true,
    select: (state) => (baseline ? baselineUnits(state, baseline) : []),
    afterApply: async (db) => {
      await db.query(`SELECT set_config('neon_migrate.seed_tasks', $1, false)`, [tasks]);
      try {
        await db.query(sql);
      } catch (err) {
        throw new PlatformError(`seeding failed: ${file}: ${(err as Error).message}`, {
          hint: 'fix the seed script, delete .neon-migrate/local and run again',
          code: 'SEED_FAILED',
        });
      }
    },
    report: (r) => (result = { file, baselineApplied: r.units.map((m) => m.name), tasks: tasks || 'default' }),
  });
  const failed = run.applied?.results.find((r) => r.error);
  if (failed)
    throw new PlatformError(`seeding failed: baseline migration ${failed.name}: ${failed.error!.message}`, {
      hint: 'fix the migration, delete .neon-migrate/local and run again',
      code: 'SEED_FAILED',
    });
  return result;
}

/**
 * Open the project's platform and, when that open created a new local project, seed it: the CLI's
 * way in, so a newcomer's first command (whatever it is) sees the demo data.
 *
 * @example
 * ```ts
 * const platform = await openProjectPlatform({ projectDir, env: process.env, settings: loadSettings(projectDir) });
 * ```
 */
export async function openProjectPlatform(options: OpenPlatformOptions): Promise<Platform> {
  const platform = await openPlatform(options);
  await seedIfCreated({ ...options, platform });
  return platform;
}
