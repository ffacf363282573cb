/**
 * `restore --branch B (--from-checkpoint ID|latest | --from-branch S | --timestamp T | --lsn L) [--dry-run]`.
 * The platform part lives in platform/restore-request; checkpoints and dry runs in workflow/restore.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { planRestore, type RestoreRequest } from '../platform/restore-request.js';
import { checkpointSource, dryRunRestore, renderDryRun, restoreAndRecord } from '../workflow/restore.js';
import { action } from './context.js';
import { workflowContext } from './workflow-context.js';

export interface RestoreFlags {
  branch: string;
  fromBranch?: string;
  fromCheckpoint?: string;
  timestamp?: string;
  lsn?: string;
  preserveUnderName?: string;
  dryRun?: boolean;
}

/** Register `restore`. */
export function registerRestore(program: Command): Command {
  return program
    .command('restore')
    .description('restore a branch from a checkpoint, another branch or a point in its history; the old state is kept as a backup branch')
    .requiredOption('--branch <branch>', 'the branch to restore')
    .option('--from-checkpoint <id>', 'a checkpoint of the branch: its name, id, UTC stamp, or "latest"')
    .option('--from-branch <branch>', "source branch (its head, or its history with --timestamp/--lsn)")
    .option('--timestamp <time>', 'point in time, RFC 3339 (e.g. 2026-11-20T10:15:00Z)')
    .option('--lsn <lsn>', 'point in the WAL, e.g. 0/16B3748')
    .option('--preserve-under-name <name>', 'name for the pre-restore state (default: <branch>_old_<UTC timestamp>)')
    .option('--dry-run', 'show what the restore would lose (row deltas per table, migrations un-applied) and change nothing')
    .action(
      action(async (ctx, flags: RestoreFlags) => {
        if (flags.fromCheckpoint !== undefined && (flags.fromBranch !== undefined || flags.timestamp !== undefined || flags.lsn !== undefined)) {
          throw new UsageError('--from-checkpoint cannot be combined with --from-branch, --timestamp or --lsn', 'a checkpoint is restored from its head; give one source', 'RESTORE_ARGS');
        }
        const wctx = await workflowContext(ctx);
        await wctx.platform.getBranch(flags.branch); // unknown branch: fail before anything else
        const req: RestoreRequest = {
          branch: flags.branch,
          ...(flags.fromCheckpoint !== undefined ? { fromBranch: await checkpointSource(wctx, flags.branch, flags.fromCheckpoint) } : {}),
          ...(flags.fromBranch !== undefined ? { fromBranch: flags.fromBranch } : {}),
          ...(flags.timestamp !== undefined ? { timestamp: flags.timestamp } : {}),
          ...(flags.lsn !== undefined ? { lsn: flags.lsn } : {}),
          ...(flags.preserveUnderName !== undefined ? { preserveUnderName: flags.preserveUnderName } : {}),
        };
        const plan = planRestore(req);
        if (flags.dryRun) {
          const dry = await dryRunRestore(wctx, plan);
          return { json: { dryRun: true, ...dry }, human: renderDryRun(dry) };
        }
        if (!(await ctx.confirm(`${plan.description}?`))) {
          return { json: { restored: false }, human: 'cancelled', exitCode: 2 };
        }
        const done = await restoreAndRecord(wctx, plan);
        return {
          json: { restored: true, ...done },
          human: `restored branch ${done.branch.name} from ${done.source}${done.at ? ('timestamp' in done.at ? ` at ${done.at.timestamp}` : ` at LSN ${done.at.lsn}`) : ''}${done.backup ? `; previous state kept as branch ${done.backup.name} (${done.backup.id})` : ''}`,
        };
      }),
    );
}
