/**
 * Other tools' history tables, read for `baseline`: which migrations a database already has.
 * Some tools keep every applied version (diesel, dbmate, sqlx, Flyway, node-pg-migrate, knex);
 * golang-migrate and Alembic keep only the head, so everything up to it counts as applied.
 */
import type { DbClient } from '../db/connect.js';
import { normaliseVersion, parseMigrationName } from '../migrations/naming.js';

export type ForeignTool =
  | 'diesel'
  | 'golang-migrate'
  | 'dbmate'
  | 'sqlx'
  | 'flyway'
  | 'node-pg-migrate'
  | 'knex'
  | 'alembic';

export const FOREIGN_TOOLS: ForeignTool[] = [
  'diesel',
  'golang-migrate',
  'dbmate',
  'sqlx',
  'flyway',
  'node-pg-migrate',
  'knex',
  'alembic',
];

/** What a tool's table says was applied. */
export interface ForeignHistory {
  tool: ForeignTool;
  table: string;
  /** Every applied version (normalised), when the tool records each one. */
  versions: { version: string; label: string }[];
  /** The newest applied version, when the tool records only that (everything before it is applied). */
  head?: { version: string; label: string };
  /** What the table says is wrong (a failed or dirty migration, a revision that is no version). */
  problems: string[];
}

const TABLE_OF: Record<ForeignTool, string> = {
  diesel: '__diesel_schema_migrations',
  'golang-migrate': 'schema_migrations',
  dbmate: 'schema_migrations',
  sqlx: '_sqlx_migrations',
  flyway: 'flyway_schema_history',
  'node-pg-migrate': 'pgmigrations',
  knex: 'knex_migrations',
  alembic: 'alembic_version',
};

/** The version of a name such as `1700000000000_init` or `20230101120000_init.js`, if it has one. */
function versionOfName(name: string): string | undefined {
  return parseMigrationName(name.replace(/\.(c|m)?(js|ts)$|\.sql$/i, ''))?.version;
}

/** The tools whose history table is on the database's search_path (golang-migrate vs dbmate by the `dirty` column). */
export async function detectForeignTools(db: DbClient): Promise<ForeignTool[]> {
  const names = [...new Set(Object.values(TABLE_OF))];
  const res = await db.query<{ name: string; dirty: boolean }>(
    `SELECT t.name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = to_regclass(t.name) AND a.attname = 'dirty' AND NOT a.attisdropped) AS dirty
       FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NOT NULL`,
    [names],
  );
  const found = new Set(res.rows.map((r) => r.name));
  const golang = res.rows.some((r) => r.name === 'schema_migrations' && r.dirty);
  return FOREIGN_TOOLS.filter((tool) => {
    if (!found.has(TABLE_OF[tool])) return false;
    if (tool === 'golang-migrate') return golang;
    if (tool === 'dbmate') return !golang;
    return true;
  });
}

/** Read a tool's history table. */
export async function readForeignHistory(db: DbClient, tool: ForeignTool): Promise<ForeignHistory> {
  const table = TABLE_OF[tool];
  const h: ForeignHistory = { tool, table, versions: [], problems: [] };
  const add = (raw: string, label = raw) => h.versions.push({ version: normaliseVersion(raw), label });
  switch (tool) {
    case 'diesel':
    case 'dbmate':
      for (const r of (await db.query<{ v: string }>(`SELECT version::text AS v FROM ${table}`)).rows) add(r.v);
      break;
    case 'golang-migrate': {
      const rows = (await db.query<{ v: string; dirty: boolean }>(`SELECT version::text AS v, dirty FROM ${table}`))
        .rows;
      const r = rows[0];
      if (r?.dirty)
        h.problems.push(
          `golang-migrate marks version ${r.v} dirty (it failed partway); repair the database and clear it with \`migrate force ${r.v}\` first`,
        );
      // golang-migrate writes -1 for "nothing applied".
      if (r && !r.v.startsWith('-')) h.head = { version: normaliseVersion(r.v), label: r.v };
      break;
    }
    case 'sqlx':
      for (const r of (
        await db.query<{ v: string; ok: boolean; d: string }>(
          `SELECT version::text AS v, success AS ok, description AS d FROM ${table}`,
        )
      ).rows) {
        if (!r.ok) h.problems.push(`sqlx records version ${r.v} (${r.d}) as failed; repair it with sqlx first`);
        else add(r.v, `${r.v}_${r.d}`);
      }
      break;
    case 'flyway':
      for (const r of (
        await db.query<{ v: string; ok: boolean; t: string; d: string }>(
          `SELECT version AS v, success AS ok, type AS t, description AS d FROM ${table} WHERE version IS NOT NULL ORDER BY installed_rank`,
        )
      ).rows) {
        if (!r.ok)
          h.problems.push(`Flyway records version ${r.v} (${r.d}) as failed; repair it with \`flyway repair\` first`);
        // A Flyway baseline row stands for everything up to its version.
        else if (r.t === 'BASELINE') h.head = { version: normaliseVersion(r.v), label: `${r.v} (Flyway baseline)` };
        else add(r.v, `${r.v} ${r.d}`);
      }
      break;
    case 'node-pg-migrate':
    case 'knex':
      for (const r of (await db.query<{ name: string }>(`SELECT name FROM ${table}`)).rows) {
        const v = versionOfName(r.name);
        if (v === undefined)
          h.problems.push(`${tool} records "${r.name}", which has no version prefix to match a migration file`);
        else add(v, r.name);
      }
      break;
    case 'alembic': {
      const rows = (await db.query<{ v: string }>(`SELECT version_num AS v FROM ${table}`)).rows;
      if (rows.length > 1)
        h.problems.push(`Alembic has ${rows.length} heads (${rows.map((r) => r.v).join(', ')}); merge them first`);
      const r = rows[0];
      if (r && /^\d[\d_.-]*$/.test(r.v)) h.head = { version: normaliseVersion(r.v), label: r.v };
      else if (r)
        h.problems.push(
          `Alembic revision "${r.v}" is not a version number; stamp by version instead with \`neon-migrate baseline --from none --to <version>\``,
        );
      break;
    }
  }
  return h;
}
