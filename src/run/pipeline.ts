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
import type {
  Executor,
  ExecutorRunResult,
  ExecutorState,
  ExecutorTarget,
  ExecutorUnit,
  UnitResult,
} from '../executors/types.js';
import { resolveRun } from '../history/interrupted.js';
import { finishRun, markPhase, markVerified, recordRun, type RunStatus, saveProgress } from '../history/store.js';
import type { AssertionFile } from '../verify/assertions.js';
import { type CatalogFingerprint, takeFingerprint } from '../verify/fingerprint.js';
import type { IntegritySnapshot } from '../verify/snapshot.js';
import type { VerificationResult } from '../verify/verify.js';
import { createCheckpoint } from './checkpoint.js';
import { type CheckpointRestore, restoreFromCheckpoint } from './checkpoint-restore.js';
import { type AnalysisOptions, RunAnalysis } from './analysis-phase.js';
import { snapshotPhase, touchedTables, verifyPhase } from './guard.js';
import { resumedUnits, settleInterrupted } from './interrupted-runs.js';
import { sweepScratchBranches } from './scratch-sweep.js';
import { phaseError } from './phase-error.js';
import { branchWasReplaced, isConnectionLoss, lostBranchError, lostConnectionIn } from './lost-branch.js';
import { PhaseTimer } from './phase-timer.js';
import { checkReversibility, type ReportReversibility } from './reversibility.js';
import { checkpointOptions } from './tool-branch.js';
import { nowOf, type RunContext } from './run-context.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './run-lock.js';
import { recordFinishedRun, withBranchDb, withRunLock } from './scoped.js';
import type { Direction } from './select.js';

/** The protection of `test` and `promote`: snapshot, verify, reversibility, restore on failure. */
export interface GuardOptions {
  assertionFiles: AssertionFile[];
  /** `--run` commands, with DATABASE_URL set to the branch. */
  runCommands: string[];
  /** Check up → down → up on a scratch branch (`data`: full copy, `schema`: emptied tables); other text: why it is off. */
  reversibility: 'data' | 'schema' | (string & {});
  /** Lint, destructive-change gate, measuring probe and budgets (see analysis-phase.ts). */
  analysis?: AnalysisOptions;
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
  /**
   * The units this run applies or reverts, from the branch's state (`resumedRun`: an interrupted run it
   * continues), read under the run lock (`db` is the run session, for selections that read the branch).
   */
  select(state: ExecutorState, info: { resumedRun?: string; db: DbClient }): ExecutorUnit[] | Promise<ExecutorUnit[]>;
  /** Before anything is touched (the promote gate, confirmations); may throw; returns report notes. */
  beforeTouch?(units: ExecutorUnit[], db: DbClient): Promise<string[] | void>;
  /** Take a checkpoint first (every run that changes a branch does; the seed of a new project does not). */
  checkpoint?: boolean;
  guard?: GuardOptions;
  /** Go on with no unit selected (the seed loads its data whatever its baseline needed). */
  runWhenEmpty?: boolean;
  /** After a successful apply, on the run session, inside the run (the seed loads its data here). */
  afterApply?(db: DbClient): Promise<void>;
  /** Continue an interrupted run of the same command (`--resume`) instead of refusing. */
  resume?: boolean;
  /** The id of an interrupted run this one undoes (`rollback --strategy down`): let through, marked `undone`. */
  resolves?: string;
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
  /** What the safety analysis found and measured (guarded runs). */
  analysis?: RunAnalysis;
  /** The phase the run is in (recorded in its history row as it goes). */
  phase: string;
  /** `nothing-to-do` when no unit was selected; otherwise the status recorded in the history. */
  status: RunStatus | 'nothing-to-do';
}

