/** `test --branch <env>`: the protected run on an environment branch (dev, staging). */
import { loadEnvironment } from '../config/load.js';
import { withBranchDb } from '../run/scoped.js';
import { UsageError } from '../errors.js';
import { projectExecutor } from '../executors/project-executor.js';
import { assertCommandsExist } from '../verify/user-commands.js';
import {
  ensureEnvironmentBranch,
  lastRefreshedAt,
  parentOf,
  type RefreshResult,
  refreshBranch,
} from './environment-branches.js';
import type { WorkflowContext } from './workflow-context.js';
import { type GuardedRunResult, guardedRun, loadAssertions } from './guarded-run.js';
import { seedIfCreated } from './seed.js';
import { loadWorkloadQueries } from '../analysis/latency.js';

export interface TestOptions {
  /** Environment name or its branch. */
  branch: string;
  /** Refresh the branch from its parent first (old state kept as a backup branch). */
  fresh?: boolean;
  /** Extra `--run` commands. */
  run?: string[];
  /** Wait for another run's lock on the branch (refresh and run) instead of failing with exit 5. */
  wait?: boolean;
  /** Continue an interrupted test run on the branch. */
  resume?: boolean;
  /** The one-off form `test --branch dev -- <command and args>`: this command is the migration. */
  command?: string[];
}

export interface TestResult extends GuardedRunResult {
  createdBranch: boolean;
  refresh?: RefreshResult;
}

/**
 * Run `test` on an environment branch.
 *
 * @example
 * ```ts
 * const { report, reportFile } = await runTest(ctx, { branch: 'staging', fresh: true, run: ['npm run smoke'] });
 * if (report.outcome === 'failed') console.error(report.failure, '(restored; see', reportFile, ')');
 * ```
 */
export async function runTest(ctx: WorkflowContext, opts: TestOptions): Promise<TestResult> {
  const env = loadEnvironment(ctx.projectDir, ctx.settings, opts.branch);
  if (env.branch === ctx.settings.defaultBranch) {
    throw new UsageError(`test runs on copies of ${env.branch}, not on ${env.branch} itself`, {
      hint: 'test on dev or staging, then `neon-migrate promote`',
      code: 'TEST_ON_DEFAULT',
    });
  }
  const runCommands = [...env.checks.run, ...(opts.run ?? [])];
  // Everything that can be validated is, before the branch is created or refreshed.
  // The runner's tool is there (alembic in the venv...) before any branch is created or seeded.
  const executor = await projectExecutor(ctx, opts.command ? { command: opts.command } : {});
  await executor.prepare();
  await loadAssertions(ctx, env);
  const queries = loadWorkloadQueries(ctx.projectDir, env.checks.queries, env.file);
  assertCommandsExist(runCommands, ctx.projectDir, ctx.env);
  await seedIfCreated(ctx);
  const parent = parentOf(ctx, env);
  const ensured = await ensureEnvironmentBranch(ctx, env);
  const refresh =
    opts.fresh && !ensured.created ? await refreshBranch(ctx, env.branch, parent, { wait: opts.wait }) : undefined;
  const branch = await ctx.platform.getBranch(env.branch);
  const refreshedAt = await withBranchDb(ctx.platform, env.branch, (db) => lastRefreshedAt(ctx, branch, parent, db));
  const notes: string[] = [];
  if (ensured.created) notes.push(`created branch ${env.branch} from ${parent}`);
  if (refresh) notes.push(`refreshed ${env.branch} from ${parent}; previous state kept as ${refresh.backup}`);
  const result = await guardedRun(ctx, {
    command: 'test',
    environment: env,
    runCommands,
    reversibility: env.checks.reversibility,
    parent,
    refreshedAt,
    notes,
    wait: opts.wait,
    resume: opts.resume,
    analysis: { settings: ctx.settings, environment: env, measure: true, queries },
    executor,
  });
  return { ...result, createdBranch: ensured.created, ...(refresh ? { refresh } : {}) };
}
