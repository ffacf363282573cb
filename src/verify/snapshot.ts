/**
 * Integrity snapshots: per user table, the row count and an order-independent content checksum
 * (the sum of a 64-bit slice of md5(row text) over all rows, computed in SQL). Two snapshots are
 * equal exactly when every table has the same rows, in any physical order.
 */
import { type Queryable, quoteTable, userSchemaFilter } from './queryable.js';

export interface TableIntegrity {
  rows: number;
  /** Decimal string: sum over rows of the first 64 bits of md5(row::text), as numeric. */
  checksum: string;
}

export interface IntegritySnapshot {
  /** RFC 3339. */
  takenAt: string;
  /** Keyed by `schema.table`. */
  tables: Record<string, TableIntegrity>;
}

export interface TableDelta {
  table: string;
  rowsBefore: number | null;
  rowsAfter: number | null;
  /** Content differs (including added/removed tables). */
  changed: boolean;
}

export interface SnapshotComparison {
  identical: boolean;
  added: string[];
  removed: string[];
  /** Tables present in both whose content differs. */
  changed: TableDelta[];
  /** Every table in either snapshot with before/after counts. */
  deltas: TableDelta[];
}

/** The user tables (plain and partitions; partitioned parents hold no rows), sorted. */
export async function listUserTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND ${userSchemaFilter('n.nspname')}
      ORDER BY 1`,
  );
  return rows.map((r) => String(r.name));
}

/** Take an integrity snapshot of every user table. */
export async function takeSnapshot(db: Queryable): Promise<IntegritySnapshot> {
  const tables: Record<string, TableIntegrity> = {};
  const takenAt = new Date().toISOString();
  for (const table of await listUserTables(db)) {
    const { rows } = await db
      .query(
        `SELECT count(*)::text AS n,
                coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text AS sum
           FROM ${quoteTable(table)} AS t`,
      )
      .catch((err: unknown) => {
        // Which table could not be read is what the user needs (a lock held elsewhere, most often).
        throw Object.assign(err as Error, { table });
      });
    tables[table] = { rows: Number(rows[0]?.n ?? 0), checksum: String(rows[0]?.sum ?? '0') };
  }
  return { takenAt, tables };
}

/** Compare two snapshots table by table. */
export function compareSnapshots(before: IntegritySnapshot, after: IntegritySnapshot): SnapshotComparison {
  const names = [...new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])].sort();
  const deltas: TableDelta[] = names.map((table) => {
    const b = before.tables[table];
    const a = after.tables[table];
    const changed = !b || !a || b.rows !== a.rows || b.checksum !== a.checksum;
    return { table, rowsBefore: b ? b.rows : null, rowsAfter: a ? a.rows : null, changed };
  });
  const added = deltas.filter((d) => d.rowsBefore === null).map((d) => d.table);
  const removed = deltas.filter((d) => d.rowsAfter === null).map((d) => d.table);
  const changed = deltas.filter((d) => d.changed && d.rowsBefore !== null && d.rowsAfter !== null);
  return { identical: deltas.every((d) => !d.changed), added, removed, changed, deltas };
}
