/**
 * The contract guard: a migration that depends on a backfill refuses to run while rows remain
 * unfilled, reporting how many (exit 2, nothing touched), instead of failing half-way through its
 * SET NOT NULL. A dependency is declared (`-- neon-migrate:after-backfill <version>`) or detected
 * (`ALTER TABLE … ALTER COLUMN c SET NOT NULL` on a column a backfill sets).
 */
import { parseSync } from 'libpg-query';
import type { DbClient } from '../db/connect.js';
import { MigrationFileError } from '../errors.js';
import { normaliseVersion } from '../migrations/naming.js';
import { loadParser } from '../migrations/sql.js';
import { isSqlScript, type Migration } from '../migrations/types.js';
import { backfillSpecFromSql, isBackfillSql } from './spec.js';
import { remainingSql } from './split.js';
import { readBackfills } from './store.js';

/** The directive declaring that a migration needs a backfill finished. */
export const AFTER_BACKFILL_DIRECTIVE = '-- neon-migrate:after-backfill';

/** One backfill a contract depends on, and what is left of it. */
export interface GuardCheck {
  /** The backfill's id (the migration version, or `version:table` for TypeScript backfills). */
  backfill: string;
  table: string;
  /** `declared` by directive, or `detected` from SET NOT NULL on a backfilled column. */
  reason: 'declared' | 'detected';
  remaining: number;
}

/** A contract migration refused while its backfill is unfinished (exit 2). */
export class BackfillIncompleteError extends MigrationFileError {
  readonly checks: GuardCheck[];
  constructor(file: string, checks: GuardCheck[]) {
    const left = checks.filter((c) => c.remaining > 0);
    const what = left
      .map((c) => `${c.remaining} row(s) of ${c.table} not yet filled by backfill ${c.backfill}`)
      .join('; ');
    super(`${file}: refused, ${what}; nothing was changed`, {
      hint:
        'finish the backfill (`neon-migrate up --resume`, or run the backfill migration again: it continues ' +
        'where it stopped), make the app write the new column, then retry',
      code: 'BACKFILL_INCOMPLETE',
    });
    this.checks = checks;
  }
}

/** Versions named by after-backfill directives in a SQL text. */
export function declaredBackfills(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.toLowerCase().startsWith(AFTER_BACKFILL_DIRECTIVE)) continue;
    const versions = line
      .slice(AFTER_BACKFILL_DIRECTIVE.length)
      .split(/[\s,]+/)
      .filter(Boolean);
    for (const v of versions) out.push(normaliseVersion(v));
  }
  return out;
}

/** The parts of an ALTER TABLE parse node the guard reads. */
interface AlterTable {
  relation?: { schemaname?: string; relname: string };
  cmds?: { AlterTableCmd: { subtype: string; name?: string } }[];
}

/** Whitespace or comments between two tokens. */
const GAP = String.raw`(?:\s|/\*[\s\S]*?\*/|--[^\n]*\n)+`;
const SET_NOT_NULL = new RegExp(String.raw`\bset${GAP}not${GAP}null\b`, 'i');

/**
 * Whether a statement's text could hold `SET NOT NULL`: the parser decides, but only for these
 * (parsing every statement of 500 migrations cost ~0.3 s of a run).
 */
function maySetNotNull(sql: string): boolean {
  return SET_NOT_NULL.test(sql);
}

/** (table, column) pairs a SQL text sets NOT NULL with ALTER TABLE. */
export function setNotNullColumns(statements: string[]): { schema?: string; table: string; column: string }[] {
  const out: { schema?: string; table: string; column: string }[] = [];
  for (const sql of statements) {
    if (!maySetNotNull(sql)) continue;
    let stmts: { stmt: Record<string, unknown> }[] = [];
    try {
      stmts = (parseSync(sql) as { stmts?: { stmt: Record<string, unknown> }[] }).stmts ?? [];
    } catch {
      continue; // the loader reports syntax errors; the guard only looks for what it understands
    }
    for (const { stmt } of stmts) {
      const alter = stmt.AlterTableStmt as AlterTable | undefined;
      if (!alter?.relation) continue;
      for (const { AlterTableCmd: cmd } of alter.cmds ?? []) {
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
        out.push({ schema: alter.relation.schemaname, table: alter.relation.relname, column: cmd.name });
      }
    }
  }
  return out;
}