/** Run a plan through every phase; returns what happened (a failed migration is a result, not a throw). */
export async function runPipeline(ctx: RunContext, plan: PipelinePlan): Promise<PipelineRun> {
  const { branch, executor } = plan;
  const timer = new PhaseTimer();
  const uri = await ctx.platform.connectionUri(branch);
  const run: PipelineRun = {
    runId: randomUUID(),
    command: plan.command,
    branch,
    uri,
    startedAt: nowOf(ctx),
    timer,
    units: [],
    notes: [],
    status: 'running',
    phase: 'history',
  };
  const timeouts = plan.timeouts ?? ctx.settings.timeouts ?? DEFAULT_TIMEOUTS;
  const lockOptions = { branch, wait: plan.wait, timeouts };
  let recorded = false;
  try {
    await withRunLock(uri, lockOptions, async (session) => {
      const { db } = session;
      const target: ExecutorTarget = {
        ...{ branch, uri, db, runId: run.runId, log: ctx.log, timeouts, env: ctx.env },
        ...(ctx.progressStream ? { progressStream: ctx.progressStream } : {}),
      };
      const { state, resumed, continued } = await timer.time('history', async () => {
        const settled = await settleInterrupted(ctx, db, plan, run);
        await sweepScratchBranches(ctx.platform, branch, ctx.log);
        return { state: await executor.state(target), ...settled };
      });
      run.units = resumed
        ? resumedUnits(state, resumed)
        : await plan.select(state, continued ? { resumedRun: continued, db } : { db });
      if (!run.units.length && !plan.runWhenEmpty) {
        run.status = 'nothing-to-do';
        return;
      }
      run.notes.push(...((await plan.beforeTouch?.(run.units, db)) ?? []));
      if (plan.guard?.analysis) {
        run.analysis = new RunAnalysis(plan.guard.analysis, executor, run.units);
        await run.analysis.beforeTouch(db);
      }
      const touched = plan.guard ? await touchedTables(executor, run.units) : undefined;
      if (resumed) {
        run.checkpoint = resumed.checkpoint ?? undefined;
        run.before = resumed.progress.before as IntegritySnapshot;
        run.fingerprintBefore = resumed.progress.fingerprintBefore as CatalogFingerprint;
        run.notes.push(`resumed interrupted run ${run.runId.slice(0, 8)} (it stopped during ${resumed.phase})`);
      } else if (plan.checkpoint !== false) {
        ctx.log?.(`taking checkpoint of ${branch}`);
        const meta = { runId: run.runId, command: plan.command };
        run.checkpoint = (
          await timer.time('checkpoint', () =>
            createCheckpoint(ctx.platform, branch, nowOf(ctx), checkpointOptions(ctx, meta)),
          )
        ).name;
      }
      let touchedBranch = false;
      try {
        if (!resumed)
          await recordRun(db, { id: run.runId, command: plan.command, branch, checkpoint: run.checkpoint ?? null });
        recorded = true;
        if (plan.guard && !resumed) {
          ctx.log?.(`taking integrity snapshot of ${branch}`);
          await enterPhase(db, run, 'snapshot');
          [run.before, run.fingerprintBefore] = await timer.time('snapshot', () => snapshotPhase(db));
          if (run.analysis?.timesQueries) await timer.time('latency', () => run.analysis!.timeQueriesBefore(db));
          const units = run.units.map((u) => ({ version: u.version, name: u.name }));
          await saveProgress(db, run.runId, { units, before: run.before, fingerprintBefore: run.fingerprintBefore });
        }
        await enterPhase(db, run, 'apply');
        touchedBranch = true;
        const measured = resumed ? undefined : run.analysis;
        run.applied = await timer.time('apply', () => applyPhase(plan, target, run.units, state, measured));
        const failed = run.applied.results.find((r) => r.error);
        if (failed && lostConnectionIn(run.applied)) throw new Error(failed.error!.message);
        if (failed)
          run.failure = `${failed.name} ${failed.status}: ${failed.error!.location}: ${failed.error!.message}`;
        else if (plan.guard) await guardPhases(ctx, plan, plan.guard, run, db, touched!);
        if (!run.failure) await plan.afterApply?.(db);
      } catch (err) {
        // The session was cut: maybe another command restored the branch; decided below, without the lock.
        if (isConnectionLoss(err)) throw err;
        if (!touchedBranch) {
          // Nothing was changed: no restore, and no checkpoint kept of an untouched branch.
          await finishRun(db, run.runId, 'abandoned', { error: (err as Error).message, phase: run.phase }).catch(
            () => undefined,
          );
          if (run.checkpoint) await ctx.platform.deleteBranch(run.checkpoint).catch(() => undefined);
          throw await phaseError(db, run.phase, branch, err);
        }
        if (!plan.guard) {
          // Not left `running` forever: the history says this run failed, then the error goes up.
          await finishRun(db, run.runId, 'failed', { error: (err as Error).message }).catch(() => undefined);
          throw err;
        }
        // Anything unexpected after the branch was touched still ends in a restore.
        run.failure = `${run.phase} phase: ${(err as Error).message}`;
      }
      if (run.failure && plan.guard) return; // restored below, once this session (and its lock) is closed
      run.status = run.applied?.outcome ?? 'succeeded';
      if (plan.guard) ctx.log?.(`recording the run on ${branch}`);
      await enterPhase(db, run, 'record');
      const report = plan.report(run);
      await timer.time('record', async () => {
        if (plan.guard && run.status === 'succeeded')
          await markVerified(
            db,
            run.runId,
            run.units.map((u) => u.version),
          );
        if (plan.resolves) await resolveRun(db, plan.resolves, 'undone', `undone by ${plan.command} run ${run.runId}`);
        await finishRun(db, run.runId, run.status, report);
      });
    });
  } catch (err) {
    if (!isConnectionLoss(err)) throw err;
    if (await branchWasReplaced(ctx, branch, run.runId, run.startedAt, recorded)) {
      // Its checkpoint is of a state the other command already replaced; keeping it would only leak it.
      if (run.checkpoint) await ctx.platform.deleteBranch(run.checkpoint).catch(() => undefined);
      throw lostBranchError(branch, run.phase, plan.command);
    }
    if (!plan.guard || !run.checkpoint) throw err;
    run.failure = (err as Error).message;
  }
  if (run.failure && plan.guard) {
    await restorePhase(ctx, run);
    const report = plan.report(run);
    await withBranchDb(ctx.platform, branch, async (db) => {
      // not restored (a masked branch): the run's own row is still there; a restore took it away
      if (run.status === 'failed') await finishRun(db, run.runId, 'failed', report);
      else
        await recordFinishedRun(
          db,
          { id: run.runId, command: plan.command, branch, checkpoint: run.checkpoint ?? null },
          'rolled_back',
          report,
        );
    });
  }
  return run;
}

