/**
 * Measuring what a migration does on a branch (issue 11): while `fn` applies it, the probe
 * (probe.ts) records how long reads and writes of each table were blocked and which lock modes the
 * migration held; around it, an observer session records per table the relfilenode (a change is a
 * rewrite) and size, the pg_stat_user_tables row counters, and the WAL position.
 *
 * Row counters: Postgres reports a session's table statistics with a delay (at most once a second
 * while busy, after up to 10 s idle). Pass the migrating session as `statsSession` and measureRun
 * calls pg_stat_force_next_flush() on it after `fn`, which flushes before that call returns: exact
 * and immediate. Sessions that `fn` closes (wrapped tools) flush as they exit; for those the
 * observer waits up to `statsSettleMs` for the counters to move.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type DbClient } from '../db/connect.js';
import type { Queryable } from '../verify/queryable.js';
import { listUserTables } from '../verify/snapshot.js';
import { addTablesFromSql, type TouchedTables } from '../verify/touched.js';
import { quoteDotted } from './destructive.js';
import { type ProbedTable, startProbe, type TableBlocking } from './probe.js';

export interface MeasureOptions {
  /** Probe interval in ms (default 20). */
  intervalMs?: number;
  /** The session `fn` runs the migration on, to flush its statistics (see the file comment). */
  statsSession?: Queryable;
  /** Without statsSession: how long to wait for statistics to arrive (default 1500 ms). */
  statsSettleMs?: number;
}

/** What a run did to one table. */
export interface TableMeasurement extends TableBlocking {
  table: string;
  /** The table did not exist before the run / no longer exists after it. */
  created?: boolean;
  dropped?: boolean;
  /** The table's storage was replaced (relfilenode changed): every row was rewritten. */
  rewritten: boolean;
  /** pg_table_size (heap + TOAST) before and after, bytes. */
  sizeBefore: number | null;
  sizeAfter: number | null;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
}

/** What one measured run did. */
export interface RunMeasurement {
  durationMs: number;
  /** WAL generated on the branch during the run (all sessions), bytes. */
  walBytes: number;
  intervalMs: number;
  tables: TableMeasurement[];
}

interface TableState {
  oid: number;
  /** pg_class.relkind: only tables ('r', 'p') and materialized views ('m') are measured. */
  kind: string;
  filenode: string | null;
  size: number;
  ins: number;
  upd: number;
  del: number;
}

/** relfilenode, size and row counters of the given relations (by name; absent ones are left out). */
async function readTables(db: Queryable, names: string[]): Promise<Map<string, TableState>> {
  const out = new Map<string, TableState>();
  for (const name of names) {
    const { rows } = await db.query(
      `SELECT c.oid::int AS oid, c.relkind::text AS kind, pg_relation_filenode(c.oid)::text AS filenode,
              pg_table_size(c.oid)::bigint::text AS size, coalesce(s.n_tup_ins, 0)::text AS ins,
              coalesce(s.n_tup_upd, 0)::text AS upd, coalesce(s.n_tup_del, 0)::text AS del
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.oid = to_regclass($1)`,
      [quoteDotted(name)],
    );
    const r = rows[0];
    if (!r) continue;
    out.set(name, {
      oid: Number(r.oid),
      kind: String(r.kind),
      filenode: r.filenode === null ? null : String(r.filenode),
      size: Number(r.size),
      ins: Number(r.ins),
      upd: Number(r.upd),
      del: Number(r.del),
    });
  }
  return out;
}

async function walPosition(db: Queryable): Promise<string> {
  const { rows } = await db.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
  return String(rows[0]?.lsn);
}

