/**
 * Reversibility (docs/architecture.md §2): on a scratch branch of the post-run state, the run's down migrations
 * must give back the pre-run catalog fingerprint exactly, and up again the post-run one.
 * The scratch branch is always deleted afterwards.
 */
import type { DbClient } from '../db/connect.js';
import type { Executor, ExecutorRunResult, ExecutorUnit } from '../executors/types.js';
import {
  type CatalogFingerprint,
  collectFingerprintLines,
  renderLine,
  takeFingerprint,
} from '../verify/fingerprint.js';
import { diffFingerprints, renderSchemaDiff, type SchemaDiff } from '../verify/fingerprint-diff.js';
import { nowOf, type RunContext, utcStamp } from './run-context.js';
import { withBranchDb } from './scoped.js';
import { createToolBranch, toolBranchOptions } from './tool-branch.js';

/** What the report says about reversibility. */
export interface ReportReversibility {
  checked: boolean;
  /** `data`: on a full copy of the branch; `schema`: on a copy whose tables were emptied first. */
  mode?: 'data' | 'schema';
  skippedReason?: string;
  scratchBranch?: string;
  /** down → the pre-run catalog fingerprint. */
  downMatches?: boolean;
  /** up again → the post-run catalog fingerprint. */
  upMatches?: boolean;
  /** Readable schema diff when one did not match. */
  diff?: string;
}

export interface ReversibilityInput {
  branch: string;
  executor: Executor;
  /** The units the run applied, in the order applied. */
  applied: ExecutorUnit[];
  before: CatalogFingerprint;
  after: CatalogFingerprint;
  runId: string;
  mode: 'data' | 'schema';
  /** The run's command, for the scratch branch's annotations. */
  command?: string;
}

const firstError = (r: ExecutorRunResult) => r.results.find((x) => x.error);

/** Run the reversibility check; `ok` false comes with a readable diff or the failing step. */
export async function checkReversibility(
  ctx: RunContext,
  input: ReversibilityInput,
): Promise<ReportReversibility & { ok: boolean; failure?: string }> {
  if (input.executor.limits.down) return { ok: true, checked: false, skippedReason: input.executor.limits.down };
  const irreversible = input.applied.find((m) => !m.reversible);
  if (irreversible) {
    return {
      ok: true,
      checked: false,
      skippedReason: `${irreversible.name} has no down migration; only a checkpoint restore can undo it`,
    };
  }
  const scratchName = `scratch/${input.branch}/${utcStamp(nowOf(ctx))}-${input.runId.slice(0, 8)}`;
  ctx.log?.(`checking reversibility on ${scratchName}`);
  const meta = toolBranchOptions(ctx, { kind: 'scratch', runId: input.runId, command: input.command });
  await createToolBranch(ctx.platform, { name: scratchName, parent: input.branch, ...meta }, ctx.log);
  const scratch = { checked: true, mode: input.mode, scratchBranch: scratchName };
  try {
    return await withBranchDb(ctx.platform, scratchName, async (db, uri) => {
      const target = {
        branch: scratchName,
        uri,
        db,
        runId: `${input.runId}-reversibility`,
        log: ctx.log,
        timeouts: ctx.settings.timeouts,
        env: ctx.env,
      };
      if (input.mode === 'schema') await emptyUserTables(db, input.executor.historyTables ?? []);
      const failedDown = firstError(await input.executor.revert(target, [...input.applied].reverse()));
      if (failedDown) {
        return {
          ok: false,
          ...scratch,
          failure: `down of ${failedDown.name} failed on the scratch branch: ${failedDown.error!.message}`,
        };
      }
      const downDiff = withoutToolHistory(
        diffFingerprints(input.before, await takeFingerprint(db)),
        await toolHistoryLines(db, input.executor.historyTables ?? []),
      );
      if (!downDiff.identical) {
        return {
          ok: false,
          ...scratch,
          downMatches: false,
          failure: 'down migrations do not restore the pre-run schema',
          diff: renderSchemaDiff(downDiff),
        };
      }
      const failedUp = firstError(await input.executor.apply(target, input.applied));
      if (failedUp) {
        return {
          ok: false,
          ...scratch,
          downMatches: true,
          failure: `re-applying ${failedUp.name} after its down failed: ${failedUp.error!.message}`,
        };
      }
      const upDiff = diffFingerprints(input.after, await takeFingerprint(db));
      if (!upDiff.identical) {
        return {
          ok: false,
          ...scratch,
          downMatches: true,
          upMatches: false,
          failure: 'up → down → up does not give the same schema as the first up',
          diff: renderSchemaDiff(upDiff),
        };
      }
      return { ok: true, ...scratch, downMatches: true, upMatches: true };
    });
  } finally {
    await ctx.platform
      .deleteBranch(scratchName)
      .catch((err: unknown) => ctx.log?.(`could not delete ${scratchName}: ${(err as Error).message}`));
  }
}

/** A wrapped tool's history tables (created by its first run, the run checked) are not the down's to drop. */
function withoutToolHistory(diff: SchemaDiff, history: Set<string>): SchemaDiff {
  if (diff.identical || !history.size) return diff;
  const unexpected = diff.unexpected.filter((l) => !history.has(l));
  return { ...diff, unexpected, identical: !diff.missing.length && !unexpected.length };
}

/** Fingerprint lines of the tool's history tables: their own lines (columns, indexes...) and their sequences. */
async function toolHistoryLines(db: DbClient, tables: readonly string[]): Promise<Set<string>> {
  if (!tables.length) return new Set();
  const qualified = tables.map((t) => (t.includes('.') ? t : `public.${t}`));
  const owned = await db.query<{ name: string }>(
    `SELECT sn.nspname || '.' || s.relname AS name
       FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
       JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE s.relkind = 'S' AND tn.nspname || '.' || t.relname = ANY ($1)`,
    [qualified],
  );
  // A registry schema of the tool's own (sqitch's `sqitch`) goes with its tables.
  const schemas = qualified.map((t) => t.split('.')[0]!).filter((n) => n !== 'public');
  const names = new Set([...qualified, ...schemas, ...owned.rows.map((r) => r.name)]);
  const lines = await collectFingerprintLines(db);
  return new Set(lines.filter((l) => names.has(l.table ?? l.name)).map(renderLine));
}

/**
 * Schema mode: the round trip runs on the copy's schema with its tables emptied (a wrapped tool's
 * history tables excepted), so data migrations cost nothing and only the catalog is proven (the
 * fingerprints compare the catalog only anyway).
 */
async function emptyUserTables(db: DbClient, keep: readonly string[]): Promise<void> {
  // A wrapped tool's history tables keep their rows: its down reads them to know what is applied.
  const res = await db.query<{ list: string | null }>(
    `SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') AS list FROM pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'neon_migrate') AND schemaname NOT LIKE 'pg\\_%'
        AND NOT schemaname || '.' || tablename = ANY ($1)`,
    [keep.map((t) => (t.includes('.') ? t : `public.${t}`))],
  );
  const list = res.rows[0]?.list;
  if (list) await db.query(`TRUNCATE ${list} CASCADE`);
}
