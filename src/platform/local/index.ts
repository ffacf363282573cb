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
import { createProject } from './project.js';
import { branchPaths } from './layout.js';
import { recoverInterruptedRestore } from './restore-journal.js';
import { readState, writeState } from './state.js';

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

/**
 * Open (creating on first use) the local engine of a project; prunes history by the window.
 *
 * @example
 * ```ts
 * const local = await openLocalPlatform({ projectDir, env: process.env, settings });
 * const uri = await local.connectionUri('main');
 * ```
 */
export async function openLocalPlatform(options: OpenPlatformOptions): Promise<LocalPlatform> {
  const bins = resolveBinaries(options.env);
  const runAs = resolveRunAs();
  const stateDir = localStateDir(options.projectDir);
  if (!existsSync(options.projectDir)) {
    throw new UsageError(`project directory ${options.projectDir} does not exist`, 'create it, or pass the right -C/--cwd', 'NO_PROJECT_DIR');
  }
  // as root the cluster user must traverse (not list) the state dirs to reach branches/
  const mode = runAs ? 0o711 : 0o700;
  for (const dir of [path.dirname(stateDir), stateDir]) {
    if (!existsSync(dir)) mkdirSync(dir, { mode });
    chmodSync(dir, mode);
  }
  const ctx: EngineContext = { projectDir: options.projectDir, stateDir, bins, runAs, retentionSeconds: options.settings.local.historyRetentionSeconds };
  let state;
  let created = false;
  const release = await acquireLock(stateDir);
  try {
    state = readState(stateDir);
    if (!state) {
      state = await createProject(ctx, options.settings.defaultBranch);
      writeState(stateDir, state);
      created = true;
    } else {
      await recoverInterruptedRestore(ctx, state);
      for (const b of state.branches) {
        if (b.status === 'ready') pruneHistory(branchPaths(state.project.clusterRoot, b.id), ctx.retentionSeconds, state.project.walSegmentBytes);
      }
    }
  } finally {
    release();
  }
  return new LocalPlatform(ctx, created);
}