async function walBytesSince(db: Queryable, lsn: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::bigint::text AS n`,
    [lsn],
  );
  return Number(rows[0]?.n ?? 0);
}

const isTable = (s: TableState) => ['r', 'p', 'm'].includes(s.kind);

const counters = (m: Map<string, TableState>) => [...m.values()].map((s) => `${s.ins}/${s.upd}/${s.del}`).join(',');

/** Read the tables after the run, waiting for statistics from sessions that flush as they exit. */
async function readAfter(
  observer: DbClient,
  names: string[],
  before: Map<string, TableState>,
  settleMs: number,
): Promise<Map<string, TableState>> {
  const deadline = performance.now() + settleMs;
  let after = await readTables(observer, names);
  while (counters(after) === counters(before) && performance.now() < deadline) {
    await sleep(50);
    after = await readTables(observer, names);
  }
  return after;
}

/** Flush a session's table statistics: forced at its next idle moment, which one more statement guarantees. */
async function flushStats(session: Queryable): Promise<void> {
  await session.query(`SELECT pg_stat_force_next_flush()`);
  await session.query(`SELECT 1`);
}

const NOT_BLOCKED: TableBlocking = { maxWriteBlockedMs: 0, maxReadBlockedMs: 0, modesSeen: [], attempts: 0 };

/** One table's figures from its state before and after the run and what the probe saw. */
function tableMeasurement(
  table: string,
  blocked: TableBlocking | undefined,
  b: TableState | undefined,
  a: TableState | undefined,
): TableMeasurement {
  return {
    table,
    ...(blocked ?? NOT_BLOCKED),
    ...(b ? {} : { created: true }),
    ...(b && !a ? { dropped: true } : {}),
    rewritten: Boolean(b && a && b.oid === a.oid && b.filenode !== a.filenode),
    sizeBefore: b ? b.size : null,
    sizeAfter: a ? a.size : null,
    // A dropped table's counters are gone with it.
    rowsInserted: a ? a.ins - (b?.ins ?? 0) : 0,
    rowsUpdated: a ? a.upd - (b?.upd ?? 0) : 0,
    rowsDeleted: a ? a.del - (b?.del ?? 0) : 0,
  };
}

/** After a failed run (rolled back): what the probe saw; nothing changed, so sizes stay, rows are 0. */
function blockedOnly(table: string, blocked: TableBlocking | undefined, b: TableState | undefined): TableMeasurement {
  return { ...tableMeasurement(table, blocked, b, b), rewritten: false };
}

/**
 * Run `fn` (the apply of one migration) on the branch at `uri` while measuring, per table of
 * `tables` (qualified or bare names; tables `fn` creates are measured after it), blocking, lock
 * modes, rewrites and row changes, and the run's WAL and duration. The probe changes no data.
 * When `fn` throws, its error is rethrown with a `measurement` property: the blocking seen so far.
 */
export async function measureRun<T>(
  uri: string,
  tables: string[],
  fn: () => Promise<T>,
  options: MeasureOptions = {},
): Promise<{ result: T; measurement: RunMeasurement }> {
  const intervalMs = options.intervalMs ?? 20;
  const observer = await connect(uri);
  let probeDb: DbClient | undefined;
  try {
    probeDb = await connect(uri);
    // Belt and braces: the probe uses NOWAIT, but nothing it runs may ever wait long.
    await probeDb.query(
      `SET lock_timeout = '50ms'; SET statement_timeout = '2s'; SET application_name = 'neon-migrate probe'`,
    );
    await observer.query(`SET stats_fetch_consistency = 'none'; SET application_name = 'neon-migrate observer'`);
    const pids = [
      Number((await observer.query(`SELECT pg_backend_pid() AS p`)).rows[0]?.p),
      Number((await probeDb.query(`SELECT pg_backend_pid() AS p`)).rows[0]?.p),
    ];
    const named = [...new Set(tables)];
    // What that session did before the run (its setup) must be counted before, not after.
    if (options.statsSession) await flushStats(options.statsSession);
    const before = await readTables(observer, named);
    const probed: ProbedTable[] = [...before].filter(([, s]) => isTable(s)).map(([name, s]) => ({ name, oid: s.oid }));
    const lsn = await walPosition(observer);
    const probe = startProbe(probeDb, observer, probed, intervalMs, pids);
    const started = performance.now();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const ended = performance.now();
    const blocking = await probe.stop(ended);
    const durationMs = Math.round(ended - started);
    if (!outcome.ok) {
      // A failed run (often a lock_timeout) still says what blocked what: attach it, best effort.
      const error = outcome.error;
      if (error && typeof error === 'object') {
        const tables = probed.map((t) => blockedOnly(t.name, blocking[t.name], before.get(t.name)));
        Object.assign(error, { measurement: { durationMs, walBytes: 0, intervalMs, tables } satisfies RunMeasurement });
      }
      throw error;
    }
    // The forced flush happens when that session next goes idle, which is before it reads the next
    // statement: once that statement answers, the counters are in shared memory. The observer still
    // re-reads for a moment (a DDL-only migration never moves them, so this is a cost per migration:
    // keep it short). Other processes (wrapped tools) flush as their sessions exit: wait longer.
    if (options.statsSession) await flushStats(options.statsSession);
    const after = await readAfter(
      observer,
      named,
      before,
      options.statsSession ? 150 : (options.statsSettleMs ?? 1500),
    );
    // Views, sequences and names that never existed are not measured.
    const names = named.filter((n) => {
      const s = before.get(n) ?? after.get(n);
      return s !== undefined && isTable(s);
    });
    const walBytes = await walBytesSince(observer, lsn);
    const measured = names.map((table) =>
      tableMeasurement(table, blocking[table], before.get(table), after.get(table)),
    );
    return { result: outcome.value, measurement: { durationMs, walBytes, intervalMs, tables: measured } };
  } finally {
    await probeDb?.close();
    await observer.close();
  }
}

/**
 * The tables to probe for a migration: every table its SQL names (verify/touched.ts), or every
 * user table when it runs something opaque (DO, CALL, TypeScript, a wrapped tool: pass no SQL).
 */
export async function tablesToProbe(db: Queryable, source: string, sql?: string): Promise<string[]> {
  if (sql === undefined) return listUserTables(db);
  const touched: TouchedTables = { names: new Set() };
  await addTablesFromSql(touched, source, sql);
  return touched.opaqueReason ? listUserTables(db) : [...touched.names].sort();
}
