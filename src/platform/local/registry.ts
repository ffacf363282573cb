/**
 * Clusters kept outside their project (in the system dir, when the cluster user cannot reach the
 * project) are registered with it: `<system dir>/<project id>/project.json` names the project
 * folder. Without it, deleting a project folder leaked its clusters (GBs, postmasters running)
 * with nothing to find them by. `gc` removes the clusters whose project is gone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { branchPaths } from './layout.js';
import { killProcessesUsing, processesUsing } from './orphans.js';
import { STATE_FILE } from './state.js';
import { systemDir } from './system-dir.js';

export const REGISTRATION_FILE = 'project.json';

/** What a cluster root records about its project. */
export interface Registration {
  projectId: string;
  /** Absolute project folder. */
  projectDir: string;
  /** Absolute `.neon-migrate/local` of that project. */
  stateDir: string;
  registeredAt: string;
}

/** One registered cluster root as `local status` and `local gc` see it. */
export interface RegisteredCluster extends Registration {
  clusterRoot: string;
  /** Why the project counts as gone; undefined while it exists. */
  orphaned?: string;
}

/** Write the registration of a cluster root (atomically: gc must never read half a file). */
export function register(clusterRoot: string, registration: Registration): void {
  const file = path.join(clusterRoot, REGISTRATION_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(registration, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** True when clusterRoot already carries a registration. */
export function isRegistered(clusterRoot: string): boolean {
  return existsSync(path.join(clusterRoot, REGISTRATION_FILE));
}

/**
 * Why a registered project counts as gone, or undefined: its folder or its engine state dir was
 * removed, or its state now belongs to another project. A state dir without state.json is a
 * project being created (state.json is written last), so it is kept.
 */
function orphanReason(r: Registration): string | undefined {
  if (!existsSync(r.projectDir)) return 'project folder removed';
  if (!existsSync(r.stateDir)) return 'engine state removed';
  const stateFile = path.join(r.stateDir, STATE_FILE);
  if (!existsSync(stateFile)) return undefined;
  try {
    const s = JSON.parse(readFileSync(stateFile, 'utf8')) as { project?: { id?: unknown } };
    if (s.project?.id !== r.projectId) return 'engine state now belongs to another project';
  } catch {
    return undefined; // a corrupted state is the user's to repair, not a reason to delete clusters
  }
  return undefined;
}

/** Every registered cluster root in the system dir. */
export function listRegistered(dir = systemDir()): RegisteredCluster[] {
  if (!existsSync(dir)) return [];
  const out: RegisteredCluster[] = [];
  for (const entry of readdirSync(dir)) {
    const clusterRoot = path.join(dir, entry);
    const file = path.join(clusterRoot, REGISTRATION_FILE);
    if (!existsSync(file)) continue;
    let r: Registration;
    try {
      r = JSON.parse(readFileSync(file, 'utf8')) as Registration;
    } catch {
      continue;
    }
    if (typeof r.projectDir !== 'string' || typeof r.stateDir !== 'string' || typeof r.projectId !== 'string') continue;
    out.push({ ...r, clusterRoot, orphaned: orphanReason(r) });
  }
  return out.sort((a, b) => a.projectDir.localeCompare(b.projectDir));
}

/** Postmaster pids recorded in the branch dirs of a cluster root. */
function postmasters(clusterRoot: string): number[] {
  const branches = path.join(clusterRoot, 'branches');
  if (!existsSync(branches)) return [];
  const pids: number[] = [];
  for (const id of readdirSync(branches)) {
    try {
      const pidFile = path.join(branchPaths(clusterRoot, id).data, 'postmaster.pid');
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
      if (Number.isFinite(pid) && pid > 0) pids.push(pid);
    } catch {
      // not materialized, or stopped
    }
  }
  return pids;
}

/** Stop every server of a cluster root (fast shutdown, then SIGKILL for what remains) and delete it. */
export async function removeClusterRoot(clusterRoot: string): Promise<void> {
  const running = [...new Set([...postmasters(clusterRoot), ...processesUsing(clusterRoot)])];
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // gone already (or a stale pid file)
    }
  }
  for (let i = 0; i < 50 && processesUsing(clusterRoot).length; i++) await sleep(100);
  await killProcessesUsing(clusterRoot);
  rmSync(clusterRoot, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** Remove the registered cluster roots whose project is gone; returns what was removed. */
export async function gcOrphans(
  dir = systemDir(),
  only?: (c: RegisteredCluster) => boolean,
): Promise<RegisteredCluster[]> {
  const removed: RegisteredCluster[] = [];
  for (const c of listRegistered(dir)) {
    if (!c.orphaned || (only && !only(c))) continue;
    await removeClusterRoot(c.clusterRoot);
    removed.push(c);
  }
  return removed;
}

/** One line for stderr about what gc removed (empty string when nothing was). */
export function gcReport(removed: RegisteredCluster[]): string {
  if (!removed.length) return '';
  const what = removed.map((c) => `${c.projectId} (${c.projectDir}: ${c.orphaned})`).join(', ');
  return `local gc: removed ${removed.length} cluster folder(s) whose project is gone: ${what}`;
}
