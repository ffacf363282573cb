/** `local destroy`: stop every compute of a project's engine and delete its clusters and state. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { acquireLock } from './lock.js';
import { removeClusterRoot } from './registry.js';
import { type EngineState, readState } from './state.js';

/** What `destroyLocalEngine` removed. */
export interface DestroyResult {
  /** False when the project had no local engine. */
  existed: boolean;
  projectId?: string;
  /** The cluster root removed when it lived outside the project (system dir). */
  externalClusterRoot?: string;
  stateDir: string;
}

/**
 * Remove a project's local engine entirely: its servers, its branches (including a cluster root in
 * the system dir and its registration) and `.neon-migrate/local`. Works from the state dir alone,
 * without opening the engine, so a project that cannot start is still destroyable.
 */
export async function destroyLocalEngine(stateDir: string): Promise<DestroyResult> {
  if (!existsSync(stateDir)) return { existed: false, stateDir };
  const release = await acquireLock(stateDir);
  let state: EngineState | undefined;
  try {
    // an unreadable state still leaves the state dir to remove
    try {
      state = readState(stateDir);
    } catch {
      state = undefined;
    }
    const root = state?.project.clusterRoot;
    const external = root && path.resolve(root) !== path.resolve(stateDir) ? root : undefined;
    if (external && existsSync(external)) await removeClusterRoot(external);
    // the state dir's own servers (branches kept inside the project) go the same way
    await removeClusterRoot(stateDir);
    const removedRoot = external ? { externalClusterRoot: external } : {};
    return { existed: true, projectId: state?.project.id, ...removedRoot, stateDir };
  } finally {
    release();
  }
}
