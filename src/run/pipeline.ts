/**
 * The run pipeline (docs/architecture.md): the one private path every run takes. `up`/`down`,
 * `test`/`promote` and the seed are configurations of it (Kysely's Migrator: one private path, thin
 * public entry points). Phases, each timed:
 *
 *   lock → history → (select, beforeTouch) → checkpoint → snapshot → apply → verify →
 *   reversibility → record | restore
 *
 * The pipeline owns safety; the Executor only applies and reverts. A guarded run (test, promote)
 * that fails after its checkpoint is restored from it and the restore is proven by the snapshot.
 */
import { randomUUID } from 'node:crypto';
import type { DbClient } from '../db/connect.js';
import type { Executor, ExecutorRunResult, ExecutorState, ExecutorTarget, ExecutorUnit } from '../executors/types.js';
import { finishRun, recordRun, type RunStatus } from '../history/store.js';
import type { AssertionFile } from '../verify/assertions.js';
import type { CatalogFingerprint } from '../verify/fingerprint.js';
import type { IntegritySnapshot } from '../verify/snapshot.js';
import type { VerificationResult } from '../verify/verify.js';
import { createCheckpoint } from './checkpoint.js';
import { type CheckpointRestore, restoreFromCheckpoint } from './checkpoint-restore.js';
import { snapshotPhase, touchedTables, verifyPhase } from './guard.js';
import { PhaseTimer } from './phase-timer.js';
import { checkReversibility, type ReportReversibility } from './reversibility.js';
import { nowOf, type RunContext } from './run-context.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './run-lock.js';
import { recordFinishedRun, withBranchDb, withRunLock } from './scoped.js';
import type { Direction } from './select.js';

/** The protection of `test` and `promote`: snapshot, verify, reversibility, restore on failure. */
export interface GuardOptions {
  assertionFiles: AssertionFile[];
  /** `--run` commands, with DATABASE_URL set to the branch. */
  runCommands: string[];
  /** Check up → down → up on a scratch branch; a string is why it is off (shown in the report). */
  reversibility: true | string;
}

/** One configuration of the pipeline. */
export interface PipelinePlan {
  /** Recorded in `neon_migrate.runs` (up, down, test, promote, seed...). */
  command: string;
  branch: string;
  executor: Executor;
  direction: Direction;
  /** Wait for another run's lock instead of failing with exit 5. */
  wait?: boolean;
  timeouts?: Timeouts;
  /** The units this run applies or reverts, from the branch's state. */
  select(state: ExecutorState): ExecutorUnit[];
  /** Before anything is touched (the promote gate, confirmations); may throw; returns report notes. */
  beforeTouch?(units: ExecutorUnit[]): Promise<string[] | void>;
  /** Take a checkpoint first (every run that changes a branch does; the seed of a new project does not). */
  checkpoint?: boolean;
  guard?: GuardOptions;
  /** Go on with no unit selected (the seed loads its data whatever its baseline needed). */
  runWhenEmpty?: boolean;
  /** After a successful apply, on the run session, inside the run (the seed loads its data here). */
  afterApply?(db: DbClient): Promise<void>;
  /** The report stored with the run when it ends (called once, after every phase). */
  report(run: PipelineRun): unknown;
}

/** Everything a run did, phase by phase; the entry points turn it into their reports. */
export interface PipelineRun {
  runId: string;
  command: string;
  branch: string;
  /** The branch's direct URI (DATABASE_URL of --run commands). */
  uri: string;
  startedAt: Date;
  timer: PhaseTimer;
  units: ExecutorUnit[];
  notes: string[];
  checkpoint?: string;
  applied?: ExecutorRunResult;
  before?: IntegritySnapshot;
  fingerprintBefore?: CatalogFingerprint;
  verification?: VerificationResult;
  reversibility?: ReportReversibility;
  /** One line: why the run failed (a guarded run is then restored). */
  failure?: string;
  restore?: CheckpointRestore;
  /** `nothing-to-do` when no unit was selected; otherwise the status recorded in the history. */
  status: RunStatus | 'nothing-to-do';
}

