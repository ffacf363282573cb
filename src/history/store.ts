/**
 * The history in the branch itself (docs/architecture.md §1), schema `neon_migrate`:
 * `applied` (one row per applied migration), `runs` (one row per run of any command: up, down,
 * accept, and the workflow's test/promote, whose records the promote gate reads from staging) and
 * `partial` (no-transaction migrations that stopped partway; see partial.ts).
 * The SQL texts are built here so `plan --sql` shows exactly what the runner sends.
 */
import { hostname } from 'node:os';
import type { DbClient } from '../db/connect.js';
import { redactSecrets } from '../errors.js';

export const HISTORY_SCHEMA = 'neon_migrate';
/** Serialises concurrent creation of the history tables (CREATE ... IF NOT EXISTS can race). */
const DDL_LOCK_KEY = 7_355_608_001;

/** DDL of the history tables (idempotent). */
export const HISTORY_DDL = `CREATE SCHEMA IF NOT EXISTS neon_migrate;
CREATE TABLE IF NOT EXISTS neon_migrate.applied (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  down_checksum text,
  kind text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL DEFAULT 0,
  run_id text
);
CREATE TABLE IF NOT EXISTS neon_migrate.runs (
  id text PRIMARY KEY,
  command text NOT NULL,
  branch text NOT NULL,
  checkpoint text,
  status text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  report jsonb
);
CREATE TABLE IF NOT EXISTS neon_migrate.partial (
  version text PRIMARY KEY,
  name text NOT NULL,
  direction text NOT NULL,
  statements_done integer NOT NULL,
  done_hash text NOT NULL,
  run_id text,
  error text,
  stopped_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE neon_migrate.runs ADD COLUMN IF NOT EXISTS owner jsonb;
ALTER TABLE neon_migrate.runs ADD COLUMN IF NOT EXISTS phase text;
ALTER TABLE neon_migrate.runs ADD COLUMN IF NOT EXISTS progress jsonb;
ALTER TABLE neon_migrate.applied ADD COLUMN IF NOT EXISTS verified_by text`;

/** A row of `neon_migrate.applied`. */
export interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
  downChecksum: string | null;
  kind: string;
  appliedAt: string;
  durationMs: number;
  runId: string | null;
  /** The guarded run (test, promote) whose verification covered it; null: applied but unverified. */
  verifiedBy?: string | null;
}

/**
 * `running` while its process lives; `interrupted` once a later command found it `running` with
 * its owner gone; `abandoned` when it was interrupted before it touched the branch.
 */
export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'partial'
  | 'rolled_back'
  | 'interrupted'
  | 'abandoned'
  | 'undone';

/** A row of `neon_migrate.runs`. */
export interface RunRecord {
  id: string;
  command: string;
  branch: string;
  checkpoint: string | null;
  status: RunStatus | string;
  startedAt: string;
  finishedAt: string | null;
  report: unknown;
  /** The phase it was in last (null on histories written before phases were recorded). */
  phase?: string | null;
  /** What a resumed run needs (units, the pre-run snapshot). */
  progress?: unknown;
  /** The process that ran it. */
  owner?: { pid: number; host: string; startedAt: string } | null;
}

/** A SQL literal for a string/number/null (standard_conforming_strings is on in PG ≥ 9.1 and on Neon). */
export function sqlLiteral(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  return `'${value.replace(/'/g, "''")}'`;
}

/** True when the history tables exist on the branch. */
export async function historyExists(db: DbClient): Promise<boolean> {
  const res = await db.query<{ ok: boolean }>(
    `SELECT to_regclass('neon_migrate.applied') IS NOT NULL AND to_regclass('neon_migrate.runs') IS NOT NULL AS ok`,
  );
  return Boolean(res.rows[0]?.ok);
}