async function applyPhase(
  plan: PipelinePlan,
  target: ExecutorTarget,
  units: ExecutorUnit[],
  state: ExecutorState,
  analysis?: RunAnalysis,
): Promise<ExecutorRunResult> {
  if (plan.direction === 'down') return plan.executor.revert(target, units);
  const pending = new Set(state.pending.map((u) => u.version));
  const todo = units.filter((u) => pending.has(u.version));
  const apply = (list: ExecutorUnit[]) =>
    analysis && plan.guard?.analysis?.measure
      ? analysis.applyMeasured(target, list)
      : plan.executor.apply(target, list);
  const result = todo.length ? await apply(todo) : { outcome: 'succeeded' as const, results: [] };
  if (todo.length === units.length) return result;
  const byVersion = new Map(result.results.map((r) => [r.version, r]));
  const earlier = (u: ExecutorUnit): UnitResult => ({
    version: u.version,
    name: u.name,
    direction: 'up',
    status: 'applied',
    durationMs: 0,
    transactional: true,
  });
  return { ...result, results: units.map((u) => byVersion.get(u.version) ?? earlier(u)) };
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
  const analysis = run.analysis;
  const over =
    analysis?.overBudget() ??
    (analysis?.timesQueries ? await run.timer.time('latency', () => analysis.latencyRegression(db)) : undefined);
  if (over) {
    run.failure = over;
    return;
  }
  ctx.log?.(`verifying ${run.branch}`);
  await enterPhase(db, run, 'verify');
  // What the executor (or the wrapped tool's own history) says is applied now: gates `-- neon-migrate:after`.
  const target: ExecutorTarget = {
    branch: run.branch,
    uri: run.uri,
    db,
    runId: run.runId,
    log: ctx.log,
    timeouts: ctx.settings.timeouts,
    env: ctx.env,
  };
  const appliedNow = (await plan.executor.state(target)).applied.map((u) => u.version);
  const mode: 'data' | 'schema' | undefined =
    guard.reversibility === 'data' ? 'data' : guard.reversibility === 'schema' ? 'schema' : undefined;
  // The reversibility check works on its own scratch branch (on Neon, its own compute): it runs
  // while verification reads the branch, from the post-apply fingerprint taken once for both.
  const fingerprintAfter = await takeFingerprint(db);
  const reversibility = mode
    ? run.timer.time('reversibility', () =>
        checkReversibility(ctx, {
          branch: run.branch,
          executor: plan.executor,
          applied: run.units,
          runId: run.runId,
          before: run.fingerprintBefore!,
          after: fingerprintAfter,
          mode,
          command: plan.command,
        }),
      )
    : undefined;
  // Settled before anything returns or throws: a restore must not start while the scratch branch is in use.
  const settled = reversibility?.then(
    (r) => ({ r }),
    (err: unknown) => ({ err }),
  );
  let v: Awaited<ReturnType<typeof verifyPhase>>;
  try {
    v = await run.timer.time('verify', () =>
      verifyPhase(ctx, { db, run, guard, touched, appliedNow, fingerprintAfter }),
    );
  } catch (err) {
    await settled;
    throw err;
  }
  run.verification = v;
  if (!v.passed) {
    await settled;
    run.failure = v.failures.length > 1 ? `${v.failures[0]} (and ${v.failures.length - 1} more)` : v.failures[0];
    return;
  }
  if (!settled) {
    run.reversibility = { checked: false, skippedReason: guard.reversibility };
    return;
  }
  await enterPhase(db, run, 'reversibility');
  const outcome = await settled;
  if ('err' in outcome) throw outcome.err;
  const { ok, failure, ...shown } = outcome.r;
  run.reversibility = shown;
  if (!ok) run.failure = `reversibility: ${failure}`;
}

