/** Computes on demand: a branch's cluster is materialized and started when first used, restarted when dead. */
import { setTimeout as sleep } from 'node:timers/promises';
import { PlatformError } from '../../errors.js';
import { listBackups, takeBaseBackup } from './backup.js';
import { portAcceptsConnections, runningPid, startCluster, stopCluster, writeBranchConf } from './cluster.js';
import { type EngineContext, handleFor } from './engine-context.js';
import { hasData, materialize } from './materialize.js';
import type { BranchRecord, EngineState } from './state.js';

const DAY_MS = 86_400_000;

/** True when the branch's postmaster is alive and accepts TCP connections. */
export async function isServing(ctx: EngineContext, state: EngineState, b: BranchRecord): Promise<boolean> {
  if (b.status !== 'ready') return false;
  const c = handleFor(ctx, state, b);
  return runningPid(c.paths) !== undefined && (await portAcceptsConnections(b.port));
}

/**
 * Make the branch's compute run (call under the engine lock): materialize a pointer, start a stopped
 * cluster, restart a dead one (Postgres runs crash recovery). Mutates `b.status`; the caller saves state.
 */
export async function ensureRunning(ctx: EngineContext, state: EngineState, b: BranchRecord): Promise<void> {
  const c = handleFor(ctx, state, b);
  if (b.status === 'pointer') {
    if (!b.target)
      throw new PlatformError(`branch "${b.name}" has no replay target recorded`, {
        hint: 'delete and recreate the branch',
        code: 'STATE_INVALID',
      });
    await materialize(c, b.target);
    writeBranchConf(c); // drop the recovery target so a later restart never replays again
    b.status = 'ready';
    delete b.target;
    return;
  }
  if (!hasData(c.paths)) {
    throw new PlatformError(`branch "${b.name}" has no data directory (${c.paths.data})`, {
      hint: 'restore it from another branch or delete it',
      code: 'DATA_MISSING',
    });
  }
  if (runningPid(c.paths) !== undefined) {
    // alive: wait briefly for it to accept connections (it may be starting or in crash recovery)
    for (let i = 0; i < 100; i++) {
      if (await portAcceptsConnections(b.port)) return;
      if (runningPid(c.paths) === undefined) break;
      await sleep(100);
    }
    if (runningPid(c.paths) !== undefined) {
      throw new PlatformError(
        `the compute of branch "${b.name}" runs but does not accept connections on port ${b.port}`,
        { hint: `see ${c.paths.log}, or run \`neon-migrate local stop\` then retry`, code: 'COMPUTE_UNREACHABLE' },
      );
    }
  }
  await startCluster(c);
  const backups = listBackups(c.paths.base);
  const newest = backups[backups.length - 1];
  if (!newest || Date.now() - new Date(newest.stopTime).getTime() > DAY_MS) await takeBaseBackup(c);
}

/** Stop a branch's compute if running. */
export async function stopCompute(ctx: EngineContext, state: EngineState, b: BranchRecord): Promise<void> {
  if (b.status !== 'ready') return;
  await stopCluster(handleFor(ctx, state, b));
}
