/** `test --branch <env>`: the protected run on an environment branch (dev, staging). */
import { loadEnvironment } from '../config/load.js';
import { withBranchDb } from '../run/scoped.js';
import { UsageError } from '../errors.js';
import { projectExecutor } from '../executors/project-executor.js';
import { assertCommandsExist } from '../verify/user-commands.js';
import {
  ensureEnvironmentBranch,
  findBranch,
  lastRefreshedAt,
  parentOf,
  type RefreshResult,
  refreshBranch,
} from './environment-branches.js';
import type { WorkflowContext } from './workflow-context.js';
import { type GuardedRunOptions, type GuardedRunResult, guardedRun, loadAssertions } from './guarded-run.js';
import { schemaOnlyReport, withSchemaOnlyBranch } from './schema-only.js';
import type { Environment } from '../config/schema.js';
import { maskingRules } from '../masking/rules.js';
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
  /** Run on a schema-only copy of the branch (no rows); default: the environment's `schemaOnly`. */
  schemaOnly?: boolean;
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
  const guarded = {
    command: 'test' as const,
    environment: env,
    runCommands,
    reversibility: env.checks.reversibility,
    parent,
    wait: opts.wait,
    resume: opts.resume,
    analysis: { settings: ctx.settings, environment: env, measure: true, queries },
    executor,
  };
  if (opts.schemaOnly ?? env.schemaOnly) return schemaOnlyTest(ctx, env, opts, guarded);
  const ensured = await ensureEnvironmentBranch(ctx, env);
  const masking = maskingRules(env.masking);
  const refresh =
    opts.fresh && !ensured.created
      ? await refreshBranch(ctx, env.branch, parent, { wait: opts.wait, masking })
      : undefined;
  const branch = await ctx.platform.getBranch(env.branch);
  const refreshedAt = await withBranchDb(ctx.platform, env.branch, (db) => lastRefreshedAt(ctx, branch, parent, db));
  const notes: string[] = [];
  const masked = branch.masking ? `, masked by ${branch.masking.rules} masking rules` : '';
  if (ensured.created) notes.push(`created branch ${env.branch} from ${parent}${masked}`);
  if (refresh?.masked)
    notes.push(`created ${env.branch} anew from ${parent}${masked} (a masked branch is never restored)`);
  else if (refresh) notes.push(`refreshed ${env.branch} from ${parent}; previous state kept as ${refresh.backup}`);
  if (masking.length && !branch.masking)
    notes.push(
      `${env.file} declares masking rules, but branch ${env.branch} is not masked: \`neon-migrate branches reset ${env.branch}\` creates it masked`,
    );
  const result = await guardedRun(ctx, { ...guarded, refreshedAt, notes });
  return { ...result, createdBranch: ensured.created, ...(refresh ? { refresh } : {}) };
}

/**
 * The schema-only form: on a schema-only copy of the environment's branch (of its parent when the
 * branch does not exist yet: no full copy is made), deleted afterwards. The report says data checks
 * were skipped; the pass is recorded on the copy only, so it never satisfies the promote gate.
 */
async function schemaOnlyTest(
  ctx: WorkflowContext,
  env: Environment,
  opts: TestOptions,
  guarded: Omit<GuardedRunOptions, 'notes'>,
): Promise<TestResult> {
  if (opts.fresh || opts.resume)
    throw new UsageError(`--${opts.fresh ? 'fresh' : 'resume'} does not apply to a schema-only test`, {
      hint: 'a schema-only test always starts from a new copy of the schema; drop the flag',
      code: 'USAGE',
    });
  const source = (await findBranch(ctx, env.branch)) ? env.branch : guarded.parent!;
  const result = await withSchemaOnlyBranch(ctx, source, (branch) => {
    const schemaOnly = schemaOnlyReport(source, branch);
    return guardedRun(ctx, {
      ...guarded,
      environment: { ...env, branch },
      notes: [
        `schema-only: ran on ${branch}, a copy of ${source}'s schema without rows (deleted afterwards)`,
        `data checks skipped: ${schemaOnly.reason}`,
      ],
      extra: { schemaOnly },
    });
  });
  return { ...result, createdBranch: false };
}
