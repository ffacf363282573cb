/**
 * A restore verified before it goes live (issue 13): the source point is first materialized as a
 * preview branch (`preview/<branch>/<stamp>`, with `branches.ttl`); the integrity checks (no
 * foreign-key orphans, no invalid indexes) and the assertions of the branch's environment run on
 * it, and the dry-run figures (what the restore changes) are computed from it. Only when all pass
 * is the branch restored, from that very preview, its old state kept as a backup; then the preview
 * goes. A failed check leaves the branch untouched and keeps the preview for inspection (exit 1).
 * Platform-agnostic: the same on the local engine and on Neon.
 */
import { restoreProgress } from '../run/checkpoint-restore.js';
import { randomUUID } from 'node:crypto';
import { loadAllEnvironments } from '../config/load.js';
import { MigrationFailedError } from '../errors.js';
import { readApplied } from '../history/store.js';
import { defaultPreserveName, type RestorePlan } from '../platform/restore-request.js';
import type { RestoreResult } from '../platform/types.js';
import { withBranchDb } from '../run/scoped.js';
import { withBranchAt } from '../run/checkpoint-source.js';
import { toolBranchOptions } from '../run/tool-branch.js';
import {
  type AssertionFile,
  type AssertionResult,
  listAssertionFiles,
  loadAssertionFile,
  runAssertions,
} from '../verify/assertions.js';
import { findInvalidIndexes, findOrphanedRows, type InvalidIndex, type OrphanedRows } from '../verify/checks.js';
import { measureDryRun, type RestoreDryRun } from './restore-branch.js';
import { nowOf, stamp, type WorkflowContext } from './workflow-context.js';

/** What the checks on the preview found. */
export interface PreviewCheck {
  /** The preview branch (deleted once the restore went live; kept when a check failed). */
  preview: string;
  passed: boolean;
  /** One line per failed check. */
  failures: string[];
  orphans: OrphanedRows[];
  invalidIndexes: InvalidIndex[];
  assertions: AssertionResult[];
  /** What the restore changes, measured between the branch now and the preview. */
  dryRun: RestoreDryRun;
}

/** The assertion files of the environment on `branch` (the project's default set when none is), parsed first. */
async function assertionFilesFor(ctx: WorkflowContext, branch: string): Promise<AssertionFile[]> {
  const env = loadAllEnvironments(ctx.projectDir, ctx.settings).find((e) => e.branch === branch);
  const seed = ctx.settings.local.seed ? [ctx.settings.local.seed] : [];
  const files = listAssertionFiles(ctx.projectDir, ctx.settings.scriptsDir, env?.checks.assertions ?? [], seed);
  return Promise.all(files.map((f) => loadAssertionFile(ctx.projectDir, f)));
}

/** Run the checks on the preview. */
async function checkPreview(
  ctx: WorkflowContext,
  plan: RestorePlan,
  preview: string,
  files: AssertionFile[],
): Promise<PreviewCheck> {
  const found = await withBranchDb(ctx.platform, preview, async (db) => {
    const applied = (await readApplied(db)).map((a) => a.version);
    return {
      orphans: (await findOrphanedRows(db)).filter((o) => o.orphans > 0),
      invalidIndexes: await findInvalidIndexes(db),
      assertions: await runAssertions(db, files, applied),
    };
  });
  const failures = [
    ...found.orphans.map((o) => `${o.orphans} row(s) of ${o.table} violate ${o.constraint} (no ${o.references} row)`),
    ...found.invalidIndexes.map((i) => `index ${i.index} on ${i.table} is invalid`),
    ...found.assertions
      .filter((a) => !a.passed)
      .map((a) => `assertion ${a.name} (${a.file}) failed${a.detail ? `: ${a.detail}` : ''}`),
  ];
  const dryRun = await measureDryRun(ctx, plan, preview);
  return { preview, passed: failures.length === 0, failures, ...found, dryRun };
}

/** The exit-1 refusal of a restore whose preview failed a check; the branch was not touched. */
function previewFailed(plan: RestorePlan, check: PreviewCheck): MigrationFailedError {
  const more = check.failures.length > 1 ? ` (and ${check.failures.length - 1} more)` : '';
  return new MigrationFailedError(
    `restore of ${plan.target} not done: its preview ${check.preview} failed a check: ${check.failures[0]}${more}`,
    {
      hint: `${plan.target} was not touched; inspect the preview (\`neon-migrate connection-string ${check.preview}\`), then delete it with \`neon-migrate branches delete ${check.preview}\``,
      code: 'PREVIEW_FAILED',
    },
  );
}

/**
 * Restore per `plan` after verifying the result on a preview; `beforeGoLive` runs right before the
 * live restore (e.g. to release the branch's run lock).
 *
 * @example
 * ```ts
 * const { result, check } = await verifiedRestore(ctx, planRestore({ branch: 'main', timestamp: t }));
 * console.log(check.dryRun.deltas, result.backup?.name);
 * ```
 */
export async function verifiedRestore(
  ctx: WorkflowContext,
  plan: RestorePlan,
  beforeGoLive?: () => Promise<void>,
): Promise<{ result: RestoreResult; check: PreviewCheck }> {
  const files = await assertionFilesFor(ctx, plan.target);
  const source = plan.options.source;
  const preview = `preview/${plan.target}/${stamp(nowOf(ctx))}-${randomUUID().slice(0, 8)}`;
  const meta = toolBranchOptions(ctx, { kind: 'preview', command: 'restore' });
  return withBranchAt(ctx, source, plan.options.at, { name: preview, ...meta }, async () => {
    ctx.log?.(`restored into preview ${preview}; verifying it before it goes live`);
    const check = await checkPreview(ctx, plan, preview, files);
    if (!check.passed) throw previewFailed(plan, check);
    await beforeGoLive?.();
    const preserveUnderName = plan.options.preserveUnderName ?? defaultPreserveName(plan.target, nowOf(ctx));
    ctx.log?.(`preview verified; restoring ${plan.target} from it (current state kept as ${preserveUnderName})`);
    const result = await ctx.platform.restoreBranch(plan.target, {
      source: preview,
      preserveUnderName,
      ...restoreProgress(ctx),
    });
    await ctx.platform
      .deleteBranch(preview)
      .catch((err: unknown) => ctx.log?.(`could not delete ${preview}: ${(err as Error).message}`));
    return { result, check };
  });
}
