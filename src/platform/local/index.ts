/** The embedded local engine (issue 2): real PostgreSQL clusters that behave like Neon branches. */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { OpenPlatformOptions } from '../open.js';
import { resolveBinaries } from './binaries.js';
import type { EngineContext } from './engine-context.js';
import { LocalPlatform } from './engine.js';
import { pruneHistory } from './history.js';
import { acquireLock } from './lock.js';
import { resolveRunAs } from './osuser.js';
import { createProject, registerClusterRoot } from './project.js';
import { gcOrphans, gcReport, isRegistered } from './registry.js';
import { reachableBinaries } from './binaries-copy.js';
import { branchPaths } from './layout.js';
import { recoverInterruptedRestore } from './restore-journal.js';
import { type EngineState, readState, writeState } from './state.js';

export { LocalPlatform, type ComputeStatus } from './engine.js';

/**
 * The engine's state directory inside a project.
 *
 * @example
 * ```ts
 * localStateDir('/work/app'); // '/work/app/.neon-migrate/local'
 * ```
 */
export function localStateDir(projectDir: string): string {
  return path.join(path.resolve(projectDir), '.neon-migrate', 'local');
}

/** A project's clusters cannot change major in place (their data directories are per major), as on Neon. */
function assertSameMajor(created: number, wanted: number, stateDir: string): void {
  if (created === wanted) return;
  throw new UsageError(
    `the local project runs PostgreSQL ${created} but neon-migrate.json asks for ${wanted} ("postgresVersion"); a project cannot change major, on Neon or here`,
    {
      hint: `keep "postgresVersion": ${created}, or recreate the local project: \`neon-migrate local stop\`, then move ${stateDir} aside (pg_dump what you need first) and run the command again`,
      code: 'PG_MAJOR_CHANGED',
    },
  );
}

/**
 * Open (creating on first use) the local engine of a project; prunes history by the window and
 * deletes the branches whose expiry has passed.
 *
 * @example
 * ```ts
 * const local = await openLocalPlatform({ projectDir, env: process.env, settings });
 * const uri = await local.connectionUri('main');
 * ```
 */
export async function openLocalPlatform(options: OpenPlatformOptions): Promise<LocalPlatform> {
  const runAs = resolveRunAs();
  const bins = reachableBinaries(resolveBinaries(options.env, options.settings.postgresVersion ?? 17), runAs);
  const stateDir = localStateDir(options.projectDir);
  if (!existsSync(options.projectDir)) {
    throw new UsageError(`project directory ${options.projectDir} does not exist`, {
      hint: 'create it, or pass the right -C/--cwd',
      code: 'NO_PROJECT_DIR',
    });
  }
  // as root the cluster user must traverse (not list) the state dirs to reach branches/
  const mode = runAs ? 0o711 : 0o700;
  for (const dir of [path.dirname(stateDir), stateDir]) {
    if (!existsSync(dir)) mkdirSync(dir, { mode });
    chmodSync(dir, mode);
  }
  const ctx: EngineContext = {
    projectDir: options.projectDir,
    stateDir,
    bins,
    runAs,
    retentionSeconds: options.settings.local.historyRetentionSeconds,
  };
  // clusters of projects whose folder is gone: stop and remove them, and say so
  const report = gcReport(await gcOrphans());
  if (report) options.log?.(report);
  let state: EngineState | undefined;
  let created = false;
  const release = await acquireLock(stateDir);
  try {
    state = readState(stateDir);
    if (!state) {
      state = await createProject(ctx, options.settings.defaultBranch);
      writeState(stateDir, state);
      created = true;
    } else {
      assertSameMajor(state.project.pgMajor ?? 17, bins.major, stateDir);
      await recoverInterruptedRestore(ctx, state);
      const root = state.project.clusterRoot;
      // projects created before clusters were registered: register on first open
      const external = path.resolve(root) !== path.resolve(stateDir);
      if (external && existsSync(root) && !isRegistered(root)) registerClusterRoot(ctx, root, state.project.id);
      for (const b of state.branches) {
        if (b.status === 'ready')
          pruneHistory(
            branchPaths(state.project.clusterRoot, b.id),
            ctx.retentionSeconds,
            state.project.walSegmentBytes,
          );
      }
    }
  } finally {
    release();
  }
  const platform = new LocalPlatform(ctx, created);
  // Neon deletes expired branches in the background; here, each open does
  const expired = await platform.expireBranches();
  if (expired.deleted.length) options.log?.(`local engine: deleted expired branch(es) ${expired.deleted.join(', ')}`);
  return platform;
}
