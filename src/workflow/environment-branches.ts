/**
 * Environment branches: created from their parent when missing, refreshed from it on demand
 * (`test --fresh`, `branches reset`). A refresh restores the branch from its parent's head and keeps
 * the old state under a backup name; it is recorded as a `refresh` run in the branch's own history,
 * which the promote gate reads to know how fresh the branch is.
 */
import { restoreProgress } from '../run/checkpoint-restore.js';
import { assertActionAllowed } from '../run/restrictions.js';
import type { Environment } from '../config/schema.js';
import { BranchNotFoundError, GateError, UsageError } from '../errors.js';
import { listRuns } from '../history/store.js';
import { recordFinishedRun, withBranchDb } from '../run/scoped.js';
import type { Branch } from '../platform/types.js';
import { defaultPreserveName } from '../platform/restore-request.js';
import { type BranchLockOptions, lockBranch } from './branch-lock.js';
import { type MaskingRule, maskingRules } from '../masking/rules.js';
import { createMaskedBranch, recreateMaskedBranch } from './masked-branches.js';
import { nowOf, type WorkflowContext } from './workflow-context.js';

/** The branch an environment is created from and refreshed from. */
export function parentOf(ctx: WorkflowContext, env: Environment): string {
  return env.parent ?? ctx.settings.defaultBranch;
}

/** The branch if it exists, else undefined. */
export async function findBranch(ctx: WorkflowContext, name: string): Promise<Branch | undefined> {
  try {
    return await ctx.platform.getBranch(name);
  } catch (err) {
    if (err instanceof BranchNotFoundError) return undefined;
    throw err;
  }
}

/** Record that `branch` now holds a fresh copy of `parent` (a `refresh` run in its history). */
async function recordRefresh(ctx: WorkflowContext, branch: string, parent: string, backup?: string): Promise<string> {
  const at = nowOf(ctx).toISOString();
  await withBranchDb(ctx.platform, branch, (db) =>
    recordFinishedRun(db, { command: 'refresh', branch }, 'succeeded', {
      parent,
      backup: backup ?? null,
      refreshedAt: at,
    }),
  );
  return at;
}

export interface EnsuredBranch {
  branch: Branch;
  created: boolean;
}

/**
 * Make sure an environment's branch exists, creating it from its parent when missing.
 *
 * @example
 * ```ts
 * const { branch, created } = await ensureEnvironmentBranch(ctx, loadEnvironment(projectDir, settings, 'dev'));
 * ```
 */
export async function ensureEnvironmentBranch(ctx: WorkflowContext, env: Environment): Promise<EnsuredBranch> {
  const existing = await findBranch(ctx, env.branch);
  if (existing) return { branch: existing, created: false };
  const parent = parentOf(ctx, env);
  if (parent === env.branch)
    throw new BranchNotFoundError(
      env.branch,
      (await ctx.platform.listBranches()).map((b) => b.name),
    );
  const rules = maskingRules(env.masking);
  let branch: Branch;
  if (rules.length) branch = (await createMaskedBranch(ctx, env.branch, parent, rules)).branch;
  else {
    ctx.log?.(`creating branch ${env.branch} from ${parent}`);
    branch = await ctx.platform.createBranch({ name: env.branch, parent });
  }
  await recordRefresh(ctx, env.branch, parent);
  return { branch, created: true };
}

export interface RefreshResult {
  branch: string;
  parent: string;
  /** The branch holding the pre-refresh state (none for a masked branch, which is created anew). */
  backup?: string;
  /** A masked branch: created anew from its parent, masked by this many rules. */
  masked?: { rules: number };
  refreshedAt: string;
}

/** Options of `refreshBranch`. */
export interface RefreshOptions extends BranchLockOptions {
  /**
   * The environment's masking rules: the branch is then created anew, masked (a masked branch is
   * never restored, and an unmasked copy must not replace it). A masked branch without them keeps its own rules.
   */
  masking?: MaskingRule[];
}

/**
 * Refresh a branch from its parent's head, keeping the old state as `<name>_old_<stamp>`. Takes the
 * branch's run lock first (exit 5 when another run holds it, unless `wait`), or uses `lock`.
 *
 * @example
 * ```ts
 * const r = await refreshBranch(ctx, 'staging', 'main', { wait: true });
 * console.log(`previous state of ${r.branch} kept as ${r.backup}`);
 * ```
 */
export async function refreshBranch(
  ctx: WorkflowContext,
  branch: string,
  parent: string,
  options: RefreshOptions = {},
): Promise<RefreshResult> {
  if (branch === parent)
    throw new UsageError(`branch "${branch}" is its own parent and cannot be refreshed`, {
      hint: 'refresh an environment branch such as dev or staging',
      code: 'RESET_ROOT',
    });
  const target = await ctx.platform.getBranch(branch);
  // The protected-branch gate (exit 3, README "Exit codes"): production is only ever replaced by an explicit restore.
  if (target.default)
    throw new GateError(`branch "${branch}" is the default branch; refreshing it would replace production`, {
      hint: 'use `neon-migrate restore` for the default branch',
      code: 'RESET_DEFAULT',
    });
  assertActionAllowed(target, 'reset');
  const lock = await lockBranch(ctx, branch, options);
  // Released right before the restore: it restarts the branch's compute, ending every session on it.
  await lock.release();
  if (target.masking || options.masking?.length) {
    await recreateMaskedBranch(ctx, target, parent, options.masking);
    const rules = (await ctx.platform.getBranch(branch)).masking?.rules ?? 0;
    return { branch, parent, masked: { rules }, refreshedAt: await recordRefresh(ctx, branch, parent) };
  }
  const backupName = defaultPreserveName(branch, nowOf(ctx));
  ctx.log?.(`refreshing ${branch} from ${parent} (old state kept as ${backupName})`);
  const result = await ctx.platform.restoreBranch(branch, {
    source: parent,
    preserveUnderName: backupName,
    ...restoreProgress(ctx),
  });
  const refreshedAt = await recordRefresh(ctx, branch, parent, result.backup?.name ?? backupName);
  return { branch, parent, backup: result.backup?.name ?? backupName, refreshedAt };
}

/** When the branch last got a fresh copy of `parent`: its newest `refresh` run, else its creation from that parent. */
export async function lastRefreshedAt(
  ctx: WorkflowContext,
  branch: Branch,
  parent: string,
  db: Parameters<typeof listRuns>[0],
): Promise<string | undefined> {
  const refresh = (await listRuns(db, { command: 'refresh', limit: 50 })).find(
    (r) => r.branch === branch.name && r.status === 'succeeded',
  );
  if (refresh) return refresh.startedAt;
  const parentBranch = await findBranch(ctx, parent);
  return parentBranch && branch.parentId === parentBranch.id ? branch.createdAt : undefined;
}
