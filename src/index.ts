/**
 * The public library API of neon-migrate: the same workflows as the CLI, as functions that return
 * results and throw typed errors (`NeonMigrateError` with a stable `code` and an `exitCode`); they
 * never print or exit. Architecture: docs/architecture.md.
 *
 * @example
 * ```ts
 * import { loadSettings, migrate, migrationStatus, openPlatform } from 'neon-migrate';
 *
 * const projectDir = process.cwd();
 * const settings = loadSettings(projectDir);
 * const env = process.env;
 * // Neon when NEON_API_KEY and NEON_PROJECT_ID are set, otherwise the embedded local engine.
 * const platform = await openPlatform({ projectDir, env, settings });
 * const ctx = { projectDir, settings, env, platform };
 * try {
 *   const run = await migrate(ctx, { direction: 'up', branch: 'dev' });
 *   console.log(run.outcome, run.checkpoint);
 *   console.log((await migrationStatus(ctx, { branch: 'dev' })).counts);
 * } finally {
 *   await platform.close();
 * }
 * ```
 * @packageDocumentation
 */

// Errors: typed, with stable codes and exit codes.
export * from './errors.js';

// Configuration and the project.
export { loadSettings, loadEnvironment, loadAllEnvironments } from './config/load.js';
export type { Settings, Environment } from './config/schema.js';
export { durationMs } from './config/duration.js';
export type { RunContext, MigrationProject } from './run/run-context.js';
export type { WorkflowContext } from './workflow/workflow-context.js';
export { initProject, newMigration, type InitReport, type NewMigrationReport } from './migrations/scaffold.js';
export type { Migration, MigrationContext, MigrationFn } from './migrations/types.js';

// The platform: Neon or the local engine.
export * from './platform/types.js';
export { openPlatform, type OpenPlatformOptions } from './platform/open.js';
export { openLocalPlatform, localStateDir, LocalPlatform, type ComputeStatus } from './platform/local/index.js';

// up / down, status, plan, accept.
export { migrate, type MigrateOptions, type MigrateReport } from './workflow/migrate.js';
export type { MigrationError, MigrationResult, MigrationStatus, RunOutcome } from './executors/native-runner.js';
export type { Direction, Selection } from './run/select.js';
export type { BranchGate, GateSkip } from './run/branch-gate.js';
export {
  migrationStatus,
  planMigrations,
  type PlanOptions,
  type PlannedMigration,
  type PlanReport,
  type StatusReport,
} from './workflow/inspect.js';
export type { BranchState, MigrationState, MissingEntry, StatusEntry } from './history/compare.js';
export { acceptMigration, type AcceptOptions, type AcceptReport } from './workflow/accept.js';

// test, promote and their reports.
export { runTest, type TestOptions, type TestResult } from './workflow/test.js';
export { runPromote, type PromoteOptions, type PromoteResult } from './workflow/promote.js';
export type { GuardedRunResult } from './workflow/guarded-run.js';
export type { GateCheck, GateResult } from './workflow/gate.js';
export {
  loadReport,
  reportsDir,
  type ReportMigration,
  type ReportRestore,
  type ReportReversibility,
  type ReportVerification,
  type RunOutcomeName,
  type RunReport,
  type WorkflowCommand,
} from './workflow/report.js';
export { renderReport, type ReportFormat } from './workflow/render.js';
export type { VerificationResult } from './verify/verify.js';
export type { IntegritySnapshot, TableIntegrity } from './verify/snapshot.js';
export type { CatalogFingerprint } from './verify/fingerprint.js';
export type { AssertionFile, AssertionResult } from './verify/assertions.js';
export type { CommandResult } from './verify/user-commands.js';
export type { InvalidIndex, OrphanedRows } from './verify/checks.js';

// rollback and restore.
export { runRollback, type RollbackOptions, type RollbackResult, type RollbackStrategy } from './workflow/rollback.js';
export {
  defaultPreserveName,
  executeRestore,
  planRestore,
  type RestorePlan,
  type RestoreRequest,
} from './platform/restore-request.js';
export {
  checkpointSource,
  dryRunRestore,
  renderDryRun,
  restoreAndRecord,
  type RestoreDone,
  type RestoreDryRun,
} from './workflow/restore-branch.js';

// Checkpoints and environment branches.
export { latestRunCheckpoint, listCheckpoints, resolveCheckpoint } from './workflow/checkpoint-list.js';
export {
  checkpointRetention,
  previewPrune,
  pruneCheckpoints,
  type CheckpointInfo,
  type PrunePreview,
  type PruneResult,
} from './workflow/checkpoints.js';
export {
  ensureEnvironmentBranch,
  refreshBranch,
  type EnsuredBranch,
  type RefreshOptions,
  type RefreshResult,
} from './workflow/environment-branches.js';

// Masked (anonymized) branches (issue 13).
export { createMaskedBranch, recreateMaskedBranch, verifyMaskedBranch } from './workflow/masked-branches.js';
export {
  describeRule,
  maskingRules,
  toNeonRule,
  type MaskingConfig,
  type MaskingFunction,
  type MaskingMethod,
  type MaskingRule,
  type NeonMaskingRule,
} from './masking/rules.js';
export { maskExpression } from './masking/expressions.js';
export { assertMaskable, maskingProblems } from './masking/targets.js';
export { checkMasking, type MaskingCheck } from './masking/verify.js';
export { lockBranch, type BranchLock, type BranchLockOptions } from './workflow/branch-lock.js';
export { openProjectPlatform, seedIfCreated, type SeedResult } from './workflow/seed.js';

// The run pipeline's and the executor seam's types (docs/architecture.md §2, §3).
export type { GuardOptions, PipelinePlan, PipelineRun } from './run/pipeline.js';
export type { PhaseName, PhaseTimer } from './run/phase-timer.js';
export type { Timeouts } from './run/run-lock.js';
export type { CheckpointRestore } from './run/checkpoint-restore.js';
export type {
  Executor,
  ExecutorFingerprint,
  ExecutorKind,
  ExecutorLimits,
  ExecutorRunResult,
  ExecutorState,
  ExecutorTarget,
  ExecutorUnit,
  ToolInvocation,
  UnitError,
  UnitResult,
  UnitStatus,
} from './executors/types.js';
export type { TouchedTables } from './verify/touched.js';

// The history inside each branch, and connections.
export { finishRun, listRuns, readApplied, recordRun } from './history/store.js';
export type { AppliedRow, NewRun, RunRecord, RunStatus } from './history/store.js';
export { connect, type DbClient, type QueryResult } from './db/connect.js';
export { openPool, type DbPool } from './db/pool.js';
export { baseline, type BaselineOptions, type BaselineReport } from './workflow/baseline.js';
