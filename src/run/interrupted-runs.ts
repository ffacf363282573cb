/**
 * Before a run touches its branch: runs left `running` by a dead process (the caller holds the run
 * lock, so their owners are gone) are abandoned, let through (resumed or resolved by this plan), or
 * stop the run with the commands that resolve them (history/interrupted.ts).
 */
import type { DbClient } from '../db/connect.js';
import { UsageError } from '../errors.js';
import type { ExecutorState, ExecutorUnit } from '../executors/types.js';
import {
  interruptedError,
  resolveRun,
  type RunProgress,
  runningRecords,
  touchedNothing,
} from '../history/interrupted.js';
import type { RunRecord } from '../history/store.js';
import type { PipelinePlan, PipelineRun } from './pipeline.js';
import type { RunContext } from './run-context.js';

/** An interrupted run being continued: its record, with the progress it saved. */
export interface ResumedRun extends RunRecord {
  progress: RunProgress;
}

/**
 * Deal with runs left `running` by a dead process (we hold the lock, so their owners are gone):
 * one that touched nothing is abandoned (its checkpoint deleted); one this plan resumes or resolves
 * is let through; any other stops this run (exit 2, with the commands that resolve it).
 */
export async function settleInterrupted(
  ctx: RunContext,
  db: DbClient,
  plan: PipelinePlan,
  run: PipelineRun,
): Promise<{ resumed?: ResumedRun; continued?: string }> {
  let resumed: ResumedRun | undefined;
  let continued: string | undefined;
  for (const r of await runningRecords(db)) {
    if (touchedNothing(r)) {
      await resolveRun(db, r.id, 'abandoned', 'interrupted before it touched the branch');
      if (r.checkpoint) await ctx.platform.deleteBranch(r.checkpoint).catch(() => undefined);
      ctx.log?.(
        `run ${r.id.slice(0, 8)} (${r.command}) was interrupted before it touched ${plan.branch}: marked abandoned`,
      );
      continue;
    }
    if (r.id === plan.resolves) continue;
    const progress = r.progress as RunProgress | null | undefined;
    if (plan.resume && r.command === plan.command) {
      if (plan.guard && progress?.before) {
        resumed = { ...r, progress };
        run.runId = r.id;
      } else {
        // A plain up/down run: its applied migrations are in the history; this run carries on from there.
        await resolveRun(db, r.id, 'interrupted', `continued by run ${run.runId}`);
        continued = r.id;
      }
      continue;
    }
    const appliedByRun = await db.query(`SELECT 1 FROM neon_migrate.applied WHERE run_id = $1`, [r.id]);
    throw interruptedError(r, plan.branch, appliedByRun.rowCount);
  }
  if (plan.resume && !resumed && plan.guard) {
    throw new UsageError(`--resume: no interrupted ${plan.command} run on branch "${plan.branch}"`, {
      hint: `run \`neon-migrate ${plan.command}\` without --resume`,
      code: 'NOTHING_TO_RESUME',
    });
  }
  return { ...(resumed ? { resumed } : {}), ...(continued ? { continued } : {}) };
}

/** The units of a resumed run, as the executor knows them now (applied or still pending). */
export function resumedUnits(state: ExecutorState, resumed: ResumedRun): ExecutorUnit[] {
  const all = new Map([...state.applied, ...state.pending].map((u) => [u.version, u]));
  return resumed.progress.units.flatMap((u) => all.get(u.version) ?? []);
}

/** Apply (or revert) the units; on a resumed run, only those still pending (the rest show as applied). */
