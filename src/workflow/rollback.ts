/**
 * `rollback --branch B`: undo the last run on B — by restoring B from that run's checkpoint
 * (default; the current state is kept as a backup branch), or with `--strategy down` by running
 * the down migrations of what that run applied.
 */
import { assertActionAllowed } from '../run/restrictions.js';
import { notConfirmed, UsageError } from '../errors.js';
import { createExecutor, runnerKind } from '../executors/index.js';
import { listRuns, readApplied, type RunRecord } from '../history/store.js';
import { recordFinishedRun, withBranchDb } from '../run/scoped.js';
import { compareVersions, resolveOrdering } from '../migrations/naming.js';
import { type MigrateReport, migrate } from './migrate.js';
import { type BranchLock, lockBranch } from './branch-lock.js';
import { restoreFromCheckpoint } from '../run/checkpoint-restore.js';
import { nowOf, type WorkflowContext } from './workflow-context.js';
import { planRestore } from '../platform/restore-request.js';
import { compareSnapshots, type IntegritySnapshot, takeSnapshot } from '../verify/snapshot.js';
import type { ReportRestore, RunReport } from './report.js';

export type RollbackStrategy = 'checkpoint' | 'down';

export interface RollbackResult {
  branch: string;
  strategy: RollbackStrategy;
  /** The run that was undone. */
  run: { id: string; command: string; startedAt: string; checkpoint: string | null };
  restore?: ReportRestore;
  down?: MigrateReport;
}

const UNDOABLE = new Set(['test', 'promote', 'up', 'down']);

/** The last run on the branch that changed it, from its own history. */
async function lastRun(
  ctx: WorkflowContext,
  branch: string,
): Promise<{ run: RunRecord; appliedByRun: string[]; previousVersion: string }> {
  return withBranchDb(ctx.platform, branch, async (db) => {
    const run = (await listRuns(db, { limit: 100 })).find((r) => r.branch === branch && UNDOABLE.has(r.command));
    if (!run)
      throw new UsageError(`no run to roll back on branch "${branch}"`, {
        hint: 'rollback undoes the last test, promote, up or down run on the branch',
        code: 'NOTHING_TO_ROLL_BACK',
      });
    if (run.status === 'rolled_back') {
      throw new UsageError(
        `the last run on "${branch}" (${run.command} ${run.id.slice(0, 8)}) already failed and was restored from its checkpoint`,
        {
          hint: `to go further back: neon-migrate restore --branch ${branch} --from-checkpoint <id> (see \`neon-migrate checkpoints list --branch ${branch}\`)`,
          code: 'ALREADY_ROLLED_BACK',
        },
      );
    }
    if (runnerKind(ctx.settings.runner) !== 'native') {
      // A wrapped tool's history is its own: what the run applied is in its report (previousVersion unused).
      return { run, appliedByRun: appliedInReport(run), previousVersion: '0' };
    }
    const applied = await readApplied(db);
    const appliedByRun = applied.filter((a) => a.runId === run.id).map((a) => a.version);
    const ordering = resolveOrdering(
      ctx.settings.ordering ?? 'auto',
      applied.map((a) => a.version),
    );
    const cmp = (a: string, b: string) => compareVersions(a, b, ordering);
    const oldest = appliedByRun.sort(cmp)[0];
    const previousVersion = oldest
      ? (applied
          .map((a) => a.version)
          .filter((v) => cmp(v, oldest) < 0)
          .sort(cmp)
          .at(-1) ?? '0')
      : '0';
    return { run, appliedByRun, previousVersion };
  });
}

/** Versions a run applied, from its report (`migrations` of test/promote, `results` of up). */
function appliedInReport(run: RunRecord): string[] {
  const report = run.report as { migrations?: unknown; results?: unknown } | null;
  const list = (report?.migrations ?? report?.results ?? []) as {
    version?: string;
    status?: string;
    direction?: string;
  }[];
  return Array.isArray(list)
    ? list.filter((m) => m.status === 'applied' && m.direction !== 'down' && m.version).map((m) => m.version!)
    : [];
}

export interface RollbackOptions {
  branch: string;
  strategy?: RollbackStrategy;
  /** Wait for another run on the branch instead of failing with exit 5. */
  wait?: boolean;
  /** Verify the checkpoint's state on a preview before restoring (default true; workflow/verified-restore.ts). */
  verify?: boolean;
}

/**
 * Undo the last run on a branch. Runs under the branch's run lock (exit 5 when another run holds it,
 * unless `wait`), taken before the last run is read so that it cannot be a run still in progress.
 *
 * @example
 * ```ts
 * const undone = await runRollback(ctx, { branch: 'dev' }); // restore from the last run's checkpoint
 * console.log(undone.run.id, undone.restore?.backup);
 * await runRollback(ctx, { branch: 'dev', strategy: 'down' }); // or run the down migrations
 * ```
 */
