/** `connection-string [BRANCH] [--pooled]`: the URI alone on stdout (starting the compute if needed). */
import type { Command } from 'commander';
import { action } from './context.js';

/** Register `connection-string`. */
export function registerConnectionString(program: Command): void {
  program
    .command('connection-string [branch]')
    .description("print a branch's connection URI (default: the default branch)")
    .option('--pooled', 'the pooled URI for applications (locally the same as direct)')
    .option('--database <name>', 'database name (default: neondb)')
    .option('--role <name>', 'role name (default: neondb_owner)')
    .action(
      action(async (ctx, ref: string | undefined, opts: { pooled?: boolean; database?: string; role?: string }) => {
        const platform = await ctx.platform();
        const branch = ref ?? ctx.settings.defaultBranch;
        const uri = await platform.connectionUri(branch, {
          pooled: Boolean(opts.pooled),
          ...(opts.database ? { database: opts.database } : {}),
          ...(opts.role ? { role: opts.role } : {}),
        });
        // the URI is the point of this command: printed as is (its password included)
        return { json: { branch, pooled: Boolean(opts.pooled), uri }, human: uri, unredacted: true };
      }),
    );
}
