/** `neon-migrate checkpoints [list|prune [--dry-run]] [--branch B]`: checkpoint branches and their retention. */
import type { Command } from 'commander';
import { notConfirmed } from '../errors.js';
import type { CheckpointInfo } from '../workflow/checkpoints.js';
import { action } from './context.js';
import { workflowContext } from './workflow-bridge.js';

const VERDICT = {
  'latest run': 'kept: checkpoint of the latest run',
  keepLast: 'kept: among the newest (keepLast)',
  maxAge: 'kept: younger than maxAge',
  prune: 'would be pruned',
  expired: 'would be pruned: past its TTL',
};

function table(list: CheckpointInfo[]): string {
  if (!list.length) return 'no checkpoints';
  const w = Math.max(...list.map((c) => c.name.length));
  return list
    .map(
      (c) =>
        `${c.name.padEnd(w)}  ${c.kind.padEnd(8)}  ${c.createdAt}  ${VERDICT[c.retention]}${c.expiresAt ? ` (expires ${c.expiresAt})` : ''}`,
    )
    .join('\n');
}

/**
 * `--branch` naming no branch and no checkpoints is a typo: BRANCH_NOT_FOUND with the nearest names
 * (it printed "nothing to prune", exit 0). Checkpoints of a deleted branch still list and prune.
 */
async function requireKnownBranch(
  wctx: Awaited<ReturnType<typeof workflowContext>>,
  branch: string | undefined,
  list: CheckpointInfo[],
): Promise<void> {
  if (branch !== undefined && !list.length) await wctx.platform.getBranch(branch);
}

/** Register `checkpoints list|prune`. */
export function registerCheckpoints(program: Command): void {
  const cmd = program
    .command('checkpoints')
    .description('checkpoint branches taken before runs, and their retention (settings.checkpoints)');
  cmd
    .command('list', { isDefault: true })
    .description('list checkpoints with their retention verdict')
    .option('-b, --branch <branch>', 'only the checkpoints of this branch')
    .action(
      action(async (ctx, opts: { branch?: string }) => {
        const { checkpointRetention } = await import('../workflow/checkpoints.js');
        const wctx = await workflowContext(ctx);
        const list = await checkpointRetention(wctx, opts.branch);
        await requireKnownBranch(wctx, opts.branch, list);
        return { json: { checkpoints: list }, human: table(list) };
      }),
    );
  cmd
    .command('prune')
    .description("delete checkpoints beyond keepLast and older than maxAge (never the latest run's)")
    .option('-b, --branch <branch>', 'only the checkpoints of this branch')
    .option('--dry-run', 'list what prune would delete and keep, and change nothing')
    .action(
      action(async (ctx, opts: { branch?: string; dryRun?: boolean }) => {
        const { checkpointRetention, previewPrune, pruneCheckpoints } = await import('../workflow/checkpoints.js');
        const wctx = await workflowContext(ctx);
        const list = await checkpointRetention(wctx, opts.branch);
        await requireKnownBranch(wctx, opts.branch, list);
        if (opts.dryRun) {
          const preview = previewPrune(list);
          const head = `dry run: prune would delete ${preview.wouldDelete.length} checkpoint(s) and keep ${preview.keep.length}; nothing was changed`;
          return { json: preview, human: [head, ...(list.length ? [table(list)] : [])].join('\n') };
        }
        const { doomed: isDoomed } = await import('../workflow/checkpoints.js');
        const doomed = list.filter(isDoomed);
        if (!doomed.length)
          return {
            json: { deleted: [], failed: [], kept: list.length },
            human: `nothing to prune (${list.length} checkpoints kept)`,
          };
        if (
          !(await ctx.confirm(
            `delete ${doomed.length} checkpoint branch(es): ${doomed.map((c) => c.name).join(', ')}?`,
          ))
        )
          throw notConfirmed('prune');
        const r = await pruneCheckpoints(wctx, list);
        const lines = [
          `deleted ${r.deleted.length} checkpoint(s), kept ${r.kept}`,
          ...r.deleted.map((n) => `  - ${n}`),
          ...r.failed.map((f) => `  ! ${f.name}: ${f.reason}`),
        ];
        return { json: r, human: lines.join('\n'), exitCode: r.failed.length ? 4 : 0 };
      }),
    );
}
