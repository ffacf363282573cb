/**
 * One local engine served over HTTP (`local serve`), behind the validating proxy, with a
 * NeonPlatform pointed at it: the Neon path end to end, on real branching.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsSchema } from '../../../src/config/schema.js';
import { openLocalPlatform } from '../../../src/platform/local/index.js';
import { FaultPlan, type LocalServer, startLocalServer } from '../../../src/testing/index.js';
import { type Clock, NeonPlatform, type NeonPlatformOptions } from '../../../src/platform/neon/index.js';
import type { Platform } from '../../../src/platform/types.js';
import { startValidatingProxy, type ValidatingProxy } from './proxy.js';

/** A temp project dir the engine's unprivileged cluster user can reach. */
export function tempProject(prefix = 'nm-neon-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** The environment without any Neon variables, so the engine (not Neon) is opened. */
export function envWithoutNeon(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('NEON_')) delete env[key];
  return env;
}

export interface NeonFixture {
  projectDir: string;
  local: Platform & { computePid?(ref: string): number | undefined; stopComputes?(): Promise<unknown> };
  server: LocalServer;
  proxy: ValidatingProxy;
  faults: FaultPlan;
  /** A NeonPlatform talking to the server through the proxy. */
  neon(overrides?: Partial<NeonPlatformOptions> & { clock?: Clock }): NeonPlatform;
  dispose(): Promise<void>;
}

/** Start engine + server + proxy. */
export async function startNeonFixture(options: { acceptWindowMs?: number } = {}): Promise<NeonFixture> {
  const projectDir = tempProject();
  const local = (await openLocalPlatform({
    projectDir,
    env: envWithoutNeon(),
    settings: settingsSchema.parse({}),
  })) as NeonFixture['local'];
  const faults = new FaultPlan();
  const server = await startLocalServer({
    platform: local,
    projectDir,
    faults,
    acceptWindowMs: options.acceptWindowMs,
  });
  const proxy = await startValidatingProxy(server.port);
  return {
    projectDir,
    local,
    server,
    proxy,
    faults,
    neon: (overrides = {}) =>
      new NeonPlatform({
        apiKey: server.token,
        projectId: server.projectId,
        baseURL: proxy.apiHost,
        operations: { pollIntervalMs: 100 },
        retry: { baseDelayMs: 50, maxDelayMs: 1_000 },
        ...overrides,
      }),
    dispose: async () => {
      await proxy.close();
      await server.close();
      await local.stopComputes?.();
      await local.close();
    },
  };
}
