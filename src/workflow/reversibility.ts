/**
 * Reversibility (DESIGN §4): on a scratch branch of the post-run state, the run's down migrations
 * must give back the pre-run catalog fingerprint exactly, and up again the post-run one.
 * The scratch branch is always deleted afterwards.
 */
import { connect } from '../db/connect.js';
import { runMigrations } from '../executors/native-runner.js';
import type { Migration } from '../migrations/types.js';
import { type CatalogFingerprint, takeFingerprint } from '../verify/fingerprint.js';
import { diffFingerprints, renderSchemaDiff } from '../verify/fingerprint-diff.js';
import { nowOf, stamp, type WorkflowContext } from './workflow-context.js';
import type { ReportReversibility } from './report.js';

export interface ReversibilityInput {
  branch: string;
  /** The migrations the run applied, in the order applied. */
  applied: Migration[];
  before: CatalogFingerprint;
  after: CatalogFingerprint;
  runId: string;
}

/** Run the reversibility check; `ok` false comes with a readable diff or the failing step. */
export async function checkReversibility(ctx: WorkflowContext, input: ReversibilityInput): Promise<ReportReversibility & { ok: boolean; failure?: string }> {
  const irreversible = input.applied.find((m) => !m.reversible);
  if (irreversible) {
    return { ok: true, checked: false, skippedReason: `${irreversible.name} has no down migration; only a checkpoint restore can undo it` };
  }
  const scratchName = `scratch/${input.branch}/${stamp(nowOf(ctx))}-${input.runId.slice(0, 8)}`;
  ctx.log?.(`checking reversibility on ${scratchName}`);
  await ctx.platform.createBranch({ name: scratchName, parent: input.branch });
  try {
    const db = await connect(await ctx.platform.connectionUri(scratchName));
    try {
      const base = { db, branch: scratchName, runId: `${input.runId}-reversibility`, log: ctx.log };
      const down = await runMigrations({ ...base, direction: 'down', migrations: [...input.applied].reverse() });
      const failedDown = down.results.find((r) => r.error);
      if (failedDown) {
        const failure = `down of ${failedDown.name} failed on the scratch branch: ${failedDown.error!.message}`;
        return { ok: false, checked: true, scratchBranch: scratchName, failure };
      }
      const downDiff = diffFingerprints(input.before, await takeFingerprint(db));
      if (!downDiff.identical) {
        return {
          ok: false, checked: true, scratchBranch: scratchName, downMatches: false,
          failure: 'down migrations do not restore the pre-run schema', diff: renderSchemaDiff(downDiff),
        };
      }
      const up = await runMigrations({ ...base, direction: 'up', migrations: input.applied });
      const failedUp = up.results.find((r) => r.error);
      if (failedUp) {
        const failure = `re-applying ${failedUp.name} after its down failed: ${failedUp.error!.message}`;
        return { ok: false, checked: true, scratchBranch: scratchName, downMatches: true, failure };
      }
      const upDiff = diffFingerprints(input.after, await takeFingerprint(db));
      if (!upDiff.identical) {
        return {
          ok: false, checked: true, scratchBranch: scratchName, downMatches: true, upMatches: false,
          failure: 'up → down → up does not give the same schema as the first up', diff: renderSchemaDiff(upDiff),
        };
      }
      return { ok: true, checked: true, scratchBranch: scratchName, downMatches: true, upMatches: true };
    } finally {
      await db.close();
    }
  } finally {
    await ctx.platform.deleteBranch(scratchName).catch((err: unknown) => ctx.log?.(`could not delete ${scratchName}: ${(err as Error).message}`));
  }
}
