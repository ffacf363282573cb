/**
 * SQL assertion scripts. Convention (documented in the README, "Conventions"):
 * - assertion files are the `*.sql` files directly in `scripts/` (except the seed script), or the
 *   files an environment lists in `checks.assertions`;
 * - each statement is one assertion; it passes when every row it returns is a single `true`
 *   value — so both "returns no rows" (`SELECT id FROM t WHERE <broken>`) and
 *   "returns true" (`SELECT count(*) = 0 FROM ...`) pass;
 * - the `--` comment right above a statement names it in reports;
 * - a first line `-- neon-migrate:after <version>` runs the file only once that migration is applied;
 * - every statement runs in its own READ ONLY transaction that is rolled back: assertions cannot
 *   change data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'libpg-query';
import { MigrationFileError } from '../errors.js';
import type { Queryable } from './queryable.js';

export interface AssertionResult {
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed: the first offending rows, or the error. */
  detail?: string;
}

export interface AssertionStatement {
  name: string;
  sql: string;
}

export interface AssertionFile {
  file: string;
  /** From `-- neon-migrate:after`: our version's digits, or a wrapped tool's revision id as written. */
  after?: string;
  statements: AssertionStatement[];
}

const AFTER_DIRECTIVE = /^--\s*neon-migrate:after\s+(\S+)/;

/** The assertion files of a project: the env's list when given, else `scripts/*.sql` minus `exclude`. */
export function listAssertionFiles(
  projectDir: string,
  scriptsDir: string,
  configured: string[],
  exclude: string[] = [],
): string[] {
  if (configured.length) return configured;
  const dir = path.join(projectDir, scriptsDir);
  if (!existsSync(dir)) return [];
  const skip = new Set(exclude.map((f) => path.normalize(f)));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => path.join(scriptsDir, f))
    .filter((f) => !skip.has(path.normalize(f)));
}

/** Read and parse one assertion file (a syntax error is a file error, found before anything runs). */
export async function loadAssertionFile(projectDir: string, file: string): Promise<AssertionFile> {
  const full = path.resolve(projectDir, file);
  if (!existsSync(full))
    throw new MigrationFileError(`assertion file ${file} not found`, {
      hint: 'fix checks.assertions in the environment file',
      code: 'ASSERTION_FILE',
    });
  const text = readFileSync(full, 'utf8');
  let tree: { stmts?: { stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = await parse(text);
  } catch (err) {
    throw new MigrationFileError(`${file}: ${(err as Error).message}`, {
      hint: 'fix the SQL in the assertion file',
      code: 'ASSERTION_FILE',
    });
  }
  const statements = (tree.stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    const raw = s.stmt_len ? text.slice(start, start + s.stmt_len) : text.slice(start);
    return { name: statementName(raw), sql: raw.trim() };
  });
  const after = AFTER_DIRECTIVE.exec(text.split('\n', 1)[0] ?? '')?.[1];
  return { file, after: after === undefined ? undefined : gateKey(after), statements };
}

/** The last `--` comment line before the SQL, else the SQL's first line. */
function statementName(raw: string): string {
  const lines = raw.split('\n').map((l) => l.trim());
  const firstSql = lines.findIndex((l) => l && !l.startsWith('--'));
  const comments = lines
    .slice(0, firstSql === -1 ? lines.length : firstSql)
    .filter((l) => l.startsWith('--') && !AFTER_DIRECTIVE.test(l));
  const last = comments[comments.length - 1];
  if (last) return last.replace(/^--\s*/, '');
  const sql = lines[firstSql] ?? '';
  return sql.length > 80 ? `${sql.slice(0, 79)}…` : sql;
}

/** A row passes when it is exactly one column holding `true`. */
function rowPasses(row: Record<string, unknown>): boolean {
  const values = Object.values(row);
  return values.length === 1 && (values[0] === true || values[0] === 't');
}

/** Run one statement in a rolled-back READ ONLY transaction and judge it. */
async function runStatement(db: Queryable, file: string, stmt: AssertionStatement): Promise<AssertionResult> {
  await db.query('BEGIN READ ONLY');
  try {
    const { rows } = await db.query(stmt.sql);
    const bad = rows.filter((r) => !rowPasses(r));
    if (!bad.length) return { file, name: stmt.name, passed: true };
    const shown = bad
      .slice(0, 3)
      .map((r) => JSON.stringify(r))
      .join(', ');
    const more = bad.length > 3 ? ` and ${bad.length - 3} more rows` : '';
    return { file, name: stmt.name, passed: false, detail: `returned ${shown}${more}` };
  } catch (err) {
    return { file, name: stmt.name, passed: false, detail: `error: ${(err as Error).message}` };
  } finally {
    await db.query('ROLLBACK');
  }
}

/** Our versions compare as digits (separators dropped); a wrapped tool's revision id (Alembic's hex) as written. */
function gateKey(version: string): string {
  return /^\d[\d\-_.:T]*$/.test(version) ? version.replace(/\D/g, '') : version;
}

/** Run assertion files against a database; files gated by `after` run only when that version is applied. */
export async function runAssertions(
  db: Queryable,
  files: AssertionFile[],
  appliedVersions: Iterable<string>,
): Promise<AssertionResult[]> {
  const applied = new Set([...appliedVersions].map(gateKey));
  const results: AssertionResult[] = [];
  for (const f of files) {
    if (f.after && !applied.has(f.after)) continue;
    for (const stmt of f.statements) results.push(await runStatement(db, f.file, stmt));
  }
  return results;
}
