/** `neon-migrate branches reset <name> [--parent P] [--wait]`: refresh a branch from its parent, keeping the old state as a backup. */
import type { Command } from 'commander';
import { notConfirmed, UsageError } from '../errors.js';
import type { RefreshResult } from '../workflow/environment-branches.js';
import { action } from './context.js';
import { workflowContext } from './workflow-bridge.js';

/** Add `reset` to the `branches` command (registered by branches.ts). */
export function registerBranchesReset(program: Command): void {
  const branches = program.commands.find((c) => c.name() === 'branches') ?? program.command('branches');
  branches
    .command('reset <name>')
    .description("refresh a branch from its parent's head; the old state is kept as <name>_old_<timestamp>")
    .option(
      '--parent <branch>',
      "refresh from this branch (default: the environment's parent, else the branch's parent)",
    )
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .action(
      action(async (ctx, name: string, opts: { parent?: string; wait?: boolean }) => {
        const [
          { listEnvironmentNames, loadEnvironment },
          { lockBranch },
          { parentOf, refreshBranch },
          { maskingRules },
        ] = await Promise.all([
          import('../config/load.js'),
          import('../workflow/branch-lock.js'),
          import('../workflow/environment-branches.js'),
          import('../masking/rules.js'),
        ]);
        const wctx = await workflowContext(ctx);
        const branch = await wctx.platform.getBranch(name);
        let parent = opts.parent;
        const envName = listEnvironmentNames(ctx.projectDir, ctx.settings).find(
          (n) => loadEnvironment(ctx.projectDir, ctx.settings, n).branch === branch.name,
        );
        const env = envName ? loadEnvironment(ctx.projectDir, ctx.settings, envName) : undefined;
        const masking = maskingRules(env?.masking);
        if (!parent) {
          if (env) parent = parentOf(wctx, env);
          else if (branch.parentId) parent = (await wctx.platform.getBranch(branch.parentId)).name;
        }
        if (!parent)
          throw new UsageError(`branch "${name}" has no parent to refresh from`, {
            hint: 'pass --parent <branch>',
            code: 'NO_PARENT',
          });
        // Held while the user confirms; refreshBranch releases it right before the restore.
        const lock = await lockBranch(wctx, branch.name, { wait: opts.wait });
        let r: RefreshResult;
        try {
          const question =
            branch.masking || masking.length
              ? `delete branch "${branch.name}" and the branches made from it, and create it anew as a masked copy of "${parent}"?`
              : `replace branch "${branch.name}" with a fresh copy of "${parent}" (the current state is kept as a backup branch)?`;
          if (!(await ctx.confirm(question))) throw notConfirmed('reset');
          r = await refreshBranch(wctx, branch.name, parent, { lock, masking });
        } finally {
          await lock.release();
        }
        return {
          json: { reset: true, ...r },
          human: r.masked
            ? `created ${r.branch} anew from ${r.parent}, masked by ${r.masked.rules} masking rules`
            : `reset ${r.branch} from ${r.parent}; previous state kept as branch ${r.backup}`,
        };
      }),
    );
}
