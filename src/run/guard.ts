/** The guarded run's checks around the apply: snapshot before, verification after (test, promote). */
import type { DbClient } from '../db/connect.js';
import type { Executor, ExecutorUnit } from '../executors/types.js';
import { readApplied } from '../history/store.js';
import { type CatalogFingerprint, takeFingerprint } from '../verify/fingerprint.js';
import { type IntegritySnapshot, takeSnapshot } from '../verify/snapshot.js';
import type { TouchedTables } from '../verify/touched.js';
import { type VerificationResult, verifyAfterApply } from '../verify/verify.js';
import type { GuardOptions, PipelineRun } from './pipeline.js';
import type { RunContext } from './run-context.js';

/** The integrity snapshot and catalog fingerprint taken before the apply. */
export async function snapshotPhase(db: DbClient): Promise<[IntegritySnapshot, CatalogFingerprint]> {
  return [await takeSnapshot(db), await takeFingerprint(db)];
}

/** The tables the units touch; an executor that cannot tell makes every table count as touched. */
export async function touchedTables(executor: Executor, units: ExecutorUnit[]): Promise<TouchedTables> {
  if (executor.touches) return executor.touches(units);
  return { names: new Set(), opaqueReason: `the ${executor.kind} runner's SQL is not read by neon-migrate` };
}

/** Every post-apply check (docs/architecture.md §2, verify); a failed check is a result, not a throw. */
export async function verifyPhase(
  ctx: RunContext,
  input: {
    db: DbClient;
    run: PipelineRun;
    guard: GuardOptions;
    touched: TouchedTables;
    appliedNow: string[];
    fingerprintAfter?: CatalogFingerprint;
  },
): Promise<VerificationResult> {
  const { db, run, guard } = input;
  const applied = new Set([
    ...(await readApplied(db)).map((a) => a.version),
    ...input.appliedNow,
    ...run.units.map((u) => u.version),
  ]);
  return verifyAfterApply({
    db,
    before: run.before!,
    fingerprintBefore: run.fingerprintBefore!,
    touched: input.touched,
    assertionFiles: guard.assertionFiles,
    appliedVersions: [...applied],
    commands: guard.runCommands,
    databaseUrl: run.uri,
    cwd: ctx.projectDir,
    env: ctx.env,
    ...(input.fingerprintAfter ? { fingerprintAfter: input.fingerprintAfter } : {}),
  });
}
