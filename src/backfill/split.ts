/**
 * Taking a backfill's UPDATE apart at its top-level WHERE (and FROM), proven by the parser: a
 * candidate split is accepted only when the text before it parses, alone, to the same UPDATE
 * minus that clause, and the text after it parses, alone, to the same clause. Batches then wrap
 * the WHERE as `(<where>) AND <key range>` and the contract guard counts the rows left with
 * `SELECT count(*) … WHERE <where>`, both without editing a single character of the author's SQL.
 */
import { parseSync } from 'libpg-query';
import { MigrationFileError } from '../errors.js';

type Tree = Record<string, unknown>;

/** The parts of a backfill's UPDATE that batches and counts are built from. */
export interface UpdateShape {
  relation: { schema?: string; name: string; only: boolean; alias?: string };
  /** `ONLY "s"."t" AS "a"`: the target as the UPDATE names it. */
  relationSql: string;
  /** How the statement refers to the target's columns: the alias, or the table name. */
  qualifier: string;
  /** The qualified key column reference (set once the key is known). */
  keyRef: string;
  /** Columns the UPDATE sets. */
  columns: string[];
  /** Everything before the top-level WHERE keyword. */
  head: string;
  /** The WHERE expression's text (may end in a comment). */
  whereText: string;
  /** The FROM list's text, when the UPDATE has one. */
  fromText?: string;
}

/** A double-quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A copy of a parse tree without `location` fields (they differ between texts, not meanings). */
function withoutLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLocations);
  if (node && typeof node === 'object') {
    const out: Tree = {};
    for (const [k, v] of Object.entries(node)) {
      if (k !== 'location' && k !== 'stmt_location' && k !== 'stmt_len') out[k] = withoutLocations(v);
    }
    return out;
  }
  return node;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutLocations(a)) === JSON.stringify(withoutLocations(b));
}

/** The single statement `sql` parses to, or undefined (parse error, or not exactly one). */
function parseSingle(sql: string): Tree | undefined {
  try {
    const stmts = (parseSync(sql) as { stmts?: { stmt: Tree }[] }).stmts ?? [];
    return stmts.length === 1 ? stmts[0]!.stmt : undefined;
  } catch {
    return undefined;
  }
}

function omit(tree: Tree, ...keys: string[]): Tree {
  const copy = { ...tree };
  for (const k of keys) delete copy[k];
  return copy;
}

/** A `SELECT 1 <clause> …` that has nothing but the clause (no GROUP BY, ORDER BY, LIMIT… after it). */
function onlyClause(select: Tree | undefined, clause: string): unknown {
  const s = select?.SelectStmt as Tree | undefined;
  if (!s) return undefined;
  const allowed = new Set(['targetList', clause, 'limitOption', 'op']);
  return Object.keys(s).every((k) => allowed.has(k)) ? s[clause] : undefined;
}

/** The offset of the first `keyword` in `text` at which `accept(before, after)` holds, or -1. */
function findSplit(text: string, keyword: string, accept: (before: string, after: string) => boolean): number {
  const re = new RegExp(`\\b${keyword}\\b`, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (accept(text.slice(0, m.index), text.slice(m.index + keyword.length))) return m.index;
  }
  return -1;
}

