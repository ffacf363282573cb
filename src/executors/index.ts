/**
 * Choosing the executor from the `runner` setting. Every wrapped tool is built here; `native`
 * (our own migration files) is the run pipeline's and is refused here.
 */
import type { Settings } from '../config/schema.js';
import type { RunnerSetting } from '../config/runner-schema.js';
import {
  alembicOptionsSchema,
  dbmateOptionsSchema,
  drizzleOptionsSchema,
  knexOptionsSchema,
  nodePgMigrateOptionsSchema,
  sqitchOptionsSchema,
} from '../config/runner-schema.js';
import { AlembicExecutor } from './alembic.js';
import { CommandExecutor, commandSpecFromSettings, oneOffCommand } from './command.js';
import { DbmateExecutor } from './dbmate.js';
import { DrizzleExecutor } from './drizzle.js';
import { KnexExecutor } from './knex.js';
import { NodePgMigrateExecutor } from './node-pg-migrate.js';
import { SqitchExecutor } from './sqitch.js';
import type { Executor, ExecutorKind } from './types.js';
import { UnavailableExecutor } from './unavailable.js';

export { AlembicExecutor } from './alembic.js';
export { DbmateExecutor } from './dbmate.js';
export { DrizzleExecutor } from './drizzle.js';
export { KnexExecutor } from './knex.js';
export { NodePgMigrateExecutor } from './node-pg-migrate.js';
export { SqitchExecutor } from './sqitch.js';
export { CommandExecutor, oneOffCommand, type CommandSpec } from './command.js';
export type * from './types.js';

/** The kind a `runner` setting names. */
export function runnerKind(setting: RunnerSetting): ExecutorKind {
  return typeof setting === 'string' ? setting : (Object.keys(setting)[0] as ExecutorKind);
}

/** The options object of a `runner` setting ({} for the plain kind name). */
function runnerOptions(setting: RunnerSetting): Record<string, unknown> {
  return typeof setting === 'string' ? {} : (Object.values(setting)[0] as Record<string, unknown>);
}

export interface CreateExecutorOptions {
  /** The one-off form `test -- <command and args>`: this command runs instead of the configured runner. */
  command?: string[];
}

/** The executor for the project's `runner` setting (or a one-off command); throws for `native`. */
export function createExecutor(
  projectDir: string,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  options: CreateExecutorOptions = {},
): Executor {
  if (options.command) return new CommandExecutor(projectDir, oneOffCommand(options.command), env);
  const setting = settings.runner;
  const kind = runnerKind(setting);
  const opts = runnerOptions(setting);
  switch (kind) {
    case 'native':
      throw new Error('createExecutor: the native runner is built by the run pipeline, not by src/executors');
    case 'alembic':
      return new AlembicExecutor(projectDir, alembicOptionsSchema.parse(opts), env);
    case 'node-pg-migrate':
      return new NodePgMigrateExecutor(projectDir, nodePgMigrateOptionsSchema.parse(opts), env);
    case 'dbmate':
      return new DbmateExecutor(projectDir, dbmateOptionsSchema.parse(opts), env);
    case 'drizzle':
      return new DrizzleExecutor(projectDir, drizzleOptionsSchema.parse(opts), env);
    case 'sqitch':
      return new SqitchExecutor(projectDir, sqitchOptionsSchema.parse(opts), env);
    case 'knex':
      return new KnexExecutor(projectDir, knexOptionsSchema.parse(opts), env);
    case 'command':
      return new CommandExecutor(
        projectDir,
        commandSpecFromSettings(opts as Parameters<typeof commandSpecFromSettings>[0]),
        env,
      );
    default:
      return new UnavailableExecutor(kind, `the ${kind} runner is not available`);
  }
}
