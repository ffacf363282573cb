/**
 * Masked environment branches (issue 13): an environment with `masking` rules gets its branch
 * created masked by the platform (masked before anything connects), and then proven: a sample of
 * rows is compared, by primary key, with the parent; an original value left in a masked column
 * deletes the branch and fails. A masked branch is never restored (Neon's rule), so its refresh
 * creates it anew: the old one and the branches made from it (checkpoints, backups) are deleted.
 */
import { MaskedBranchError } from '../errors.js';
import type { DbClient } from '../db/connect.js';
import type { MaskingRule } from '../masking/rules.js';
import type { CatalogQuery } from '../masking/targets.js';
import { assertNoLeak, checkMasking, type MaskingCheck } from '../masking/verify.js';
import type { Branch } from '../platform/types.js';
import { withBranchDb } from '../run/scoped.js';
import { deleteBranchTree } from './schema-only.js';
import type { WorkflowContext } from './workflow-context.js';

/** A DbClient as the masking checks' query function. */
function queryOn(db: DbClient): CatalogQuery {
  return async <R>(sql: string, params: unknown[]) => (await db.query<R>(sql, params)).rows;
}

/** Compare a sample of the masked branch's rows with the parent's (no values leave the databases' answers). */
export async function verifyMaskedBranch(
  ctx: WorkflowContext,
  branch: string,
  parent: string,
  rules: MaskingRule[],
): Promise<MaskingCheck> {
  return withBranchDb(ctx.platform, branch, (masked) =>
    withBranchDb(ctx.platform, parent, (original) => checkMasking(queryOn(masked), queryOn(original), rules)),
  );
}

/**
 * Create `name` from `parent` masked by `rules`, and prove it holds no original value; a leak
 * deletes the branch and throws `MASKING_LEAK`.
 *
 * @example
 * ```ts
 * const { branch, check } = await createMaskedBranch(ctx, 'staging', 'main', maskingRules(env.masking));
 * ```
 */
export async function createMaskedBranch(
  ctx: WorkflowContext,
  name: string,
  parent: string,
  rules: MaskingRule[],
): Promise<{ branch: Branch; check: MaskingCheck }> {
  ctx.log?.(`creating branch ${name} from ${parent}, masked by ${rules.length} masking rules`);
  const branch = await ctx.platform.createBranch({ name, parent, masking: rules });
  let check: MaskingCheck;
  try {
    check = await verifyMaskedBranch(ctx, name, parent, rules);
    assertNoLeak(name, check);
  } catch (err) {
    await ctx.platform.deleteBranch(branch.id).catch(() => undefined);
    throw err;
  }
  ctx.log?.(
    `masking checked: ${check.rows} sampled rows of ${check.tables} tables hold no original value${check.unverified.length ? ` (not compared, no primary key: ${check.unverified.join(', ')})` : ''}`,
  );
  return { branch, check };
}

/**
 * Refresh a masked branch by creating it anew from `parent` with `rules` (default: the rules it was
 * masked with). The old branch and every branch made from it are deleted first.
 */
export async function recreateMaskedBranch(
  ctx: WorkflowContext,
  branch: Branch,
  parent: string,
  rules?: MaskingRule[],
): Promise<void> {
  const use = rules?.length ? rules : ((await ctx.platform.maskingStatus?.(branch.id))?.rules ?? []);
  if (!use.length)
    throw new MaskedBranchError(`branch "${branch.name}" is masked, but its masking rules cannot be read`, {
      hint: `declare them under "masking" in the environment of ${branch.name}`,
    });
  ctx.log?.(
    `creating masked branch ${branch.name} anew from ${parent}: a masked branch is never restored, so it and the branches made from it are deleted`,
  );
  await deleteBranchTree(ctx.platform, branch, ctx.log);
  await createMaskedBranch(ctx, branch.name, parent, use);
}
