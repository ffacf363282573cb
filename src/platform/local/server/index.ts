/**
 * `local serve`: the local engine as the Neon API v2 subset that NeonPlatform and neonctl's branch
 * commands use, on 127.0.0.1 only, with a persisted bearer token (docs/architecture.md §4, §5).
 */
import type { AddressInfo } from 'node:net';
import type { Platform } from '../../types.js';
import type { ServerFaults } from './fault-hooks.js';
import { createApiServer } from './http.js';
import { OperationStore } from './operations.js';
import { type LocalServeExtras, createRoutes } from './routes.js';
import { loadOrCreateToken } from './token.js';

export type { FaultRule, ServerFaults } from './fault-hooks.js';
export type { LocalServeExtras } from './routes.js';

export interface LocalServerOptions {
  platform: Platform;
  projectDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  extras?: LocalServeExtras;
  /** Test-only fault injection. */
  faults?: ServerFaults;
  /** How long a mutation may run before the answer leaves its operation running (default 300 ms). */
  acceptWindowMs?: number;
}

export interface LocalServer {
  /** NEON_API_HOST value, e.g. http://127.0.0.1:4000/api/v2. */
  apiHost: string;
  port: number;
  token: string;
  projectId: string;
  /** The three lines `local serve` prints, ready for a shell or .env. */
  envLines(): string[];
  close(): Promise<void>;
}

/** Start serving the platform's project on 127.0.0.1. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const project = await options.platform.getProject();
  const token = loadOrCreateToken(options.projectDir);
  const store = new OperationStore(project.id, options.faults);
  const handle = createRoutes({
    platform: options.platform,
    projectId: project.id,
    store,
    extras: options.extras,
    acceptWindowMs: options.acceptWindowMs ?? 300,
  });
  const server = createApiServer({ token, handle, faults: options.faults });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const apiHost = `http://127.0.0.1:${port}/api/v2`;
  return {
    apiHost,
    port,
    token,
    projectId: project.id,
    envLines: () => [`NEON_API_HOST=${apiHost}`, `NEON_API_KEY=${token}`, `NEON_PROJECT_ID=${project.id}`],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
