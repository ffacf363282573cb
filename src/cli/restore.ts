/**
 * `restore --branch B (--from-checkpoint ID|latest | --from-branch S | --timestamp T | --lsn L) [--dry-run] [--wait]`.
 * The platform part lives in platform/restore-request; checkpoints and dry runs in workflow/restore.
 */
import type { Command } from 'commander';
import { notConfirmed, UsageError } from '../errors.js';
import type { RestoreRequest } from '../platform/restore-request.js';
import type { RestoreDone } from '../workflow/restore-branch.js';
import { action } from './context.js';
import { workflowContext } from './workflow-bridge.js';

export interface RestoreFlags {
  branch: string;
  fromBranch?: string;
  fromCheckpoint?: string;
  timestamp?: string;
  lsn?: string;
  preserveUnderName?: string;
  dryRun?: boolean;
  wait?: boolean;
  /** false with --no-verify: restore without checking the result on a preview first. */
  verify?: boolean;
}

/** The restore request of the flags; `checkpointBranch` is the resolved `--from-checkpoint`. */
function requestOf(flags: RestoreFlags, checkpointBranch: string | undefined): RestoreRequest {
  const fromBranch = checkpointBranch ?? flags.fromBranch;
  return {
    branch: flags.branch,
    ...(fromBranch !== undefined ? { fromBranch } : {}),
    ...(flags.timestamp !== undefined ? { timestamp: flags.timestamp } : {}),
    ...(flags.lsn !== undefined ? { lsn: flags.lsn } : {}),
    ...(flags.preserveUnderName !== undefined ? { preserveUnderName: flags.preserveUnderName } : {}),
  };
}

/** Register `restore`. */
export function registerRestore(program: Command): Command {
  return program
    .command('restore')
    .description(
      'restore a branch from a checkpoint, another branch or a point in its history; the old state is kept as a backup branch',
    )
    .requiredOption('--branch <branch>', 'the branch to restore')
    .option('--from-checkpoint <id>', 'a checkpoint of the branch: its name, id, UTC stamp, or "latest"')
    .option('--from-branch <branch>', 'source branch (its head, or its history with --timestamp/--lsn)')
    .option('--timestamp <time>', 'point in time, RFC 3339 (e.g. 2026-11-20T10:15:00Z)')
    .option('--lsn <lsn>', 'point in the WAL, e.g. 0/16B3748')
    .option('--preserve-under-name <name>', 'name for the pre-restore state (default: <branch>_old_<UTC timestamp>)')
    .option(
      '--dry-run',
      'show what the restore would lose (row deltas per table, migrations un-applied) and change nothing',
    )
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--no-verify', 'restore without first checking the result on a preview branch (checks, dry-run figures)')
    .action(
      action(async (ctx, flags: RestoreFlags) => {
        if (
          flags.fromCheckpoint !== undefined &&
          (flags.fromBranch !== undefined || flags.timestamp !== undefined || flags.lsn !== undefined)
        ) {
          throw new UsageError('--from-checkpoint cannot be combined with --from-branch, --timestamp or --lsn', {
            hint: 'a checkpoint is restored from its head; give one source',
            code: 'RESTORE_ARGS',
          });
        }
        const [{ planRestore }, { lockBranch }, { checkpointSource, dryRunRestore, renderDryRun, restoreAndRecord }] =
          await Promise.all([
            import('../platform/restore-request.js'),
            import('../workflow/branch-lock.js'),
            import('../workflow/restore-branch.js'),
          ]);
        // The flags' combination is checked before anything connects (a usage error is exit 2, never 5).
        planRestore(requestOf(flags, flags.fromCheckpoint));
        const wctx = await workflowContext(ctx);
        await wctx.platform.getBranch(flags.branch); // unknown branch: fail before anything else
        // A dry run changes nothing; a restore holds the branch's run lock from here (so "latest" is
        // resolved after any run it waited for) until right before the platform restore.
        const lock = flags.dryRun ? undefined : await lockBranch(wctx, flags.branch, { wait: flags.wait });
        let done: RestoreDone;
        try {
          const checkpoint =
            flags.fromCheckpoint === undefined
              ? undefined
              : await checkpointSource(wctx, flags.branch, flags.fromCheckpoint);
          const plan = planRestore(requestOf(flags, checkpoint));
          if (!lock) {
            const dry = await dryRunRestore(wctx, plan);
            return { json: { dryRun: true, ...dry }, human: renderDryRun(dry) };
          }
          if (!(await ctx.confirm(`${plan.description}?`))) throw notConfirmed('restore');
          done = await restoreAndRecord(wctx, plan, { lock, verify: flags.verify !== false });
        } finally {
          await lock?.release();
        }
        const check = done.preview;
        const verified = check
          ? [
              '',
              `verified first on preview ${check.preview}: integrity checks and ${check.assertions.length} assertion(s) passed; what it changed:`,
              ...renderDryRun(check.dryRun).split('\n').slice(1, -1),
            ].join('\n')
          : '';
        return {
          json: { restored: true, ...done },
          human: `restored branch ${done.branch.name} from ${done.source}${done.at ? ('timestamp' in done.at ? ` at ${done.at.timestamp}` : ` at LSN ${done.at.lsn}`) : ''}${done.backup ? `; previous state kept as branch ${done.backup.name} (${done.backup.id})` : ''}${verified}`,
        };
      }),
    );
}
