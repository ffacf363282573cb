/** `neon-migrate rollback --branch B [--strategy checkpoint|down] [--wait]`: undo the last run on B. */
import { type Command, Option } from 'commander';
import type { RollbackStrategy } from '../workflow/rollback.js';
import { action } from './context.js';
import { workflowContext } from './workflow-bridge.js';

/** Register `rollback`. */
export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      "undo the last run on a branch: restore it from that run's checkpoint (default) or run the down migrations",
    )
    .requiredOption('-b, --branch <branch>', 'the branch whose last run to undo')
    .addOption(
      new Option(
        '--strategy <strategy>',
        "checkpoint: restore from the run's checkpoint; down: run the down migrations",
      )
        .choices(['checkpoint', 'down'])
        .default('checkpoint'),
    )
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--no-verify', "restore without first checking the checkpoint's state on a preview branch")
    .action(
      action(async (ctx, opts: { branch: string; strategy: RollbackStrategy; wait?: boolean; verify: boolean }) => {
        const { runRollback } = await import('../workflow/rollback.js');
        const r = await runRollback(await workflowContext(ctx), opts);
        const lines = [`rolled back ${r.run.command} run ${r.run.id} on ${r.branch} (started ${r.run.startedAt})`];
        if (r.restore) {
          lines.push(
            `  restored from ${r.restore.source}; the state before the rollback is kept as branch ${r.restore.backup}`,
          );
          if (r.restore.verifiedOn) lines.push(`  verified first on preview ${r.restore.verifiedOn}: checks passed`);
          if (r.restore.snapshotMatches !== undefined) {
            lines.push(
              r.restore.snapshotMatches
                ? '  integrity snapshot identical to the one taken before that run'
                : '  note: data differs from the snapshot taken before that run (writes happened between checkpoint and snapshot)',
            );
          }
        }
        if (r.down)
          lines.push(
            `  reverted: ${r.down.results.map((m) => `${m.name} (${m.status})`).join(', ')}; checkpoint ${r.down.checkpoint}`,
          );
        const failed = r.down && r.down.outcome !== 'succeeded' && r.down.outcome !== 'nothing-to-do';
        return { json: r, human: lines.join('\n'), exitCode: failed ? 1 : 0 };
      }),
    );
}
