/**
 * What a backfill is: one `UPDATE … SET … WHERE <not yet done>` statement, a key column to walk
 * and a batch size. It comes from a SQL migration marked `-- neon-migrate:backfill table=… key=…`
 * or from `ctx.backfill({...})` in a TypeScript migration. The statement is checked with the real
 * Postgres parser and split at its top-level WHERE (see split.ts), so each batch can add a key range
 * to it without ever cutting SQL text by hand.
 */
import { parseSync } from 'libpg-query';
import { MigrationFileError } from '../errors.js';
import { loadParser } from '../migrations/sql.js';
import { BACKFILL_DIRECTIVE, readBackfillDirective } from './directive.js';
import {
  assertSingle,
  batchUpdateSql,
  literal,
  quoteIdent,
  remainingSql,
  splitUpdate,
  type UpdateShape,
} from './split.js';

export { BACKFILL_DIRECTIVE, isBackfillSql, readBackfillDirective } from './directive.js';

/** Defaults shared by both forms. */
// 50 ms per batch: a writer waits at most about one batch for a row lock, well under 100 ms.
export const BACKFILL_DEFAULTS = { batchSize: 1000, pauseMs: 0, targetBatchMs: 50 } as const;

/** A backfill ready to run. */
export interface BackfillSpec {
  /** Its row in `neon_migrate.backfills`: the migration version (SQL) or `version:table` (TS). */
  id: string;
  /** The migration version it belongs to. */
  version: string;
  /** The target table as `schema.table` or `table`. */
  table: string;
  /** The key column walked in ranges (unquoted name). */
  key: string;
  /** Columns the UPDATE sets (what a contract's SET NOT NULL is checked against). */
  columns: string[];
  /** First batch size in rows; adapted to `targetBatchMs` as it runs. */
  batchSize: number;
  /** Pause between batches (throttle). */
  pauseMs: number;
  /** The batch time the size adapts to. */
  targetBatchMs: number;
  /** The UPDATE as written. */
  statement: string;
  /** Where the file or code is, for messages. */
  source: string;
  /** The statement taken apart (parser-verified). */
  shape: UpdateShape;
}

/** Options of a backfill, as written in the directive or passed to ctx.backfill. */
export interface BackfillTuning {
  batchSize?: number;
  pauseMs?: number;
  targetBatchMs?: number;
}

function positiveInt(value: string | number | undefined, what: string, where: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min) {
    const message = `${where}: backfill ${what} must be an integer >= ${min}, got "${value}"`;
    throw new MigrationFileError(message, { hint: `e.g. ${what}=1000`, code: 'BACKFILL_SPEC' });
  }
  return n;
}

type TuningText = { [K in keyof BackfillTuning]?: string | number };

function tuningFrom(t: TuningText, where: string) {
  return {
    batchSize: positiveInt(t.batchSize, 'batch', where, 1) ?? BACKFILL_DEFAULTS.batchSize,
    pauseMs: positiveInt(t.pauseMs, 'pause', where, 0) ?? BACKFILL_DEFAULTS.pauseMs,
    targetBatchMs: positiveInt(t.targetBatchMs, 'target', where, 1) ?? BACKFILL_DEFAULTS.targetBatchMs,
  };
}

/** The one UPDATE in `sql`: its parse tree and its text without the terminating `;`. */
function parseOne(sql: string, where: string): { tree: Record<string, unknown>; text: string } {
  let stmts: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
  try {
    stmts = (parseSync(sql) as { stmts?: { stmt: Record<string, unknown> }[] }).stmts ?? [];
  } catch (err) {
    const message = `${where}: ${(err as Error).message}`;
    throw new MigrationFileError(message, { hint: 'fix the SQL; nothing was applied', code: 'SQL_SYNTAX' });
  }
  if (stmts.length !== 1 || !stmts[0]!.stmt.UpdateStmt) {
    const found = `${stmts.length} statement(s)${stmts[0] ? `, the first a ${Object.keys(stmts[0].stmt)[0]}` : ''}`;
    throw new MigrationFileError(
      `${where}: a backfill is exactly one UPDATE … SET … WHERE <not yet done> statement (found ${found})`,
      {
        hint: 'put the other statements in their own migration (expand before, contract after)',
        code: 'BACKFILL_SPEC',
      },
    );
  }
  // The parser reports byte offsets into the UTF-8 text; leading comments stay in (harmless).
  const bytes = Buffer.from(sql, 'utf8');
  const start = stmts[0]!.stmt_location ?? 0;
  const text = bytes.subarray(start, stmts[0]!.stmt_len ? start + stmts[0]!.stmt_len : bytes.length).toString('utf8');
  return { tree: stmts[0]!.stmt.UpdateStmt as Record<string, unknown>, text };
}

interface BuildInput {
  batchSize?: number | string;
  pauseMs?: number | string;
  targetBatchMs?: number | string;
  id: string;
  version: string;
  key: string;
  statement: string;
  source: string;
  /** The table the author declared; must be the UPDATE's target. */
  table?: string;
}

