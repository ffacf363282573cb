/**
 * A `down` that would destroy data the branch holds: reverting baseline migrations (applied by the
 * seed or adopted by `baseline`, i.e. the schema everything else stands on), or running down files
 * that drop tables which still have rows. Such a down needs an explicit `--to` and a confirmation
 * that names what it drops; `--steps 999` alone never gets there.
 */
import type { DbClient } from '../db/connect.js';
import { notConfirmed, UsageError } from '../errors.js';
import { isSqlScript, type Migration } from '../migrations/types.js';
import { droppedTablesIn } from '../verify/touched.js';

export interface DestructiveDown {
  /** Baseline migrations the down reverts. */
  baseline: string[];
  /** Tables its down files drop that hold rows now. */
  drops: { table: string; rows: number }[];
}

/** What the down of `migrations` would destroy on the branch behind `db`. */
export async function inspectDown(db: DbClient, migrations: Migration[]): Promise<DestructiveDown> {
  const versions = migrations.map((m) => m.version);
  const baseline = await db
    .query<{ name: string }>(
      `SELECT a.name FROM neon_migrate.applied a JOIN neon_migrate.runs r ON r.id = a.run_id
        WHERE r.command IN ('seed', 'baseline') AND a.version = ANY($1::text[]) ORDER BY a.version`,
      [versions],
    )
    .then((r) => r.rows.map((x) => x.name))
    .catch(() => [] as string[]);
  const drops: DestructiveDown['drops'] = [];
  for (const m of migrations) {
    if (!m.down || !isSqlScript(m.down)) continue;
    for (const table of await droppedTablesIn(m.down.text)) {
      const found = await db.query<{ rel: string | null }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = to_regclass($1)`,
        [table],
      );
      const rel = found.rows[0]?.rel;
      if (!rel || drops.some((d) => d.table === rel)) continue;
      const count = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${rel}`);
      const rows = Number(count.rows[0]?.n ?? 0);
      if (rows > 0) drops.push({ table: rel, rows });
    }
  }
  return { baseline, drops };
}

/** One line: what the down would destroy. */
export function describeDestruction(d: DestructiveDown): string {
  const parts: string[] = [];
  if (d.baseline.length) parts.push(`revert baseline migration(s) ${d.baseline.join(', ')}`);
  if (d.drops.length) parts.push(`drop ${d.drops.map((x) => `${x.table} (${x.rows} rows)`).join(', ')}`);
  return parts.join(' and ');
}

/**
 * Refuse a destructive down without an explicit `--to` (exit 2), and ask for confirmation with it
 * (`--yes` answers; a "no" is exit 3). A non-destructive down passes untouched.
 */
export async function guardDestructiveDown(
  d: DestructiveDown,
  options: { branch: string; to?: string; confirm?: (question: string) => Promise<boolean> },
): Promise<string | undefined> {
  if (!d.baseline.length && !d.drops.length) return undefined;
  const what = describeDestruction(d);
  if (options.to === undefined) {
    throw new UsageError(
      `down on "${options.branch}" would ${what}; a down that destroys data needs an explicit --to`,
      {
        hint: 'pass --to <version> (and --yes) to revert down to that version, or restore a checkpoint with `neon-migrate rollback`; nothing was changed',
        code: 'DESTRUCTIVE_DOWN',
      },
    );
  }
  const question = `down on ${options.branch} would ${what}; go ahead?`;
  if (!options.confirm)
    throw new UsageError(`confirmation needed: ${question}`, {
      hint: 'pass --yes to confirm',
      code: 'CONFIRMATION_REQUIRED',
    });
  if (!(await options.confirm(question))) throw notConfirmed(`down on ${options.branch}`);
  return `confirmed destructive down: ${what}`;
}
