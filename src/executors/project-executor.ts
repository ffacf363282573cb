/** The executor a project runs with: its `runner` setting, or a one-off command (`test -- <cmd>`). */
import type { Settings } from '../config/schema.js';
import { projectMigrations } from '../run/run-context.js';
import { createExecutor, type CreateExecutorOptions, runnerKind } from './index.js';
import { NativeExecutor } from './native.js';
import type { Executor } from './types.js';

/** Build (not prepare) the project's executor; `native` loads the migration files (their errors are exit 2). */
export async function projectExecutor(
  p: { projectDir: string; settings: Settings; env: NodeJS.ProcessEnv },
  options: CreateExecutorOptions = {},
): Promise<Executor> {
  if (!options.command && runnerKind(p.settings.runner) === 'native') {
    return new NativeExecutor(p.projectDir, await projectMigrations(p));
  }
  return createExecutor(p.projectDir, p.settings, p.env, options);
}
