/** `neon-migrate diff --from A --to B`: schema difference between two branches. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { action } from './context.js';

/** Register the `diff` command. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('schema difference between two branches (Neon: compare_schema; local: catalog comparison)')
    .requiredOption('--from <branch>', 'base branch (name or id)')
    .requiredOption('--to <branch>', 'compared branch (name or id)')
    .option('--database <name>', 'database to compare (default: neondb)')
    .action(
      action(async (ctx, opts: { from: string; to: string; database?: string }) => {
        if (opts.from === opts.to)
          throw new UsageError('--from and --to name the same branch', { hint: 'compare two different branches' });
        const platform = await ctx.platform();
        const from = await platform.getBranch(opts.from);
        const to = await platform.getBranch(opts.to);
        const diff = await platform.diffSchemas(from.id, to.id, opts.database ? { database: opts.database } : {});
        const identical = diff.trim() === '';
        return {
          json: { from: from.name, to: to.name, identical, diff },
          human: identical ? `no schema differences between ${from.name} and ${to.name}` : diff,
        };
      }),
    );
}