/** Create the history schema if missing, or add what an older version did not create (safe against concurrent callers). */
export async function ensureHistory(db: DbClient): Promise<void> {
  // The newest column: its presence means every table and column of HISTORY_DDL exists.
  const res = await db.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('neon_migrate.applied') AND attname = 'verified_by') AS ok`,
  );
  if (res.rows[0]?.ok && (await historyExists(db))) return;
  await db.query(`BEGIN; SELECT pg_advisory_xact_lock(${DDL_LOCK_KEY}); ${HISTORY_DDL}; COMMIT`);
}

/**
 * The applied migrations, in version order; empty when the branch has no history yet.
 *
 * @example
 * ```ts
 * const db = await connect(await platform.connectionUri('main'));
 * try {
 *   console.log((await readApplied(db)).map((a) => a.version));
 * } finally {
 *   await db.close();
 * }
 * ```
 */
export async function readApplied(db: DbClient): Promise<AppliedRow[]> {
  if (!(await historyExists(db))) return [];
  const res = await db.query<AppliedRow>(
    `SELECT version, name, checksum, down_checksum AS "downChecksum", kind,
            to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "appliedAt",
            duration_ms AS "durationMs", run_id AS "runId",
            -- read through jsonb: a history written before the column existed has no verified_by
            to_jsonb(a) ->> 'verified_by' AS "verifiedBy"
       FROM neon_migrate.applied a ORDER BY length(version), version`,
  );
  return res.rows;
}

/** SQL recording a migration as applied; the duration is measured from `startedExpr` in SQL. */
export function insertAppliedSql(
  m: { version: string; name: string; checksum: string; downChecksum?: string; kind: string },
  runId: string,
  startedExpr: string,
): string {
  return `INSERT INTO neon_migrate.applied (version, name, checksum, down_checksum, kind, duration_ms, run_id) VALUES (${sqlLiteral(m.version)}, ${sqlLiteral(m.name)}, ${sqlLiteral(m.checksum)}, ${sqlLiteral(m.downChecksum)}, ${sqlLiteral(m.kind)}, (extract(epoch FROM clock_timestamp() - ${startedExpr}) * 1000)::integer, ${sqlLiteral(runId)})`;
}

/** SQL forgetting an applied migration (after its down ran). */
export function deleteAppliedSql(version: string): string {
  return `DELETE FROM neon_migrate.applied WHERE version = ${sqlLiteral(version)}`;
}

export interface NewRun {
  id: string;
  command: string;
  branch: string;
  checkpoint?: string | null;
}

/** SQL inserting a run in state `running`. */
export function insertRunSql(run: NewRun): string {
  return `INSERT INTO neon_migrate.runs (id, command, branch, checkpoint, status) VALUES (${sqlLiteral(run.id)}, ${sqlLiteral(run.command)}, ${sqlLiteral(run.branch)}, ${sqlLiteral(run.checkpoint ?? null)}, 'running')`;
}

// Per string value, so a redaction can never cut across JSON structure.
const redactStrings = (_key: string, value: unknown): unknown =>
  typeof value === 'string' ? redactSecrets(value) : value;

/** SQL closing a run with its status and JSON report (secrets redacted: the history is copied into every child branch). */
export function finishRunSql(id: string, status: RunStatus | string, report: unknown): string {
  return `UPDATE neon_migrate.runs SET status = ${sqlLiteral(status)}, finished_at = clock_timestamp(), report = ${sqlLiteral(JSON.stringify(report ?? null, redactStrings))}::jsonb WHERE id = ${sqlLiteral(id)}`;
}

/** Who runs a run: enough to tell later that its process is gone. */
export function runOwner(): { pid: number; host: string; startedAt: string } {
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
  };
}

/**
 * Record the start of a run of any command (creates the history schema if needed).
 *
 * @example
 * ```ts
 * const id = randomUUID();
 * await recordRun(db, { id, command: 'backfill', branch: 'main', checkpoint: null });
 * await finishRun(db, id, 'succeeded', { rows: 1200 });
 * ```
 */
export async function recordRun(db: DbClient, run: NewRun): Promise<void> {
  await ensureHistory(db);
  await db.query(
    `INSERT INTO neon_migrate.runs (id, command, branch, checkpoint, status, owner) VALUES ($1, $2, $3, $4, 'running', $5::jsonb)`,
    [run.id, run.command, run.branch, run.checkpoint ?? null, JSON.stringify(runOwner())],
  );
}

/**
 * Record a run's outcome and report (secrets redacted: the history is copied into every child branch).
 *
 * @example
 * ```ts
 * await finishRun(db, runId, 'failed', { error: 'backfill stopped at row 1200' });
 * ```
 */
export async function finishRun(db: DbClient, id: string, status: RunStatus | string, report: unknown): Promise<void> {
  await db.query(
    `UPDATE neon_migrate.runs SET status = $2, finished_at = clock_timestamp(), report = $3::jsonb WHERE id = $1`,
    [id, status, JSON.stringify(report ?? null, redactStrings)],
  );
}

/** Note the phase a run is in, so an interrupted run says how far it got. */
export async function markPhase(db: DbClient, id: string, phase: string): Promise<void> {
  await db.query(`UPDATE neon_migrate.runs SET phase = $2 WHERE id = $1`, [id, phase]);
}

/** Keep what a resumed run needs (its units, the pre-run snapshot) in its record. */
export async function saveProgress(db: DbClient, id: string, progress: unknown): Promise<void> {
  await db.query(`UPDATE neon_migrate.runs SET progress = $2::jsonb WHERE id = $1`, [
    id,
    JSON.stringify(progress, redactStrings),
  ]);
}

/** Mark applied migrations as verified by a guarded run. */
export async function markVerified(db: DbClient, runId: string, versions: string[]): Promise<void> {
  await db.query(`UPDATE neon_migrate.applied SET verified_by = $1 WHERE version = ANY($2::text[])`, [runId, versions]);
}

/**
 * Runs on the branch, newest first, optionally filtered by command and status.
 *
 * @example
 * ```ts
 * const passes = await listRuns(db, { command: 'test', status: 'succeeded', limit: 10 });
 * ```
 */
export async function listRuns(
  db: DbClient,
  filter: { command?: string; status?: string | string[]; limit?: number } = {},
): Promise<RunRecord[]> {
  if (!(await historyExists(db))) return [];
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.command) where.push(`command = $${params.push(filter.command)}`);
  if (filter.status) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    where.push(`status = ANY($${params.push(statuses)}::text[])`);
  }
  const res = await db.query<RunRecord>(
    `SELECT id, command, branch, checkpoint, status,
            to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
            to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "finishedAt", report,
            to_jsonb(r) ->> 'phase' AS phase, to_jsonb(r) -> 'progress' AS progress, to_jsonb(r) -> 'owner' AS owner
       FROM neon_migrate.runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT ${Math.max(1, Math.floor(filter.limit ?? 100))}`,
    params,
  );
  return res.rows;
}

/** Overwrite the stored checksum(s) of an applied migration (accepting a deliberate edit). */
export async function acceptChecksum(
  db: DbClient,
  version: string,
  checksum: string,
  downChecksum: string | undefined,
): Promise<boolean> {
  const res = await db.query(`UPDATE neon_migrate.applied SET checksum = $1, down_checksum = $2 WHERE version = $3`, [
    checksum,
    downChecksum ?? null,
    version,
  ]);
  return res.rowCount === 1;
}
