/**
 * Migrations that stopped partway. A no-transaction migration that fails after some of its
 * statements ran leaves those statements in effect; running the file again from the top would
 * silently repeat them (a second CREATE INDEX CONCURRENTLY, a second backfill). So the branch
 * records how far it got in `neon_migrate.partial`, every run is refused while a row is there,
 * and `--resume` continues from the statement that failed, once the statements that already ran
 * are proven unchanged.
 */
import { createHash } from 'node:crypto';
import type { DbClient } from '../db/connect.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { sqlLiteral } from './store.js';
import type { Direction } from '../run/select.js';
import { isSqlScript, type Migration } from '../migrations/types.js';

/** A row of `neon_migrate.partial`. */
export interface PartialRow {
  version: string;
  name: string;
  direction: Direction;
  /** Statements that took effect (for a TypeScript migration: 1, the code started). */
  statementsDone: number;
  /** SHA-256 of the statements that took effect, to prove on resume that they were not edited. */
  doneHash: string;
  runId: string | null;
  error: string | null;
  stoppedAt: string;
}

/** Where a resumed migration starts. */
export interface ResumePoint {
  version: string;
  /** Statements of the file to skip (they already ran). */
  fromStatement: number;
}

/** Hash of the first `count` statements a migration runs in a direction (TS: the module's checksum). */
export function doneStatementsHash(m: Migration, direction: Direction, count: number): string {
  const script = direction === 'up' ? m.up : m.down;
  const h = createHash('sha256');
  if (!script || !isSqlScript(script))
    return h.update(direction === 'up' ? m.checksum : (m.downChecksum ?? m.checksum)).digest('hex');
  for (const s of script.statements.slice(0, count)) h.update(s.sql).update('\0');
  return h.digest('hex');
}

/** The partial migrations on a branch (none on a branch whose history predates the table). */
export async function readPartial(db: DbClient): Promise<PartialRow[]> {
  const exists = await db.query<{ ok: boolean }>(`SELECT to_regclass('neon_migrate.partial') IS NOT NULL AS ok`);
  if (!exists.rows[0]?.ok) return [];
  const res = await db.query<PartialRow>(
    `SELECT version, name, direction, statements_done AS "statementsDone", done_hash AS "doneHash", run_id AS "runId", error,
            to_char(stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "stoppedAt"
       FROM neon_migrate.partial ORDER BY length(version), version`,
  );
  return res.rows;
}

/** SQL recording (or updating) where a migration stopped. */
export function recordPartialSql(
  m: Migration,
  direction: Direction,
  statementsDone: number,
  runId: string,
  error: string,
): string {
  const values = [
    m.version,
    m.name,
    direction,
    statementsDone,
    doneStatementsHash(m, direction, statementsDone),
    runId,
    error,
  ]
    .map(sqlLiteral)
    .join(', ');
  return `INSERT INTO neon_migrate.partial (version, name, direction, statements_done, done_hash, run_id, error) VALUES (${values})
  ON CONFLICT (version) DO UPDATE SET direction = EXCLUDED.direction, statements_done = EXCLUDED.statements_done, done_hash = EXCLUDED.done_hash,
  run_id = EXCLUDED.run_id, error = EXCLUDED.error, stopped_at = now()`;
}

/** SQL forgetting the partial record of a migration (in the same query that records it finished). */
export function clearPartialSql(version: string): string {
  return `DELETE FROM neon_migrate.partial WHERE version = ${sqlLiteral(version)}`;
}

/** The one-line refusal for a run while a migration is partial. */
export function partialError(p: PartialRow, file: string, branch: string): MigrationFileError {
  const where = p.statementsDone > 0 ? `after ${p.statementsDone} statement(s) took effect` : 'partway';
  return new MigrationFileError(
    `partial: ${file} (${p.direction}) stopped ${where} in run ${p.runId ?? '?'} at ${p.stoppedAt}; running it again from the top would repeat them`,
    {
      hint: `fix the cause, then continue with \`neon-migrate ${p.direction} --resume --branch ${branch}\`, or undo the run with \`neon-migrate rollback --branch ${branch}\``,
      code: 'PARTIAL',
    },
  );
}

/**
 * Where `--resume` continues: the partial migration must still be on disk, run in the same
 * direction, and the statements that already ran must be unchanged (the failing one may be edited).
 */
export function resumePoint(
  partial: PartialRow[],
  migrations: Migration[],
  direction: Direction,
  branch: string,
): ResumePoint {
  const p = partial[0];
  if (!p)
    throw new UsageError(`--resume: no migration stopped partway on branch "${branch}"`, {
      hint: `run \`neon-migrate ${direction}\` without --resume`,
      code: 'NOTHING_TO_RESUME',
    });
  const m = migrations.find((x) => x.version === p.version);
  if (!m)
    throw new MigrationFileError(`--resume: the file of ${p.name} (version ${p.version}) is gone`, {
      hint: 'restore it from version control',
      code: 'MISSING_FILE',
    });
  if (p.direction !== direction) {
    throw new UsageError(`--resume: ${p.name} stopped while running ${p.direction}, not ${direction}`, {
      hint: `continue it with \`neon-migrate ${p.direction} --resume --branch ${branch}\``,
      code: 'RESUME_DIRECTION',
    });
  }
  const script = direction === 'up' ? m.up : m.down;
  const sql = script && isSqlScript(script);
  if (doneStatementsHash(m, direction, p.statementsDone) !== p.doneHash) {
    throw new MigrationFileError(
      sql
        ? `--resume: the first ${p.statementsDone} statement(s) of ${m.name} (${direction}), which already ran, were edited since`
        : `--resume: ${m.name} (${direction}) was edited since it stopped`,
      {
        hint: `restore them as they ran (only the failing statement and later ones may change), or undo the run with \`neon-migrate rollback --branch ${branch}\``,
        code: 'RESUME_EDITED',
      },
    );
  }
  // A TypeScript migration cannot be entered halfway: it runs again whole (it must be idempotent).
  return { version: m.version, fromStatement: sql ? p.statementsDone : 0 };
}
