/**
 * Interrupted runs: a run record left `running` by a process that is gone (killed, crashed, lost
 * its machine). The proof that the owner is gone is the branch's run lock: every run holds it for
 * its whole life (the lock is session-scoped, so it dies with the process), so a `running` record
 * seen by someone who holds the lock belongs to a dead run.
 *
 * An interrupted run blocks every run on the branch (exit 2) until it is resolved: undone with
 * `rollback` (its checkpoint), or continued with `--resume`. One interrupted before it touched the
 * branch (checkpoint or snapshot phase) is resolved on the spot: marked `abandoned`.
 */
import type { DbClient } from '../db/connect.js';
import { UsageError } from '../errors.js';
import { listRuns, type RunRecord } from './store.js';

/** Phases in which a run has not changed the branch yet. */
const UNTOUCHED_PHASES = new Set([null, undefined, '', 'checkpoint', 'snapshot']);

/** True when an interrupted run never touched the branch. */
export function touchedNothing(run: RunRecord): boolean {
  return UNTOUCHED_PHASES.has(run.phase ?? null);
}

/** What a resumed run needs, saved in the run record once its snapshot is taken. */
export interface RunProgress {
  units: { version: string; name: string }[];
  before?: unknown;
  fingerprintBefore?: unknown;
}

/** The `running` records of a branch other than `ownRunId` (dead, when the caller holds the run lock). */
export async function runningRecords(db: DbClient, ownRunId?: string): Promise<RunRecord[]> {
  return (await listRuns(db, { status: 'running', limit: 50 })).filter((r) => r.id !== ownRunId);
}

/** Mark a run resolved (`abandoned`, `interrupted` once continued by another, `undone`). */
export async function resolveRun(
  db: DbClient,
  id: string,
  status: 'abandoned' | 'interrupted' | 'undone',
  note: string,
): Promise<void> {
  await db.query(
    `UPDATE neon_migrate.runs SET status = $2, finished_at = clock_timestamp(),
            report = coalesce(report, '{}'::jsonb) || jsonb_build_object('resolution', $3::text) WHERE id = $1`,
    [id, status, note],
  );
}

/** How far an interrupted run got, in words. */
export function describeInterrupted(run: RunRecord, appliedByRun: number): string {
  const at = run.phase ? `during ${run.phase}` : 'before it recorded a phase';
  const applied = appliedByRun ? `, ${appliedByRun} migration(s) applied` : '';
  const cp = run.checkpoint ? `; checkpoint ${run.checkpoint}` : '';
  return `run ${run.id.slice(0, 8)} (${run.command}, started ${run.startedAt}) was interrupted ${at}${applied}${cp}`;
}

/** The refusal of a run while an interrupted one is unresolved (exit 2), with the exact commands. */
export function interruptedError(run: RunRecord, branch: string, appliedByRun: number): UsageError {
  const resumable = ['test', 'promote', 'up', 'down'].includes(run.command);
  const env = run.command === 'test' ? ` --branch ${branch}` : run.command === 'promote' ? '' : ` --branch ${branch}`;
  const resume = resumable ? `, or continue it: neon-migrate ${run.command}${env} --resume` : '';
  return new UsageError(
    `branch "${branch}": ${describeInterrupted(run, appliedByRun)}; nothing else runs until it is resolved`,
    {
      hint: `undo it: neon-migrate rollback --branch ${branch} (restores its checkpoint)${resume}`,
      code: 'INTERRUPTED_RUN',
    },
  );
}
