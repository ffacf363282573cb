/**
 * Checks on a migration file's text before it is used: strict UTF-8 (a Latin-1 file was silently
 * read with U+FFFD replacements and applied), no empty migrations by accident, and TypeScript
 * load errors with their file:line:column (esbuild's own first line says only "Transform failed").
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, MigrationFileError } from '../errors.js';
import { isSqlScript, type Migration } from './types.js';

/** A line that marks an empty or comment-only SQL file as a deliberate no-op. */
export const EMPTY_DIRECTIVE = '-- neon-migrate:empty';

/** Decode a migration file as strict UTF-8 (a leading BOM is dropped); else a MigrationFileError naming the file. */
export function decodeMigrationText(rel: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const before = bytes.subarray(0, at).toString('utf8');
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new MigrationFileError(
      `${rel}:${line}:${column}: not valid UTF-8 (byte 0x${bytes[at]?.toString(16).padStart(2, '0')})`,
      {
        hint: 'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`); nothing was applied',
        code: 'MIGRATION_ENCODING',
      },
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // the longest valid prefix, by bisection (a prefix ending mid-sequence counts as invalid)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      decoder.decode(bytes.subarray(0, mid));
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return lo;
}

/** Refuse a SQL file without statements unless marked with the empty directive (a forgotten scaffold is not one). */
export function checkHasStatements(rel: string, text: string, statementCount: number): void {
  if (statementCount > 0) return;
  if (text.split(/\r?\n/).some((line) => line.trim().toLowerCase() === EMPTY_DIRECTIVE)) return;
  const down = /(^|[./])down\.sql$/.test(rel);
  throw new MigrationFileError(`${rel}: has no SQL statements (${text.trim() ? 'comments only' : 'empty file'})`, {
    hint: down
      ? 'write the statements that undo the up, delete the file to make the migration irreversible, ' +
        `or add the line "${EMPTY_DIRECTIVE}" for a deliberate no-op`
      : `write the migration's SQL, or add the line "${EMPTY_DIRECTIVE}" for a deliberate no-op; nothing was applied`,
    code: 'MIGRATION_EMPTY',
  });
}

/** esbuild's message shape, as tsx rethrows it (`errors[].location`). */
interface EsbuildMessage {
  text?: string;
  location?: { file?: string; line?: number; column?: number; lineText?: string } | null;
}

/**
 * One line for a TypeScript migration that cannot be loaded: `file:line:col: message` for a
 * syntax error (esbuild's column is 0-based), else the first line of the error.
 */
export function describeTsLoadError(rel: string, err: unknown): string {
  const errors = (err as { errors?: EsbuildMessage[] } | null)?.errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  if (first?.text) {
    const loc = first.location;
    const where = loc?.line ? `${rel}:${loc.line}:${(loc.column ?? 0) + 1}` : rel;
    const more = errors!.length > 1 ? ` (and ${errors!.length - 1} more)` : '';
    return `${where}: syntax error: ${first.text}${more}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // esbuild text form: "Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: <text>"
  const located = /:(\d+):(\d+): ERROR: (.+)/.exec(message);
  if (located) return `${rel}:${located[1]}:${Number(located[2]) + 1}: syntax error: ${located[3]}`;
  return `${rel}: cannot be loaded: ${message.split('\n')[0]}`;
}

/**
 * True when the migrations folder exists; a ConfigError (exit 2) when `migrationsDir` names a file
 * (reading it raised a raw ENOTDIR, exit 4).
 */
export function migrationsDirExists(projectDir: string, migrationsDir: string): boolean {
  const dir = path.join(projectDir, migrationsDir);
  if (!existsSync(dir)) return false;
  if (!statSync(dir).isDirectory()) {
    throw new ConfigError(
      [{ file: 'neon-migrate.json', key: 'migrationsDir', message: `"${migrationsDir}" is a file, not a folder` }],
      { hint: 'point migrationsDir at the folder holding the migrations' },
    );
  }
  return true;
}

/** A ConfigError (exit 2) when the migrations folder is missing: commands that run or list migrations need it. */
export function requireMigrationsDir(projectDir: string, migrationsDir: string): void {
  if (migrationsDirExists(projectDir, migrationsDir)) return;
  const message = `migrations folder "${migrationsDir}" not found in ${projectDir}`;
  throw new ConfigError([{ file: 'neon-migrate.json', key: 'migrationsDir', message }], {
    hint: 'create it (`neon-migrate new <name>` does), pass the right -C/--cwd, or set migrationsDir in neon-migrate.json',
  });
}

/** Refuse SQL migrations without statements (all of them at once; one keeps its own code and hint). */
export function checkMigrationsHaveStatements(migrations: Migration[]): void {
  const errors: MigrationFileError[] = [];
  for (const m of migrations) {
    for (const script of [m.up, m.down]) {
      if (!script || !isSqlScript(script)) continue;
      try {
        checkHasStatements(script.file, script.text, script.statements.length);
      } catch (err) {
        errors.push(err as MigrationFileError);
      }
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) {
    throw new MigrationFileError(errors.map((e) => e.message).join('; '), {
      hint: errors[0]!.hint,
      code: 'MIGRATION_EMPTY',
    });
  }
}
