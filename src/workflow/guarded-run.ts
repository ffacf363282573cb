/**
 * The protected run shared by `test` and `promote` (DESIGN §4): checkpoint → snapshot → apply
 * pending → verify → reversibility → record; on any failure after the checkpoint, restore the
 * branch from it and prove the restore with the integrity snapshot. Validation that can fail
 * (migration files, assertion files, --run programs, drift) happens before anything is touched.
 */
import { randomUUID } from 'node:crypto';
import type { Environment } from '../config/schema.js';
import { connect } from '../db/connect.js';
import { finishRun, readApplied, recordRun } from '../history/store.js';
import { createCheckpoint, projectMigrations } from '../run/run-context.js';
import { type RunResult, runMigrations } from '../executors/native-runner.js';
import { readPartial } from '../history/partial.js';
import { selectMigrations } from '../run/select.js';
import { openRunSession, type RunSession } from '../run/run-lock.js';
import { assertRunnable, compareWithHistory } from '../history/compare.js';
import type { Migration } from '../migrations/types.js';
import { listAssertionFiles, loadAssertionFile } from '../verify/assertions.js';
import { type CatalogFingerprint, takeFingerprint } from '../verify/fingerprint.js';
import { type IntegritySnapshot, takeSnapshot } from '../verify/snapshot.js';
import { assertCommandsExist } from '../verify/user-commands.js';
import { verifyAfterApply } from '../verify/verify.js';
import { restoreFromCheckpoint } from './checkpoint-restore.js';
import { nowOf, type WorkflowContext } from './workflow-context.js';
import { PhaseTimer, type ReportMigration, type RunReport, saveReport, type WorkflowCommand } from './report.js';
import { checkReversibility } from './reversibility.js';
import { tablesTouchedBy } from './touched-tables.js';

export interface GuardedRunOptions {
  command: Extract<WorkflowCommand, 'test' | 'promote'>;
  environment: Environment;
  /** --run commands (the environment's plus the flags). */
  runCommands: string[];
  reversibility: boolean;
  parent?: string;
  refreshedAt?: string;
  notes?: string[];
  /** Wait for another run's lock on the branch instead of failing with exit 5. */
  wait?: boolean;
  /** Called with the pending migrations before anything is touched (the promote gate, confirmation); returns report notes. */
  beforeTouch?: (pending: Migration[]) => Promise<string[] | void>;
}

export interface GuardedRunResult {
  report: RunReport;
  /** The saved JSON report, relative to the project. */
  reportFile: string;
}

function migrationRows(pending: Migration[], run?: RunResult): ReportMigration[] {
  return pending.map((m, i) => {
    const r = run?.results[i];
    return {
      version: m.version, name: m.name, checksum: m.checksum, downChecksum: m.downChecksum ?? null, direction: 'up',
      status: r?.status ?? 'not-run', durationMs: r?.durationMs ?? 0,
      ...(r?.error ? { error: `${r.error.location}: ${r.error.message}` } : {}),
    };
  });
}

/** Assertion files of the environment (or the default set), parsed before anything runs. */
export async function loadAssertions(ctx: WorkflowContext, env: Environment) {
  const seed = ctx.settings.local.seed ? [ctx.settings.local.seed] : [];
  const files = listAssertionFiles(ctx.projectDir, ctx.settings.scriptsDir, env.checks.assertions, seed);
  return Promise.all(files.map((f) => loadAssertionFile(ctx.projectDir, f)));
}