async function buildSpec(input: BuildInput): Promise<BackfillSpec> {
  await loadParser();
  const where = input.source;
  const { tree, text } = parseOne(input.statement, where);
  const shape = splitUpdate(text, tree, where);
  const declared = input.table?.toLowerCase();
  const target = shape.relation.schema ? `${shape.relation.schema}.${shape.relation.name}` : shape.relation.name;
  if (declared && declared !== target.toLowerCase() && declared !== shape.relation.name.toLowerCase()) {
    const message = `${where}: the backfill declares table=${input.table} but the UPDATE targets ${target}`;
    throw new MigrationFileError(message, { hint: 'make them the same table', code: 'BACKFILL_SPEC' });
  }
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(input.key) && !/^"[^"]+"$/.test(input.key)) {
    const message = `${where}: backfill key "${input.key}" is not a column name`;
    throw new MigrationFileError(message, { hint: 'name the indexed key column, e.g. key=id', code: 'BACKFILL_SPEC' });
  }
  const key = input.key.startsWith('"') ? input.key.slice(1, -1) : input.key.toLowerCase();
  shape.keyRef = `${shape.qualifier}.${quoteIdent(key)}`;
  assertSingle(batchUpdateSql(shape, literal('0'), literal('0')), 'UpdateStmt', where);
  assertSingle(remainingSql(shape), 'SelectStmt', where);
  return {
    id: input.id,
    version: input.version,
    table: target,
    key,
    columns: shape.columns,
    ...tuningFrom(input, where),
    statement: text,
    source: where,
    shape,
  };
}

/**
 * The backfill of a SQL migration marked with the directive: `text` is the file's text, `version`
 * the migration's version. Throws MigrationFileError (exit 2) on anything it cannot run safely.
 */
export async function backfillSpecFromSql(file: string, version: string, text: string): Promise<BackfillSpec> {
  const options = readBackfillDirective(text);
  if (!options) {
    const hint = `add "${BACKFILL_DIRECTIVE} table=<table> key=<column>"`;
    throw new MigrationFileError(`${file}: no "${BACKFILL_DIRECTIVE}" line`, { hint, code: 'BACKFILL_SPEC' });
  }
  const known = new Set(['table', 'key', 'batch', 'pause', 'target']);
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length) {
    const hint = 'the options are table=, key=, batch=, pause= (ms), target= (ms per batch)';
    throw new MigrationFileError(`${file}: unknown backfill option(s) ${unknown.join(', ')}`, {
      hint,
      code: 'BACKFILL_SPEC',
    });
  }
  if (!options.table || !options.key) {
    const hint = `e.g. "${BACKFILL_DIRECTIVE} table=tasks key=id batch=5000"`;
    throw new MigrationFileError(`${file}: the backfill directive needs table= and key=`, {
      hint,
      code: 'BACKFILL_SPEC',
    });
  }
  // The statement is the file minus its comments; the parser, not a `;` split, says there is one.
  return buildSpec({
    id: version,
    version,
    key: options.key,
    table: options.table,
    statement: text.trim(),
    source: file,
    batchSize: options.batch,
    pauseMs: options.pause,
    targetBatchMs: options.target,
  });
}

/** What `ctx.backfill` takes in a TypeScript migration. */
export interface BackfillCallOptions extends BackfillTuning {
  /** The table, e.g. `tasks` or `public.tasks` (optionally `tasks AS t`). */
  table: string;
  /** The key column walked in ranges (indexed, usually the primary key). */
  key: string;
  /** The SET list, e.g. `priority_id = 2`, or column → SQL expression. */
  set: string | Record<string, string>;
  /** The "not yet done" predicate, e.g. `priority_id IS NULL`: what makes a retried batch harmless. */
  where: string;
  /** Distinguishes several backfills of one migration on the same table. */
  name?: string;
}

/** The backfill of a `ctx.backfill(...)` call in migration `version` (file `source`). */
export async function backfillSpecFromCall(
  source: string,
  version: string,
  o: BackfillCallOptions,
): Promise<BackfillSpec> {
  const set =
    typeof o.set === 'string'
      ? o.set
      : Object.entries(o.set)
          .map(([c, e]) => `${quoteIdent(c)} = ${e}`)
          .join(', ');
  if (!o.table || !o.key || !set || !o.where) {
    const hint = 'e.g. ctx.backfill({ table: "tasks", key: "id", set: "x = 1", where: "x IS NULL" })';
    throw new MigrationFileError(`${source}: ctx.backfill needs table, key, set and where`, {
      hint,
      code: 'BACKFILL_SPEC',
    });
  }
  // Newlines keep a trailing line comment in `set` or `where` from swallowing what follows.
  const statement = `UPDATE ${o.table} SET ${set}\nWHERE ${o.where}\n`;
  const spec = await buildSpec({ ...o, id: '', version, key: o.key, statement, source });
  return { ...spec, id: `${version}:${o.name ?? spec.table}` };
}
