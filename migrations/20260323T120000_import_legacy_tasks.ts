/**
 * Data migration: import the task list of the legacy to-do app (scripts/data/legacy-tasks.json,
 * `{id:int, title, description, completed}`) into `tasks` with new UUID keys, owned by a default
 * "legacy import" user. `legacy_task_map` keeps old id → new id so old links can be redirected,
 * and `legacy_import_summary` records the counts (scripts/legacy-import.sql checks them).
 */
import { readFileSync } from 'node:fs';

/** The part of neon-migrate's migration context this migration uses. */
interface Ctx {
  client: {
    query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  };
  log(message: string): void;
}

interface LegacyTask {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
}

const SOURCE = 'scripts/data/legacy-tasks.json';
const OWNER_EMAIL = 'legacy-import@example.com';

/** Tables this migration writes (lets verification check that every other table is unchanged). */
export const touches = ['users', 'tasks', 'legacy_task_map', 'legacy_import_summary'];

function readLegacyTasks(): LegacyTask[] {
  const rows = JSON.parse(readFileSync(new URL(`../${SOURCE}`, import.meta.url), 'utf8')) as LegacyTask[];
  const seen = new Set<number>();
  for (const [i, r] of rows.entries()) {
    if (!Number.isInteger(r.id) || typeof r.title !== 'string' || !r.title.trim() || typeof r.completed !== 'boolean') {
      throw new Error(`${SOURCE}: entry ${i} is not {id:int, title, description, completed}`);
    }
    if (seen.has(r.id)) throw new Error(`${SOURCE}: legacy id ${r.id} appears twice`);
    seen.add(r.id);
  }
  return rows;
}

export async function up(ctx: Ctx): Promise<void> {
  const legacy = readLegacyTasks();
  await ctx.client.query(`
    CREATE TABLE legacy_task_map (
      legacy_id    integer PRIMARY KEY,
      task_id      uuid NOT NULL UNIQUE REFERENCES tasks (id) ON DELETE CASCADE,
      legacy_title text NOT NULL
    );
    CREATE TABLE legacy_import_summary (
      source        text PRIMARY KEY,
      rows_in_file  integer NOT NULL,
      imported      integer NOT NULL,
      completed     integer NOT NULL,
      created_owner boolean NOT NULL,
      imported_at   timestamptz NOT NULL DEFAULT now()
    )`);
  const existing = await ctx.client.query<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [OWNER_EMAIL]);
  const createdOwner = existing.rows.length === 0;
  const owner = createdOwner
    ? (
        await ctx.client.query<{ id: string }>(
          `INSERT INTO users (email, name) VALUES ($1, 'Legacy import') RETURNING id`,
          [OWNER_EMAIL],
        )
      ).rows[0]!.id
    : existing.rows[0]!.id;
  // One set-based statement: new keys are drawn once per legacy row and used for both inserts.
  const inserted = await ctx.client.query<{ imported: number; completed: number }>(
    `WITH src AS MATERIALIZED (
       SELECT gen_random_uuid() AS task_id, x.*
         FROM jsonb_to_recordset($1::jsonb) AS x (id integer, title text, description text, completed boolean)
     ), tasks_in AS (
       INSERT INTO tasks (id, owner_id, title, description, completed, tags)
       SELECT task_id, $2::uuid, title, nullif(description, ''), completed, ARRAY['legacy'] FROM src
       RETURNING id, completed
     ), map_in AS (
       INSERT INTO legacy_task_map (legacy_id, task_id, legacy_title) SELECT id, task_id, title FROM src RETURNING 1
     )
     SELECT (SELECT count(*) FROM tasks_in)::int AS imported,
            (SELECT count(*) FILTER (WHERE completed) FROM tasks_in)::int AS completed,
            (SELECT count(*) FROM map_in)::int AS mapped`,
    [JSON.stringify(legacy), owner],
  );
  const { imported, completed } = inserted.rows[0]!;
  await ctx.client.query(
    `INSERT INTO legacy_import_summary (source, rows_in_file, imported, completed, created_owner) VALUES ($1, $2, $3, $4, $5)`,
    [SOURCE, legacy.length, imported, completed, createdOwner],
  );
  ctx.log(
    `imported ${imported} of ${legacy.length} legacy tasks (${completed} completed) for ${OWNER_EMAIL}; ${imported} ids mapped in legacy_task_map`,
  );
}

export async function down(ctx: Ctx): Promise<void> {
  const summary = await ctx.client.query<{ created_owner: boolean }>(`SELECT created_owner FROM legacy_import_summary`);
  const removed = await ctx.client.query(`DELETE FROM tasks WHERE id IN (SELECT task_id FROM legacy_task_map)`);
  await ctx.client.query(`DROP TABLE legacy_task_map; DROP TABLE legacy_import_summary`);
  if (summary.rows[0]?.created_owner) await ctx.client.query(`DELETE FROM users WHERE email = $1`, [OWNER_EMAIL]);
  ctx.log(`removed ${removed.rowCount} imported legacy tasks`);
}
