/**
 * Schema-only branches (Neon's `init_source: "schema-only"`): a new root branch holding the
 * source's schema and no rows. Here the branch is adopted from the source like any other, started,
 * and emptied in every database before anything else connects: tables truncated, sequences
 * restarted, materialized views refreshed over the empty tables, large objects removed. Its
 * creation time is set after the emptying, so no point in its history holds the source's rows.
 */
import { rmSync } from 'node:fs';
import { adminClient } from './cluster.js';
import { ensureRunning, stopCompute } from './computes.js';
import { type EngineContext, handleFor } from './engine-context.js';
import type { BranchRecord, EngineState } from './state.js';

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** Empty one database: every table, sequence, materialized view and large object. */
const EMPTY_DATABASE = `DO $$
DECLARE r record; tables text;
BEGIN
  SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') INTO tables
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS};
  IF tables IS NOT NULL THEN EXECUTE 'TRUNCATE ' || tables || ' CASCADE'; END IF;
  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S' AND ${USER_SCHEMAS} LOOP
    EXECUTE 'ALTER SEQUENCE ' || r.s || ' RESTART';
  END LOOP;
  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS m FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'm' AND ${USER_SCHEMAS} LOOP
    EXECUTE 'REFRESH MATERIALIZED VIEW ' || r.m;
  END LOOP;
  PERFORM lo_unlink(oid) FROM pg_largeobject_metadata;
END $$`;

/** Turn a just-adopted record (already in `state`) into a schema-only root branch; removed on failure. */
export async function makeSchemaOnly(ctx: EngineContext, state: EngineState, record: BranchRecord): Promise<void> {
  try {
    await ensureRunning(ctx, state, record);
    const handle = handleFor(ctx, state, record);
    const admin = await adminClient(handle);
    let databases: string[];
    try {
      const res = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate',
      );
      databases = res.rows.map((r) => r.datname);
    } finally {
      await admin.end().catch(() => undefined);
    }
    for (const database of databases) {
      const client = await adminClient(handle, database);
      try {
        await client.query(EMPTY_DATABASE);
        await client.query('CHECKPOINT');
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  } catch (err) {
    await stopCompute(ctx, state, record).catch(() => undefined);
    rmSync(handleFor(ctx, state, record).paths.root, { recursive: true, force: true });
    state.branches = state.branches.filter((b) => b.id !== record.id);
    throw err;
  }
  // a new root: its source is not its parent, and its history starts empty
  delete record.parentId;
  delete record.parentLsn;
  delete record.parentTimestamp;
  record.createdAt = new Date().toISOString();
}
