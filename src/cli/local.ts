/** `local start|stop|status`: the embedded engine's computes (one PostgreSQL cluster per branch). */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { LocalPlatform } from '../platform/local/index.js';
import type { Platform } from '../platform/types.js';
import { action } from './context.js';
import { registerLocalServe } from './serve.js';

async function asLocal(platform: Platform): Promise<LocalPlatform> {
  const { LocalPlatform: Local } = await import('../platform/local/index.js');
  if (!(platform instanceof Local)) {
    throw new UsageError('`local` commands need the local engine, but NEON_API_KEY and NEON_PROJECT_ID select Neon', 'unset them (or use an --env-file without them)', 'NOT_LOCAL');
  }
  return platform;
}

/** Register `local`. */
export function registerLocal(program: Command): Command {
  const local = program.command('local').description('the embedded local engine: real PostgreSQL clusters that behave like Neon branches');

  local
    .command('status', { isDefault: true })
    .description("each branch's compute: running (pid, port), stopped, or pointer (not materialized yet)")
    .action(
      action(async (ctx) => {
        const engine = await asLocal(await ctx.platform());
        const computes = await engine.computeStatus();
        const human = computes.map((c) => `${c.name.padEnd(24)} ${c.compute.padEnd(8)} 127.0.0.1:${c.port}${c.pid ? ` pid ${c.pid}` : ''}`).join('\n');
        return { json: { created: engine.created, computes }, human };
      }),
    );

  local
    .command('start [branch]')
    .description('start one branch (materializing it if needed), or every materialized branch')
    .action(
      action(async (ctx, ref: string | undefined) => {
        const engine = await asLocal(await ctx.platform());
        const names = ref ? [ref] : (await engine.computeStatus()).filter((c) => c.compute !== 'pointer').map((c) => c.name);
        for (const name of names) await engine.startCompute(name);
        const computes = await engine.computeStatus();
        return { json: { started: names, computes }, human: names.length ? `running: ${names.join(', ')}` : 'nothing to start' };
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
  registerLocalServe(local);
  return local;
}
