/** `local start|stop|status|restrict|gc|destroy`: the embedded engine's computes (one PostgreSQL cluster per branch). */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { LocalPlatform } from '../platform/local/index.js';
import type { Platform } from '../platform/types.js';
import type { RegisteredCluster } from '../platform/local/registry.js';
import { action } from './context.js';
import { registerLocalServe } from './serve.js';

async function asLocal(platform: Platform): Promise<LocalPlatform> {
  const { LocalPlatform: Local } = await import('../platform/local/index.js');
  if (!(platform instanceof Local)) {
    throw new UsageError('`local` commands need the local engine, but NEON_API_KEY and NEON_PROJECT_ID select Neon', {
      hint: 'unset them (or use a --dotenv file without them)',
      code: 'NOT_LOCAL',
    });
  }
  return platform;
}

function registeredLine(c: RegisteredCluster): string {
  return `  ${c.projectId.padEnd(30)} ${c.orphaned ? `ORPHANED (${c.orphaned})` : 'in use'}  ${c.projectDir}`;
}

/** Register `local`. */
export function registerLocal(program: Command): Command {
  const local = program
    .command('local')
    .description('the embedded local engine: real PostgreSQL clusters that behave like Neon branches');

  local
    .command('status', { isDefault: true })
    .description("each branch's compute: running (pid, port), stopped, or pointer (not materialized yet)")
    .action(
      action(async (ctx) => {
        const engine = await asLocal(await ctx.platform());
        const computes = await engine.computeStatus();
        const lines = computes.map(
          (c) => `${c.name.padEnd(24)} ${c.compute.padEnd(8)} 127.0.0.1:${c.port}${c.pid ? ` pid ${c.pid}` : ''}`,
        );
        const [{ listRegistered }, { systemDir }] = await Promise.all([
          import('../platform/local/registry.js'),
          import('../platform/local/system-dir.js'),
        ]);
        const registered = listRegistered();
        if (registered.length) {
          lines.push('', `clusters kept outside their project (${systemDir()}):`, ...registered.map(registeredLine));
        }
        return { json: { created: engine.created, computes, registered }, human: lines.join('\n') };
      }),
    );

  local
    .command('restrict <branch>')
    .description('rehearse a restriction Neon can put on a branch (restricted_actions): the tool then refuses early')
    .option('--action <name>', 'the restricted action (Neon: restore, delete-rw-endpoint)', 'restore')
    .option('--reason <text>', 'the reason Neon would give')
    .option('--clear', 'remove every restriction of the branch')
    .action(
      action(async (ctx, ref: string, opts: { action: string; reason?: string; clear?: boolean }) => {
        if (Boolean(opts.clear) === Boolean(opts.reason))
          throw new UsageError('give --reason <text> to restrict, or --clear', {
            hint: 'e.g. `neon-migrate local restrict main --reason "a restore is running"`',
            code: 'USAGE',
          });
        const engine = await asLocal(await ctx.platform());
        const current = (await engine.getBranch(ref)).restrictedActions ?? [];
        const next = opts.clear
          ? []
          : [...current.filter((r) => r.name !== opts.action), { name: opts.action, reason: opts.reason! }];
        const branch = await engine.setRestrictedActions(ref, next);
        const human = next.length
          ? `branch ${branch.name}: ${next.map((r) => `${r.name} restricted (${r.reason})`).join(', ')}`
          : `branch ${branch.name}: no restrictions`;
        return { json: { branch }, human };
      }),
    );

  local
    .command('start [branch]')
    .description('start one branch (materializing it if needed), or every materialized branch')
    .action(
      action(async (ctx, ref: string | undefined) => {
        const engine = await asLocal(await ctx.platform());
        const names = ref
          ? [ref]
          : (await engine.computeStatus()).filter((c) => c.compute !== 'pointer').map((c) => c.name);
        for (const name of names) await engine.startCompute(name);
        const computes = await engine.computeStatus();
        return {
          json: { started: names, computes },
          human: names.length ? `running: ${names.join(', ')}` : 'nothing to start',
        };
      }),
    );

  local
    .command('stop [branch]')
    .description("stop one branch's compute, or all of them")
    .action(
      action(async (ctx, ref: string | undefined) => {
        const engine = await asLocal(await ctx.platform());
        const stopped = await engine.stopComputes(ref);
        return { json: { stopped }, human: stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running' };
      }),
    );
  local
    .command('gc')
    .description('stop and remove the clusters kept outside their project whose project is gone (also at engine start)')
    .option('--dry-run', 'list what gc would remove, and change nothing')
    .action(
      action(async (_ctx, opts: { dryRun?: boolean }) => {
        const { gcOrphans, gcReport, listRegistered } = await import('../platform/local/registry.js');
        if (opts.dryRun) {
          const orphans = listRegistered().filter((c) => c.orphaned);
          const human = orphans.length
            ? [`dry run: gc would remove ${orphans.length}:`, ...orphans.map(registeredLine)].join('\n')
            : 'nothing to remove';
          return { json: { wouldRemove: orphans }, human };
        }
        const removed = await gcOrphans();
        return { json: { removed }, human: gcReport(removed) || 'nothing to remove' };
      }),
    );

  local
    .command('destroy')
    .description("remove this project's local engine: stop its computes, delete every branch and its state (--yes)")
    .action(
      action(async (ctx) => {
        const { localStateDir } = await import('../platform/local/index.js');
        const { destroyLocalEngine } = await import('../platform/local/destroy.js');
        const stateDir = localStateDir(ctx.projectDir);
        if (!existsSync(stateDir)) {
          return {
            json: { existed: false, stateDir },
            human: `no local engine in ${ctx.projectDir}; nothing to remove`,
          };
        }
        await ctx.confirm(`delete the local engine of ${ctx.projectDir} (every branch and its data)?`);
        const r = await destroyLocalEngine(stateDir);
        const where = r.externalClusterRoot ? ` and ${r.externalClusterRoot}` : '';
        const id = r.projectId ? ` ${r.projectId}` : '';
        return { json: r, human: `destroyed the local engine${id}: removed ${r.stateDir}${where}` };
      }),
    );
  registerLocalServe(local);
  return local;
}
