/**
 * Reading SQL migration files with the real Postgres parser (libpg-query): statement boundaries,
 * syntax errors with file:line:column, and statements that cannot run inside a transaction.
 * SQL is never split on `;` by hand.
 */
import { isBackfillSql } from '../backfill/directive.js';
import { MigrationFileError } from '../errors.js';
import { hasNoTransactionDirective, NO_TRANSACTION_DIRECTIVE } from './markers.js';
import { nonTransactionalReason, transactionControl, unsafeNewEnumValue } from './statement-kinds.js';

export { hasNoTransactionDirective, NO_TRANSACTION_DIRECTIVE } from './markers.js';

/** The PostgreSQL majors whose grammar the parser knows (libpg-query 17 and 18). */
export type PgMajor = 17 | 18;
/** The major used when the settings name none (see README, "PostgreSQL versions"). */
export const DEFAULT_PG_MAJOR: PgMajor = 17;

/** One statement of a file, as the parser delimits it. */
export interface SqlStatement {
  /** 0-based position in the file. */
  index: number;
  /** The statement text (without the terminating `;`). */
  sql: string;
  /** 1-based line and column where the statement starts (after leading comments). */
  line: number;
  column: number;
  /** Top-level parse node type, e.g. `CreateStmt`. */
  kind: string;
}

/** A parsed SQL file. */
export interface SqlScript {
  file: string;
  text: string;
  noTransaction: boolean;
  statements: SqlStatement[];
  /** Warnings worth showing (e.g. an enum value added and used in one transaction). */
  notes: string[];
}

type ParseSync = (sql: string) => unknown;
const parsers = new Map<PgMajor, Promise<ParseSync>>();

/** Load the parser of a PostgreSQL major once (each is its own WASM module; 18 only when asked for). */
export function loadParser(major: PgMajor = DEFAULT_PG_MAJOR): Promise<ParseSync> {
  let p = parsers.get(major);
  if (!p) {
    p = (async () => {
      const mod = major === 18 ? await import('libpg-query-18') : await import('libpg-query');
      await mod.loadModule();
      return mod.parseSync as ParseSync;
    })();
    parsers.set(major, p);
  }
  return p;
}

/** 1-based line/column of a 0-based character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Offset of the first character after whitespace and comments (block comments nest in Postgres). */
export function skipTrivia(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('--', i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      let depth = 0;
      do {
        if (text.startsWith('/*', i)) depth++, (i += 2);
        else if (text.startsWith('*/', i)) depth--, (i += 2);
        else i++;
      } while (depth > 0 && i < text.length);
    } else {
      return i;
    }
  }
}

interface RawStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** True when the text is valid for PostgreSQL 18 although not for the major it was read with. */
async function parsesOnNewerMajor(text: string, major: PgMajor | undefined): Promise<boolean> {
  if ((major ?? DEFAULT_PG_MAJOR) >= 18) return false;
  try {
    (await loadParser(18))(text);
    return true;
  } catch {
    return false;
  }
}

export interface ParseOptions {
  /** The PostgreSQL major whose grammar applies. */
  major?: PgMajor;
  /** Run outside a transaction because of a marker outside the text (diesel's metadata.toml, a dbmate section header). */
  noTransaction?: boolean;
}

/** Parse a file's text; throws MigrationFileError (file:line:column + the line) on a syntax error. */
export async function parseSqlFile(file: string, text: string, options: ParseOptions = {}): Promise<SqlScript> {
  const parseSync = await loadParser(options.major);
  // A batched backfill commits batch by batch (src/backfill): it never runs inside one transaction.
  const noTransaction = options.noTransaction === true || hasNoTransactionDirective(text) || isBackfillSql(text);
  let raw: RawStmt[];
  try {
    raw = text.trim() === '' ? [] : ((parseSync(text) as { stmts: RawStmt[] }).stmts ?? []);
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const offset = Math.max(0, Math.min(details?.cursorPosition ?? 0, text.length));
    const { line, column } = lineColumn(text, offset);
    const lineText = (text.split('\n')[line - 1] ?? '').trim();
    throw new MigrationFileError(`${file}:${line}:${column}: ${(err as Error).message} in: ${lineText}`, {
      hint: (await parsesOnNewerMajor(text, options.major))
        ? 'this is PostgreSQL 18 syntax: set "postgresVersion": 18 in neon-migrate.json if the database runs 18; nothing was applied'
        : 'fix the SQL; nothing was applied',
      code: 'SQL_SYNTAX',
    });
  }
  // The parser reports byte offsets into the UTF-8 text.
  const bytes = Buffer.from(text, 'utf8');
  const statements: SqlStatement[] = raw.map((s, index) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    const chunk = bytes.subarray(start, end).toString('utf8');
    const charStart = bytes.subarray(0, start).toString('utf8').length;
    const first = skipTrivia(text, charStart);
    const sql = chunk.trim();
    return { index, sql, ...lineColumn(text, first), kind: Object.keys(s.stmt)[0] ?? 'Unknown' };
  });
  const notes: string[] = [];
  raw.forEach((s, i) => {
    const st = statements[i]!;
    const where = `${file}:${st.line}:${st.column}`;
    if (!noTransaction) {
      const reason = nonTransactionalReason(s.stmt);
      if (reason) {
        throw new MigrationFileError(`${where}: ${reason} cannot run inside a transaction`, {
          hint: `make "${NO_TRANSACTION_DIRECTIVE}" the first line of ${file}, or move the statement to its own migration`,
          code: 'NEEDS_NO_TRANSACTION',
        });
      }
      if (transactionControl(s.stmt)) {
        throw new MigrationFileError(
          `${where}: transaction control (BEGIN/COMMIT/ROLLBACK) in a migration that runs in a transaction`,
          {
            hint: `remove it (each migration already runs in its own transaction), or make "${NO_TRANSACTION_DIRECTIVE}" the first line`,
            code: 'TRANSACTION_CONTROL',
          },
        );
      }
      const enumNote = unsafeNewEnumValue(s.stmt, statements.slice(i + 1));
      if (enumNote) notes.push(`${where}: ${enumNote}`);
    }
  });
  return { file, text, noTransaction, statements, notes };
}