export async function runRollback(ctx: WorkflowContext, opts: RollbackOptions): Promise<RollbackResult> {
  const strategy = opts.strategy ?? 'checkpoint';
  if (strategy === 'down' && runnerKind(ctx.settings.runner) !== 'native') {
    // A tool without down migrations (drizzle-kit): say so before anything is touched.
    const cannot = createExecutor(ctx.projectDir, ctx.settings, ctx.env).limits.down;
    if (cannot)
      throw new UsageError(`rollback --strategy down: ${cannot}`, {
        hint: `use the default strategy: neon-migrate rollback --branch ${opts.branch}`,
        code: 'RUNNER_NO_DOWN',
      });
  }
  const target = await ctx.platform.getBranch(opts.branch);
  if (strategy === 'checkpoint') assertActionAllowed(target, 'restore');
  const branch = target.name;
  const lock = await lockBranch(ctx, branch, { wait: opts.wait });
  try {
    return await rollbackLocked(ctx, branch, strategy, lock, opts.wait, opts.verify !== false);
  } finally {
    await lock.release();
  }
}

/** The rollback itself, with the lock held; releases it before the branch is changed. */
async function rollbackLocked(
  ctx: WorkflowContext,
  branch: string,
  strategy: RollbackStrategy,
  lock: BranchLock,
  wait?: boolean,
  verify = true,
): Promise<RollbackResult> {
  const { run, appliedByRun, previousVersion } = await lastRun(ctx, branch);
  const summary = { id: run.id, command: run.command, startedAt: run.startedAt, checkpoint: run.checkpoint };
  if (strategy === 'down' && !appliedByRun.length) {
    throw new UsageError(
      `the last run on "${branch}" (${run.command} ${run.id.slice(0, 8)}) left no applied migrations to revert`,
      { hint: 'use the default strategy (restore from its checkpoint)', code: 'NOTHING_TO_REVERT' },
    );
  }
  if (strategy === 'checkpoint' && !run.checkpoint) {
    throw new UsageError(`the last run on "${branch}" has no checkpoint`, {
      hint: 'use --strategy down',
      code: 'NO_CHECKPOINT',
    });
  }
  const what =
    strategy === 'checkpoint'
      ? `restore ${branch} from ${run.checkpoint} (writes since ${run.startedAt} are kept only in the backup branch)`
      : `revert ${appliedByRun.length} migration(s) on ${branch} with their down files`;
  if (!ctx.confirm)
    throw new UsageError(`confirmation needed: ${what}`, {
      hint: 'pass --yes to confirm',
      code: 'CONFIRMATION_REQUIRED',
    });
  if (!(await ctx.confirm(`roll back ${run.command} run ${run.id.slice(0, 8)}: ${what}?`))) {
    throw notConfirmed('rollback');
  }
  if (strategy === 'down') {
    // `migrate` takes the run lock on its own session; a second session of ours would be refused.
    await lock.release();
    const resolves = run.status === 'running' ? { resolves: run.id } : {};
    // A wrapped tool: the run's units are the newest applied (it was the last run), so revert that many.
    const native = runnerKind(ctx.settings.runner) === 'native';
    const down = await migrate(ctx, {
      direction: 'down',
      branch,
      ...(native ? { to: previousVersion } : { steps: appliedByRun.length }),
      wait,
      viaRollback: true,
      ...resolves,
    });
    return { branch, strategy, run: summary, down };
  }
  const expected = (run.report as RunReport | null)?.integrity?.before;
  let restore: ReportRestore;
  if (verify) {
    restore = await verifiedCheckpointRestore(ctx, branch, run.checkpoint!, lock, expected);
  } else {
    // Released right before the restore: it restarts the branch's compute, ending every session on it.
    await lock.release();
    const restored = await restoreFromCheckpoint(ctx, branch, run.checkpoint!, expected);
    restore = {
      source: restored.source,
      backup: restored.backup,
      ...(restored.snapshotMatches === undefined ? {} : { snapshotMatches: restored.snapshotMatches }),
    };
  }
  await withBranchDb(ctx.platform, branch, (db) =>
    recordFinishedRun(db, { command: 'rollback', branch, checkpoint: run.checkpoint }, 'succeeded', {
      undone: summary,
      restore,
    }),
  );
  return { branch, strategy, run: summary, restore };
}

/** Restore from the checkpoint after verifying it on a preview; prove it against the run's snapshot. */
async function verifiedCheckpointRestore(
  ctx: WorkflowContext,
  branch: string,
  checkpoint: string,
  lock: BranchLock,
  expected: IntegritySnapshot | undefined,
): Promise<ReportRestore> {
  const { verifiedRestore } = await import('./verified-restore.js');
  const plan = planRestore({ branch, fromBranch: checkpoint }, nowOf(ctx));
  const { result, check } = await verifiedRestore(ctx, plan, () => lock.release());
  const after = await withBranchDb(ctx.platform, branch, (db) => takeSnapshot(db));
  return {
    source: checkpoint,
    verifiedOn: check.preview,
    ...(result.backup ? { backup: result.backup.name } : {}),
    ...(expected ? { snapshotMatches: compareSnapshots(expected, after).identical } : {}),
  };
}
