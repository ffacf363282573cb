/**
 * The protected run shared by `test` and `promote` (docs/architecture.md §2), as a configuration of the run
 * pipeline: checkpoint → snapshot → apply pending → verify → reversibility → record; on any failure
 * after the checkpoint, the pipeline restores the branch from it and proves the restore with the
 * integrity snapshot. Validation that can fail (migration files, assertion files, --run programs,
 * drift) happens before anything is touched.
 */
import type { Environment, ReversibilityMode } from '../config/schema.js';
import { NativeExecutor } from '../executors/native.js';
import { projectExecutor } from '../executors/project-executor.js';
import type { Executor, ExecutorFingerprint, ExecutorRunResult, ExecutorUnit } from '../executors/types.js';
import type { AnalysisOptions } from '../run/analysis-phase.js';
import { type PipelineRun, runPipeline } from '../run/pipeline.js';
import { assertActionAllowed } from '../run/restrictions.js';
import { selectUnits } from '../run/select.js';
import { listAssertionFiles, loadAssertionFile } from '../verify/assertions.js';
import { assertCommandsExist } from '../verify/user-commands.js';
import { nowOf, type WorkflowContext } from './workflow-context.js';
import {
  assertReportsWritable,
  type ReportMigration,
  type RunReport,
  saveReport,
  type WorkflowCommand,
} from './report.js';

export interface GuardedRunOptions {
  command: Extract<WorkflowCommand, 'test' | 'promote'>;
  environment: Environment;
  /** --run commands (the environment's plus the flags). */
  runCommands: string[];
  reversibility: ReversibilityMode;
  parent?: string;
  refreshedAt?: string;
  notes?: string[];
  /** Wait for another run's lock on the branch instead of failing with exit 5. */
  wait?: boolean;
  /** Continue an interrupted run of this command instead of refusing. */
  resume?: boolean;
  /**
   * Called with the pending units before anything is touched (the promote gate, confirmation), and a
   * wrapped tool's fingerprint of what is about to run; returns report notes.
   */
  beforeTouch?: (pending: ExecutorUnit[], tested?: ExecutorFingerprint) => Promise<string[] | void>;
  /** Lint, destructive-change gate, measuring probe and budgets. */
  analysis?: AnalysisOptions;
  /** The executor; defaults to the project's own migration files. */
  executor?: Executor;
  /** Report fields a form of the run adds (the schema-only test's `schemaOnly`). */
  extra?: Pick<RunReport, 'schemaOnly' | 'masking'>;
}

export interface GuardedRunResult {
  report: RunReport;
  /** The saved JSON report, relative to the project. */
  reportFile: string;
}

function migrationRows(pending: ExecutorUnit[], run?: ExecutorRunResult): ReportMigration[] {
  return pending.map((m, i) => {
    const r = run?.results[i];
    return {
      version: m.version,
      name: m.name,
      checksum: m.checksum,
      downChecksum: m.downChecksum,
      direction: 'up',
      status: r?.status ?? 'not-run',
      durationMs: r?.durationMs ?? 0,
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

/** The run report of a guarded run, from what the pipeline did. */
function reportOf(ctx: WorkflowContext, opts: GuardedRunOptions, run: PipelineRun, migrationCount?: number): RunReport {
  const end = nowOf(ctx);
  const v = run.verification;
  const nothing = run.status === 'nothing-to-do';
  return {
    reportVersion: 1,
    runId: run.runId,
    command: opts.command,
    branch: run.branch,
    environment: opts.environment.name,
    platform: ctx.platform.kind,
    startedAt: run.startedAt.toISOString(),
    finishedAt: end.toISOString(),
    durationMs: end.getTime() - run.startedAt.getTime(),
    outcome: nothing ? 'nothing-to-do' : run.failure ? 'failed' : 'passed',
    ...(opts.parent ? { parent: opts.parent } : {}),
    ...(opts.refreshedAt ? { refreshedAt: opts.refreshedAt } : {}),
    ...(run.checkpoint ? { checkpoint: run.checkpoint } : {}),
    timings: run.timer.timings,
    migrations: migrationRows(run.units, run.applied),
    integrity: { ...(run.before ? { before: run.before } : {}), ...(v ? { after: v.after } : {}) },
    ...(v
      ? {
          verification: {
            passed: v.passed,
            failures: v.failures,
            untouchedChanged: v.untouchedChanged,
            untouchedSkipped: v.untouchedSkipped,
            orphans: v.orphans,
            invalidIndexes: v.invalidIndexes,
            assertions: v.assertions,
            commands: v.commands,
          },
        }
      : {}),
    ...(run.reversibility ? { reversibility: run.reversibility } : {}),
    ...(run.analysis ? { analysis: run.analysis.report() } : {}),
    ...(run.restore
      ? {
          restore: {
            source: run.restore.source,
            backup: run.restore.backup,
            snapshotMatches: run.restore.snapshotMatches,
          },
        }
      : {}),
    ...(run.failure ? { failure: run.failure } : {}),
    ...(opts.extra ?? {}),
    notes: [
      ...(opts.notes ?? []),
      ...(nothing
        ? [
            migrationCount === undefined
              ? `nothing is pending on ${run.branch}`
              : `all ${migrationCount} migrations are already applied on ${run.branch}`,
          ]
        : []),
      ...run.notes,
    ],
  };
}

/** Run the pending migrations of the environment's branch under full protection. */
export async function guardedRun(ctx: WorkflowContext, opts: GuardedRunOptions): Promise<GuardedRunResult> {
  const executor = opts.executor ?? (await projectExecutor(ctx));
  const total = executor instanceof NativeExecutor ? executor.migrations.length : undefined;
  await executor.prepare();
  // A wrapped tool's files are more than its revisions (env.py, alembic.ini...): the whole set is what was tested.
  const tested = executor.kind === 'native' ? undefined : await executor.fingerprint();
  const assertionFiles = await loadAssertions(ctx, opts.environment);
  assertCommandsExist(opts.runCommands, ctx.projectDir, ctx.env);
  assertReportsWritable(ctx.projectDir);
  const target = await ctx.platform.getBranch(opts.environment.branch);
  assertActionAllowed(target, opts.command);
  // a masked branch says so in the report: its failed runs are not restored (Neon restores no masked branch)
  if (target.masking) opts = { ...opts, extra: { ...opts.extra, masking: { rules: target.masking.rules } } };
  let saved: GuardedRunResult | undefined;
  const run = await runPipeline(ctx, {
    command: opts.command,
    branch: opts.environment.branch,
    executor,
    direction: 'up',
    wait: opts.wait,
    resume: opts.resume,
    select: (state) => selectUnits('up', state, {}),
    ...(opts.beforeTouch ? { beforeTouch: (units: ExecutorUnit[]) => opts.beforeTouch!(units, tested) } : {}),
    guard: {
      assertionFiles,
      runCommands: opts.runCommands,
      reversibility: opts.reversibility === 'off' ? `disabled in ${opts.environment.file}` : opts.reversibility,
      ...(opts.analysis ? { analysis: opts.analysis } : {}),
    },
    report: (r) => {
      const report = reportOf(ctx, opts, r, total);
      if (tested) report.runner = { kind: executor.kind, ...tested };
      saved = { report, reportFile: saveReport(ctx.projectDir, report) };
      return report;
    },
  });
  if (saved) return saved;
  // Nothing to do: nothing was recorded, but the report is still written.
  const report = reportOf(ctx, opts, run, total);
  return { report, reportFile: saveReport(ctx.projectDir, report) };
}