/**
 * A guarded run failed after its checkpoint: put the branch back and prove it. The run lock was
 * released just before (the restore restarts the compute, ending every session on it).
 */
async function restorePhase(ctx: RunContext, run: PipelineRun): Promise<void> {
  if ((await ctx.platform.getBranch(run.branch)).masking) {
    // Neon restores no masked branch: the failed state stays, and the checkpoint holds the pre-run one
    run.status = 'failed';
    run.notes.push(
      `not restored: ${run.branch} is masked, and a masked branch is never a restore target; its pre-run state is kept in ${run.checkpoint}; \`neon-migrate branches reset ${run.branch}\` masks a fresh copy of its parent`,
    );
    return;
  }
  run.status = 'rolled_back';
  run.restore = await run.timer.time('restore', () =>
    restoreFromCheckpoint(ctx, run.branch, run.checkpoint!, run.before),
  );
  if (run.restore.snapshotMatches === false) {
    run.notes.push('the restored branch differs from the pre-run snapshot: something wrote to it during the run');
  }
}

/** Enter a phase: noted on the run and in its history row (an interrupted run says how far it got). */
async function enterPhase(db: DbClient, run: PipelineRun, phase: string): Promise<void> {
  run.phase = phase;
  await markPhase(db, run.runId, phase);
}
