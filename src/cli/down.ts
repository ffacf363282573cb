/** `neon-migrate down [--branch B] [--to V | --steps N] [--wait] [--skip-gate]`: revert (default: the last migration). */
import type { Command } from 'commander';
import { action } from './context.js';
import { type RunFlags, runCommand } from './up.js';

/** Register `down`. */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description('revert applied migrations with their down files (default: the last one), behind a checkpoint')
    .option('-b, --branch <branch>', 'branch to migrate (default: settings.defaultBranch)')
    .option('--to <version>', 'revert every migration newer than this version (0 = all)')
    .option('--steps <n>', 'revert the last N migrations')
    .option('--wait', 'wait for another run on the branch instead of failing (exit 5)')
    .option('--resume', 'continue a no-transaction down that stopped partway, from the statement that failed')
    .option(
      '--skip-gate',
      'revert on a gated or protected branch anyway (prefer `rollback`); asks for confirmation, recorded in the history',
    )
    .action(action((ctx, flags: RunFlags) => runCommand(ctx, 'down', flags)));
}