interface KnownBackfill {
  id: string;
  version: string;
  table: string;
  columns: string[];
  remainingSql: string;
}

/** Backfills recorded on the branch, plus SQL backfill files of the project not recorded yet. */
async function knownBackfills(db: DbClient, migrations: Migration[]): Promise<KnownBackfill[]> {
  const known: KnownBackfill[] = (await readBackfills(db)).map((r) => ({
    id: r.id,
    version: r.version,
    table: r.table,
    columns: r.columns,
    remainingSql: r.remainingSql,
  }));
  for (const m of migrations) {
    if (!isSqlScript(m.up) || !isBackfillSql(m.up.text) || known.some((k) => k.version === m.version)) continue;
    const spec = await backfillSpecFromSql(m.upFile, m.version, m.up.text);
    const { id, version, table, columns } = spec;
    known.push({ id, version, table, columns, remainingSql: remainingSql(spec.shape) });
  }
  return known;
}

function sameTable(backfillTable: string, schema: string | undefined, table: string): boolean {
  const [a, b] = backfillTable.includes('.') ? backfillTable.split('.', 2) : [undefined, backfillTable];
  return b!.toLowerCase() === table.toLowerCase() && (!a || !schema || a.toLowerCase() === schema.toLowerCase());
}

/**
 * Check `migration` against the backfills it depends on (`migrations`: the project's, to find SQL
 * backfills by version). Returns the checks when every backfill is complete; throws
 * BackfillIncompleteError (exit 2) when rows remain. Call it right before the contract runs.
 */
export async function contractGuard(
  db: DbClient,
  migration: Migration,
  migrations: Migration[] = [],
): Promise<GuardCheck[]> {
  const script = migration.up;
  if (!isSqlScript(script)) return [];
  const declared = declaredBackfills(script.text);
  const candidates = script.statements.map((s) => s.sql).filter(maySetNotNull);
  if (declared.length === 0 && candidates.length === 0) return [];
  await loadParser();
  const notNull = setNotNullColumns(candidates);
  if (declared.length === 0 && notNull.length === 0) return [];
  const known = await knownBackfills(db, migrations);
  const picks = new Map<string, { b: KnownBackfill; reason: GuardCheck['reason'] }>();
  for (const v of declared) {
    const matches = known.filter((k) => k.version === v);
    if (matches.length === 0) {
      throw new MigrationFileError(
        `${migration.upFile}: "${AFTER_BACKFILL_DIRECTIVE} ${v}" names no backfill of this project or branch`,
        {
          hint: 'name the version of a migration marked "-- neon-migrate:backfill", or remove the line',
          code: 'BACKFILL_UNKNOWN',
        },
      );
    }
    for (const b of matches) picks.set(b.id, { b, reason: 'declared' });
  }
  for (const c of notNull) {
    for (const b of known) {
      const setsColumn = b.columns.some((col) => col.toLowerCase() === c.column.toLowerCase());
      if (!picks.has(b.id) && sameTable(b.table, c.schema, c.table) && setsColumn) {
        picks.set(b.id, { b, reason: 'detected' });
      }
    }
  }
  const checks: GuardCheck[] = [];
  for (const { b, reason } of picks.values()) {
    const res = await db.query<{ n: string }>(b.remainingSql);
    checks.push({ backfill: b.id, table: b.table, reason, remaining: Number(res.rows[0]?.n ?? 0) });
  }
  if (checks.some((c) => c.remaining > 0)) throw new BackfillIncompleteError(migration.upFile, checks);
  return checks;
}