/** Split a backfill UPDATE (text `sql`, parse tree `update`); throws MigrationFileError when it cannot be batched. */
export function splitUpdate(sql: string, update: Tree, where: string): UpdateShape {
  const refuse = (message: string, hint: string) =>
    new MigrationFileError(`${where}: ${message}`, { hint, code: 'BACKFILL_SPEC' });
  if (!update.whereClause) {
    throw refuse(
      'a backfill UPDATE needs a WHERE <not yet done> predicate (e.g. WHERE priority_id IS NULL)',
      'add the predicate that is false once a row is filled: it makes a resumed or retried batch harmless',
    );
  }
  if (update.returningList) throw refuse('a backfill UPDATE cannot have RETURNING', 'remove the RETURNING clause');
  if (update.withClause) {
    throw refuse('a backfill UPDATE cannot start with WITH', 'move the CTE into a subquery of the SET or WHERE');
  }
  const rel = update.relation as { schemaname?: string; relname: string; inh?: boolean; alias?: { aliasname: string } };
  const relation = { schema: rel.schemaname, name: rel.relname, only: !rel.inh, alias: rel.alias?.aliasname };
  const qualified = `${relation.schema ? `${quoteIdent(relation.schema)}.` : ''}${quoteIdent(relation.name)}`;
  const alias = relation.alias ? ` AS ${quoteIdent(relation.alias)}` : '';
  const relationSql = `${relation.only ? 'ONLY ' : ''}${qualified}${alias}`;
  const columns = (update.targetList as { ResTarget: { name: string } }[]).map((t) => t.ResTarget.name);

  const withoutWhere = omit(update, 'whereClause');
  const p = findSplit(sql, 'where', (before, after) => {
    const head = parseSingle(before);
    const headMatches = Boolean(head?.UpdateStmt && same(head.UpdateStmt, withoutWhere));
    return headMatches && same(onlyClause(parseSingle(`SELECT 1 WHERE ${after}\n`), 'whereClause'), update.whereClause);
  });
  if (p < 0) {
    const hint = 'write it as UPDATE <table> SET … [FROM …] WHERE <not yet done>';
    throw refuse('cannot locate the top-level WHERE of the backfill UPDATE', hint);
  }
  const head = sql.slice(0, p);
  const whereText = sql.slice(p + 'where'.length);

  let fromText: string | undefined;
  if (update.fromClause) {
    const withoutFrom = omit(withoutWhere, 'fromClause');
    const q = findSplit(head, 'from', (before, after) => {
      const rest = parseSingle(before);
      const restMatches = Boolean(rest?.UpdateStmt && same(rest.UpdateStmt, withoutFrom));
      return restMatches && same(onlyClause(parseSingle(`SELECT 1 FROM ${after}\n`), 'fromClause'), update.fromClause);
    });
    if (q < 0) {
      const hint = 'move the joined rows into a subquery of the SET';
      throw refuse('cannot locate the FROM list of the backfill UPDATE', hint);
    }
    fromText = head.slice(q + 'from'.length);
  }
  const qualifier = quoteIdent(relation.alias ?? relation.name);
  return { relation, relationSql, qualifier, keyRef: '', columns, head, whereText, fromText };
}

/** A SQL string literal (standard_conforming_strings is on in every supported Postgres). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The UPDATE restricted to keys in [lo, hi] (inclusive): `lo`/`hi` are SQL expressions of the key's type. */
export function batchUpdateSql(shape: UpdateShape, lo: string, hi: string): string {
  return `${shape.head}WHERE (${shape.whereText}\n) AND ${shape.keyRef} >= ${lo} AND ${shape.keyRef} <= ${hi}`;
}

/** The "not yet done" condition over the target alone (the FROM list moves into an EXISTS). */
export function notDoneSql(shape: UpdateShape): string {
  if (!shape.fromText) return `(${shape.whereText}\n)`;
  return `EXISTS (SELECT 1 FROM ${shape.fromText}\nWHERE (${shape.whereText}\n))`;
}

/** SQL counting the rows not yet done (what the contract guard and the progress total use). */
export function remainingSql(shape: UpdateShape): string {
  return `SELECT count(*)::bigint AS n FROM ${shape.relationSql} WHERE ${notDoneSql(shape)}`;
}

/** Check that a built statement is still one statement of the expected kind (belt and braces). */
export function assertSingle(sql: string, kind: string, where: string): void {
  const tree = parseSingle(sql);
  if (tree?.[kind]) return;
  const message = `${where}: internal: the batched statement does not parse as one ${kind}`;
  throw new MigrationFileError(message, { hint: 'report this with the migration file', code: 'BACKFILL_SPEC' });
}
