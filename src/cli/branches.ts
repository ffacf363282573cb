/** `branches list|create|expire|delete`: the branch lifecycle on the current platform. */
import type { Command } from 'commander';
import { notConfirmed, UsageError } from '../errors.js';
import type { Branch, PointInTime } from '../platform/types.js';
import { action } from './context.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Human listing: name, id, parent name, created, flags. */
export function formatBranches(branches: Branch[]): string {
  const byId = new Map(branches.map((b) => [b.id, b.name]));
  const rows = [['NAME', 'ID', 'PARENT', 'CREATED', '']];
  for (const b of branches) {
    const flags = [
      b.default ? 'default' : '',
      b.protected ? 'protected' : '',
      b.expiresAt ? `expires ${b.expiresAt}` : '',
      b.initSource === 'schema-only' ? 'schema-only' : '',
    ]
      .filter(Boolean)
      .join(',');
    rows.push([b.name, b.id, b.parentId ? (byId.get(b.parentId) ?? b.parentId) : '-', b.createdAt, flags]);
  }
  return table(rows);
}

interface CreateFlags {
  parent?: string;
  timestamp?: string;
  lsn?: string;
  ttl?: string;
  expiresAt?: string;
}

/** Register `branches`. */
export function registerBranches(program: Command): void {
  const branches = program.command('branches').description('list, create and delete branches');

  branches
    .command('list', { isDefault: true })
    .description('list the branches of the project')
    .action(
      action(async (ctx) => {
        const list = await (await ctx.platform()).listBranches();
        return { json: { branches: list }, human: formatBranches(list) };
      }),
    );

  branches
    .command('create <name>')
    .description("create a branch from its parent's head, or from a point in the parent's history")
    .option('--parent <branch>', 'parent branch (default: the default branch)')
    .option('--timestamp <time>', 'branch from the parent as of this RFC 3339 time')
    .option('--lsn <lsn>', 'branch from the parent as of this LSN')
    .option('--ttl <duration>', 'delete the branch automatically after this long (at most 30d), e.g. 3d')
    .option('--expires-at <time>', 'delete the branch automatically at this RFC 3339 time (at most 30 days ahead)')
    .action(
      action(async (ctx, name: string, opts: CreateFlags) => {
        if (opts.timestamp !== undefined && opts.lsn !== undefined) {
          throw new UsageError('--timestamp and --lsn are mutually exclusive', {
            hint: 'give one point in time',
            code: 'BRANCH_ARGS',
          });
        }
        // checked before the platform opens: nothing connects for a bad name or point in time
        const { checkBranchName, checkLsn, checkTimestamp } = await import('../platform/input-checks.js');
        checkBranchName(name);
        if (opts.timestamp !== undefined) checkTimestamp(opts.timestamp);
        if (opts.lsn !== undefined) checkLsn(opts.lsn);
        const at: PointInTime | undefined =
          opts.timestamp !== undefined
            ? { timestamp: opts.timestamp }
            : opts.lsn !== undefined
              ? { lsn: opts.lsn }
              : undefined;
        const { expiryFromFlags, toolBranchOptions } = await import('../run/tool-branch.js');
        const expiresAt = expiryFromFlags(opts);
        const { annotations } = toolBranchOptions(
          { ...ctx, settings: ctx.settings },
          { kind: 'user', command: 'branches create' },
        );
        const branch = await (await ctx.platform()).createBranch({
          name,
          ...(opts.parent ? { parent: opts.parent } : {}),
          ...(at ? { at } : {}),
          ...(expiresAt ? { expiresAt } : {}),
          annotations,
        });
        const until = branch.expiresAt ? `, expires ${branch.expiresAt}` : '';
        return { json: { branch }, human: `created branch ${branch.name} (${branch.id}${until})` };
      }),
    );

  branches
    .command('expire <branch>')
    .description("set or remove a branch's expiry (Neon's expires_at): the platform deletes it then")
    .option('--ttl <duration>', 'expire this long from now (at most 30d)')
    .option('--expires-at <time>', 'expire at this RFC 3339 time')
    .option('--never', 'remove the expiry')
    .action(
      action(async (ctx, ref: string, opts: CreateFlags & { never?: boolean }) => {
        const { expiryFromFlags } = await import('../run/tool-branch.js');
        const at = expiryFromFlags(opts);
        if (Boolean(at) === Boolean(opts.never))
          throw new UsageError('give one of --ttl, --expires-at or --never', {
            hint: 'e.g. `neon-migrate branches expire pr-12 --ttl 3d`',
            code: 'BRANCH_ARGS',
          });
        const branch = await (await ctx.platform()).updateBranch(ref, { expiresAt: at ?? null });
        const human = branch.expiresAt
          ? `branch ${branch.name} expires ${branch.expiresAt}`
          : `branch ${branch.name} no longer expires`;
        return { json: { branch }, human };
      }),
    );

  branches
    .command('protect <branch>')
    .description('protect a branch (Neon: no delete, no reset), or with --off unprotect it')
    .option('--off', 'remove the protection')
    .action(
      action(async (ctx, ref: string, opts: { off?: boolean }) => {
        const branch = await (await ctx.platform()).updateBranch(ref, { protected: !opts.off });
        return { json: { branch }, human: `branch ${branch.name} is ${branch.protected ? '' : 'no longer '}protected` };
      }),
    );

  branches
    .command('delete <branch>')
    .description('delete a branch and its data (not the default branch, nor one with children unless --cascade)')
    .option('--cascade', 'also delete every branch made from it (its checkpoints, backups), children first')
    .action(
      action(async (ctx, ref: string, opts: { cascade?: boolean }) => {
        const platform = await ctx.platform();
        const branch = await platform.getBranch(ref);
        const all = opts.cascade ? await platform.listBranches() : [];
        const below = (id: string): string[] =>
          all.filter((b) => b.parentId === id).flatMap((b) => [b.name, ...below(b.id)]);
        const children = below(branch.id);
        const what = children.length
          ? ` and the ${children.length} branch(es) made from it (${children.join(', ')})`
          : '';
        if (!(await ctx.confirm(`delete branch "${branch.name}"${what} and all their data?`)))
          throw notConfirmed(`delete branch "${branch.name}"`);
        if (opts.cascade) {
          const { deleteBranchTree } = await import('../workflow/schema-only.js');
          const failed: string[] = [];
          await deleteBranchTree(platform, branch, (line) => failed.push(line));
          if (failed.length)
            throw new UsageError(failed[0]!, { hint: 'fix what blocks it, then run the command again', code: 'USAGE' });
        } else await platform.deleteBranch(branch.id);
        return {
          json: { deleted: true, branch, children },
          human: `deleted branch ${branch.name} (${branch.id})${children.length ? ` and ${children.join(', ')}` : ''}`,
        };
      }),
    );
}