/** Run a plan through every phase; returns what happened (a failed migration is a result, not a throw). */
export async function runPipeline(ctx: RunContext, plan: PipelinePlan): Promise<PipelineRun> {
  const { branch, executor } = plan;
  const timer = new PhaseTimer();
  const uri = await ctx.platform.connectionUri(branch);
  const run: PipelineRun = {
    runId: randomUUID(), command: plan.command, branch, uri, startedAt: nowOf(ctx), timer, units: [], notes: [], status: 'running',
  };
  const timeouts = plan.timeouts ?? ctx.settings.timeouts ?? DEFAULT_TIMEOUTS;
  const lockOptions = { branch, wait: plan.wait, timeouts };
  await withRunLock(uri, lockOptions, async (session) => {
    const { db } = session;
    const target: ExecutorTarget = { branch, uri, db, runId: run.runId, log: ctx.log, timeouts, env: ctx.env };
    const state = await timer.time('history', () => executor.state(target));
    run.units = plan.select(state);
    if (!run.units.length && !plan.runWhenEmpty) {
      run.status = 'nothing-to-do';
      return;
    }
    run.notes.push(...((await plan.beforeTouch?.(run.units)) ?? []));
    const touched = plan.guard ? await touchedTables(executor, run.units) : undefined;
    if (plan.checkpoint !== false) {
      ctx.log?.(`taking checkpoint of ${branch}`);
      run.checkpoint = (await timer.time('checkpoint', () => createCheckpoint(ctx.platform, branch, nowOf(ctx)))).name;
    }
    if (plan.guard) [run.before, run.fingerprintBefore] = await timer.time('snapshot', () => snapshotPhase(db));
    try {
      await recordRun(db, { id: run.runId, command: plan.command, branch, checkpoint: run.checkpoint ?? null });
      run.applied = await timer.time('apply', () =>
        plan.direction === 'up' ? executor.apply(target, run.units) : executor.revert(target, run.units),
      );
      const failed = run.applied.results.find((r) => r.error);
      if (failed) run.failure = `${failed.name} ${failed.status}: ${failed.error!.location}: ${failed.error!.message}`;
      else if (plan.guard) await guardPhases(ctx, plan, plan.guard, run, db, touched!);
      if (!run.failure) await plan.afterApply?.(db);
    } catch (err) {
      if (!plan.guard) {
        // Not left `running` forever: the history says this run failed, then the error goes up.
        await finishRun(db, run.runId, 'failed', { error: (err as Error).message }).catch(() => undefined);
        throw err;
      }
      // Anything unexpected after the checkpoint still ends in a restore.
      run.failure = (err as Error).message;
    }
    if (run.failure && plan.guard) return; // restored below, once this session (and its lock) is closed
    run.status = run.applied?.outcome ?? 'succeeded';
    const report = plan.report(run);
    await timer.time('record', () => finishRun(db, run.runId, run.status, report));
  });
  if (run.failure && plan.guard) {
    await restorePhase(ctx, run);
    const report = plan.report(run);
    await withBranchDb(ctx.platform, branch, (db) =>
      recordFinishedRun(db, { id: run.runId, command: plan.command, branch, checkpoint: run.checkpoint ?? null }, 'rolled_back', report),
    );
  }
  return run;
}

/** verify → reversibility, stopping at the first failure. */
async function guardPhases(
  ctx: RunContext,
  plan: PipelinePlan,
  guard: GuardOptions,
  run: PipelineRun,
  db: DbClient,
  touched: Awaited<ReturnType<typeof touchedTables>>,
): Promise<void> {
  const v = await run.timer.time('verify', () => verifyPhase(ctx, { db, run, guard, touched }));
  run.verification = v;
  if (!v.passed) {
    run.failure = v.failures.length > 1 ? `${v.failures[0]} (and ${v.failures.length - 1} more)` : v.failures[0];
    return;
  }
  if (guard.reversibility !== true) {
    run.reversibility = { checked: false, skippedReason: guard.reversibility };
    return;
  }
  const rev = await run.timer.time('reversibility', () =>
    checkReversibility(ctx, {
      branch: run.branch, executor: plan.executor, applied: run.units, runId: run.runId,
      before: run.fingerprintBefore!, after: v.fingerprintAfter,
    }),
  );
  const { ok, failure, ...shown } = rev;
  run.reversibility = shown;
  if (!ok) run.failure = `reversibility: ${failure}`;
}

/**
 * A guarded run failed after its checkpoint: put the branch back and prove it. The run lock was
 * released just before (the restore restarts the compute, ending every session on it).
 */
async function restorePhase(ctx: RunContext, run: PipelineRun): Promise<void> {
  run.status = 'rolled_back';
  run.restore = await run.timer.time('restore', () => restoreFromCheckpoint(ctx, run.branch, run.checkpoint!, run.before));
  if (run.restore.snapshotMatches === false) {
    run.notes.push('the restored branch differs from the pre-run snapshot: something wrote to it during the run');
  }
}
