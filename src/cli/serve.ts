/** `neon-migrate local serve [--port P]`: the local engine as a Neon-API-compatible HTTP server. */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { LocalServeExtras } from '../platform/local/server/index.js';
import type { Platform } from '../platform/types.js';
import { action } from './context.js';

/** What the local engine offers beyond Platform, when it offers it (read without starting computes). */
interface ComputeStatusSource {
  computeStatus(): Promise<{ id: string; compute: string }[]>;
}

function extrasFor(platform: Platform): LocalServeExtras {
  const source = platform as Platform & Partial<ComputeStatusSource>;
  if (typeof source.computeStatus !== 'function') return {};
  return {
    computeState: async (branchId) => {
      const status = (await source.computeStatus!()).find((s) => s.id === branchId);
      return status?.compute === 'running' ? 'active' : 'idle';
    },
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${value} is not a port number`, { hint: 'use 1-65535, or omit it for a free port' });
  return port;
}

/** Register `serve` under the `local` command (called from src/cli/local.ts). */
export function registerLocalServe(local: Command): void {
  local
    .command('serve')
    .description(
      'serve the local engine as a Neon API v2 subset on 127.0.0.1 (for NeonPlatform, neonctl and your scripts)',
    )
    .option('--port <port>', 'port to listen on (default: a free port)')
    .action(
      action(async (ctx, opts: { port?: string }) => {
        const port = parsePort(opts.port);
        const [{ openLocalPlatform }, { startLocalServer }] = await Promise.all([
          import('../platform/local/index.js'),
          import('../platform/local/server/index.js'),
        ]);
        const platform = await openLocalPlatform({ projectDir: ctx.projectDir, env: ctx.env, settings: ctx.settings });
        const server = await startLocalServer({
          platform,
          projectDir: ctx.projectDir,
          port,
          extras: extrasFor(platform),
        });
        // The three lines are the interface (paste into a shell or .env), printed as soon as we listen.
        if (ctx.options.json) {
          const [host, key, project] = server.envLines().map((l) => l.slice(l.indexOf('=') + 1));
          process.stdout.write(
            `${JSON.stringify({ NEON_API_HOST: host, NEON_API_KEY: key, NEON_PROJECT_ID: project })}\n`,
          );
        } else {
          process.stdout.write(`${server.envLines().join('\n')}\n`);
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        await platform.close();
        return { json: null, human: '' };
      }),
    );
}
