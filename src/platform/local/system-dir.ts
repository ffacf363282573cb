/**
 * The system directory where the engine keeps what the cluster user must reach when the project
 * cannot be reached (a project under /root, a 0700 temp folder): cluster roots of such projects
 * (`<dir>/<project id>`) and shared copies of the PostgreSQL binaries (`<dir>/pg/<package@version>`).
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { PlatformError } from '../../errors.js';
import { canTraverse, type RunAs } from './osuser.js';

/** Overridable for tests of gc and of the binaries copy; the default is the FHS place for state. */
export function systemDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NEON_MIGRATE_SYSTEM_DIR || '/var/lib/neon-migrate';
}

/** Create the system dir (mode 711: the cluster user may traverse it, not list it); error with the fix. */
export function ensureSystemDir(dir: string, runAs?: RunAs): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
  } catch (err) {
    throw new PlatformError(
      `cannot create ${dir}, where the local engine keeps what the PostgreSQL user must reach ` +
        `(${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      {
        hint:
          'move the project to a folder every user can traverse (e.g. under /srv or /home), ' +
          'or make that folder writable by root',
        code: 'SYSTEM_DIR_UNUSABLE',
        ...{ cause: err },
      },
    );
  }
  if (!canTraverse(runAs, dir)) {
    throw new PlatformError(
      `the PostgreSQL user cannot reach ${dir}, where the local engine keeps clusters of projects it cannot reach`,
      {
        hint:
          `give every user search (x) permission on the folders above ${dir}, ` +
          'or set NEON_MIGRATE_SYSTEM_DIR to a reachable folder',
        code: 'SYSTEM_DIR_UNUSABLE',
      },
    );
  }
}
