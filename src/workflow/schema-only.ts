/**
 * `test --schema-only` (issue 13): the run goes to a schema-only branch made from the environment's
 * branch (Neon's `init_source: "schema-only"`: its schema, no rows), never to the branch itself.
 * A fast inner loop, and a path for teams that may not copy data. The migration history (the
 * `neon_migrate.applied` and `.partial` rows: metadata, not user data) is copied over so the same
 * migrations are pending. The branch and everything made from it are deleted afterwards; it carries
 * `branches.ttl` until the run starts, and its pass never counts for the promote gate.
 */
import { randomUUID } from 'node:crypto';
import type { Branch, Platform } from '../platform/types.js';
import { createToolBranch, toolBranchOptions } from '../run/tool-branch.js';
import { withBranchDb } from '../run/scoped.js';
import { nowOf, stamp, type WorkflowContext } from './workflow-context.js';

/** The history tables whose rows a schema-only copy needs (what is applied, what stopped partway). */
const HISTORY_TABLES = ['applied', 'partial'] as const;

/** What the report says about a schema-only run. */
export interface ReportSchemaOnly {
  /** The branch whose schema was copied. */
  source: string;
  /** The schema-only branch the run went to (deleted afterwards). */
  branch: string;
  dataChecks: 'skipped';
  /** Why the data checks prove nothing here. */
  reason: string;
}

/** The report note and field of a schema-only run. */
export function schemaOnlyReport(source: string, branch: string): ReportSchemaOnly {
  return {
    source,
    branch,
    dataChecks: 'skipped',
    reason:
      'no rows were copied: row counts and checksums of untouched tables, foreign-key orphans, row-based ' +
      'assertions and measured rewrites ran on empty tables and prove nothing about data',
  };
}

/** Copy the history rows of `from` into `to` (both with the history schema; nothing when `from` has none). */
async function copyHistory(platform: Platform, from: string, to: string): Promise<void> {
  const rows = await withBranchDb(platform, from, async (db) => {
    const out: Record<string, unknown> = {};
    for (const t of HISTORY_TABLES) {
      const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`neon_migrate.${t}`]);
      if (!exists.rows[0]?.ok) continue;
      const res = await db.query<{ rows: unknown }>(
        `SELECT coalesce(json_agg(t), '[]') AS rows FROM neon_migrate.${t} t`,
      );
      out[t] = res.rows[0]?.rows;
    }
    return out;
  });
  if (!Object.keys(rows).length) return;
  await withBranchDb(platform, to, async (db) => {
    for (const [t, json] of Object.entries(rows))
      await db.query(
        `INSERT INTO neon_migrate.${t} SELECT * FROM json_populate_recordset(NULL::neon_migrate.${t}, $1::json)`,
        [JSON.stringify(json)],
      );
  });
}

/** Delete a branch and every branch made from it (checkpoints, scratch, restore backups), leaves first. */
export async function deleteBranchTree(platform: Platform, root: Branch, log?: (line: string) => void): Promise<void> {
  const all = await platform.listBranches();
  const order: Branch[] = [];
  const visit = (b: Branch) => {
    for (const child of all.filter((x) => x.parentId === b.id)) visit(child);
    order.push(b);
  };
  visit(root);
  for (const b of order)
    await platform
      .deleteBranch(b.id)
      .catch((err: unknown) => log?.(`could not delete ${b.name}: ${(err as Error).message}`));
}

/**
 * Make a schema-only copy of `source`, run `fn` on it, and delete it with everything made from it.
 *
 * @example
 * ```ts
 * const result = await withSchemaOnlyBranch(ctx, 'dev', (branch) => guardedRun(ctx, { ...opts, environment: { ...env, branch } }));
 * ```
 */
export async function withSchemaOnlyBranch<T>(
  ctx: WorkflowContext,
  source: string,
  fn: (branch: string) => Promise<T>,
): Promise<T> {
  const name = `schema-only/${source}/${stamp(nowOf(ctx))}-${randomUUID().slice(0, 8)}`;
  ctx.log?.(`creating schema-only branch ${name} from ${source}`);
  const meta = toolBranchOptions(ctx, { kind: 'schema-only', command: 'test --schema-only' });
  const branch = await createToolBranch(
    ctx.platform,
    { name, parent: source, initSource: 'schema-only', ...meta },
    ctx.log,
  );
  try {
    await copyHistory(ctx.platform, source, branch.id);
    // the run takes a checkpoint and a scratch branch of it: Neon allows no children of an expiring branch
    if (branch.expiresAt) await ctx.platform.updateBranch(branch.id, { expiresAt: null });
    return await fn(name);
  } finally {
    await deleteBranchTree(ctx.platform, branch, ctx.log);
  }
}
