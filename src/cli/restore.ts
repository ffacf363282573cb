/**
 * `restore --branch B (--from-branch S | --timestamp T | --lsn L) [--preserve-under-name N]`.
 * The workflow adds `--from-checkpoint` and `--dry-run` here; the logic lives in platform/restore-request.
 */
import type { Command } from 'commander';
import { executeRestore, planRestore, type RestoreRequest } from '../platform/restore-request.js';
import { action } from './context.js';

export interface RestoreFlags {
  branch: string;
  fromBranch?: string;
  timestamp?: string;
  lsn?: string;
  preserveUnderName?: string;
}

/** Register `restore`. */
export function registerRestore(program: Command): Command {
  return program
    .command('restore')
    .description('restore a branch from another branch or from a point in its history; the old state is kept as a backup branch')
    .requiredOption('--branch <branch>', 'the branch to restore')
    .option('--from-branch <branch>', "source branch (its head, or its history with --timestamp/--lsn)")
    .option('--timestamp <time>', 'point in time, RFC 3339 (e.g. 2026-11-20T10:15:00Z)')
    .option('--lsn <lsn>', 'point in the WAL, e.g. 0/16B3748')
    .option('--preserve-under-name <name>', 'name for the pre-restore state (default: <branch>_old_<UTC timestamp>)')
    .action(
      action(async (ctx, flags: RestoreFlags) => {
        const req: RestoreRequest = { ...flags };
        const plan = planRestore(req);
        const platform = await ctx.platform();
        await platform.getBranch(plan.target); // unknown branch: fail before asking
        if (!(await ctx.confirm(`${plan.description}?`))) {
          return { json: { restored: false }, human: 'cancelled', exitCode: 2 };
        }
        const result = await executeRestore(platform, plan);
        return {
          json: { restored: true, branch: result.branch, backup: result.backup, source: plan.options.source, at: plan.options.at ?? null },
          human: `restored branch ${result.branch.name}${plan.options.at ? '' : ` from ${plan.options.source}`}${result.backup ? `; previous state kept as branch ${result.backup.name} (${result.backup.id})` : ''}`,
        };
      }),
    );
}