/** Run the pending migrations of the environment's branch under full protection. */
export async function guardedRun(ctx: WorkflowContext, opts: GuardedRunOptions): Promise<GuardedRunResult> {
  const branch = opts.environment.branch;
  const timer = new PhaseTimer();
  const started = nowOf(ctx);
  const runId = randomUUID();
  const migrations = await projectMigrations(ctx);
  const assertionFiles = await loadAssertions(ctx, opts.environment);
  assertCommandsExist(opts.runCommands, ctx.projectDir, ctx.env);

  const report: RunReport = {
    reportVersion: 1, runId, command: opts.command, branch, environment: opts.environment.name, platform: ctx.platform.kind,
    startedAt: started.toISOString(), finishedAt: '', durationMs: 0, outcome: 'passed',
    ...(opts.parent ? { parent: opts.parent } : {}), ...(opts.refreshedAt ? { refreshedAt: opts.refreshedAt } : {}),
    timings: timer.timings, migrations: [], integrity: {}, notes: [...(opts.notes ?? [])],
  };
  const finish = (): GuardedRunResult => {
    const end = nowOf(ctx);
    report.finishedAt = end.toISOString();
    report.durationMs = end.getTime() - started.getTime();
    return { report, reportFile: saveReport(ctx.projectDir, report) };
  };

  const uri = await ctx.platform.connectionUri(branch);
  let session: RunSession | undefined = await openRunSession(uri, { branch, wait: opts.wait, timeouts: ctx.settings.timeouts });
  let checkpoint: string | undefined;
  let before: IntegritySnapshot | undefined;
  try {
    const db = session.db;
    const state = compareWithHistory(migrations, await readApplied(db), await readPartial(db));
    assertRunnable(state, { branch });
    const pending = selectMigrations('up', migrations, state, {});
    if (!pending.length) {
      report.outcome = 'nothing-to-do';
      report.notes.push(`all ${migrations.length} migrations are already applied on ${branch}`);
      return finish();
    }
    report.notes.push(...((await opts.beforeTouch?.(pending)) ?? []));
    const touched = await tablesTouchedBy(ctx.projectDir, pending);
    checkpoint = (await timer.time('checkpoint', () => createCheckpoint(ctx.platform, branch, nowOf(ctx)))).name;
    report.checkpoint = checkpoint;
    let fingerprintBefore: CatalogFingerprint;
    [before, fingerprintBefore] = await timer.time('snapshot', async () => [await takeSnapshot(db), await takeFingerprint(db)] as const);
    report.integrity.before = before;
    report.migrations = migrationRows(pending);
    try {
      await recordRun(db, { id: runId, command: opts.command, branch, checkpoint });
      const run = await timer.time('apply', () => runMigrations({ db, branch, direction: 'up', migrations: pending, runId, log: ctx.log }));
      report.migrations = migrationRows(pending, run);
      const failed = run.results.find((r) => r.error);
      if (failed) {
        report.failure = `${failed.name} ${failed.status}: ${failed.error!.location}: ${failed.error!.message}`;
      } else {
        const applied = (await readApplied(db)).map((a) => a.version);
        const v = await timer.time('verify', () =>
          verifyAfterApply({
            db, before: before!, fingerprintBefore, touched, assertionFiles, appliedVersions: applied,
            commands: opts.runCommands, databaseUrl: uri, cwd: ctx.projectDir, env: ctx.env,
          }),
        );
        report.integrity.after = v.after;
        const { fingerprintAfter } = v;
        report.verification = {
          passed: v.passed, failures: v.failures, untouchedChanged: v.untouchedChanged, untouchedSkipped: v.untouchedSkipped,
          orphans: v.orphans, invalidIndexes: v.invalidIndexes, assertions: v.assertions, commands: v.commands,
        };
        if (!v.passed) {
          report.failure = v.failures.length > 1 ? `${v.failures[0]} (and ${v.failures.length - 1} more)` : v.failures[0];
        } else if (opts.reversibility) {
          const rev = await timer.time('reversibility', () =>
            checkReversibility(ctx, { branch, applied: pending, before: fingerprintBefore, after: fingerprintAfter, runId }),
          );
          const { ok, failure, ...shown } = rev;
          report.reversibility = shown;
          if (!ok) report.failure = `reversibility: ${failure}`;
        } else {
          report.reversibility = { checked: false, skippedReason: `disabled in ${opts.environment.file}` };
        }
      }
    } catch (err) {
      // Anything unexpected after the checkpoint still ends in a restore.
      report.failure = `${(err as Error).message}`;
    }
    if (!report.failure) {
      const done = finish();
      await finishRun(db, runId, 'succeeded', report);
      return done;
    }
  } finally {
    await session?.close();
    session = undefined;
  }

  // Failure after the checkpoint: put the branch back and prove it. The run lock was released just
  // above (the restore restarts the compute, ending every session on it); restoreFromCheckpoint does
  // not take it again, so this run never waits on itself.
  report.outcome = 'failed';
  const restored = await timer.time('restore', () => restoreFromCheckpoint(ctx, branch, checkpoint!, before));
  report.restore = { source: restored.source, backup: restored.backup, snapshotMatches: restored.snapshotMatches };
  if (restored.snapshotMatches === false) report.notes.push('the restored branch differs from the pre-run snapshot: something wrote to it during the run');
  const result = finish();
  const db = await connect(uri);
  try {
    await recordRun(db, { id: runId, command: opts.command, branch, checkpoint: checkpoint! });
    await finishRun(db, runId, 'rolled_back', report);
  } finally {
    await db.close();
  }
  return result;
}
