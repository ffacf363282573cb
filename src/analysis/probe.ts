/**
 * The blocking probe: while a migration runs, a separate session tries, every `intervalMs`, to
 * take on each table the lock a write needs (ROW EXCLUSIVE) and, when that fails, the lock a read
 * needs (ACCESS SHARE), and rolls back at once.
 *
 * Why lock attempts and not real statements: a write is blocked exactly when ROW EXCLUSIVE
 * conflicts with a held lock and a read when ACCESS SHARE does, and LOCK TABLE changes no data,
 * fires no triggers (a no-op `UPDATE ... WHERE false` still fires statement triggers) and assigns
 * no transaction id. Why NOWAIT: a probe that queued for a lock would sit in the lock queue, where
 * a later request (even the migration's next statement on another path) could wait behind it; with
 * NOWAIT the probe never waits and never holds a lock beyond one round trip, so it cannot delay the
 * migration. The price is resolution: a block is measured from the first refused attempt to the
 * first granted one, so it is exact to within one interval, and a block shorter than an interval
 * can be missed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbClient } from '../db/connect.js';
import { quoteDotted } from './destructive.js';
import { strongerMode } from './lock-modes.js';

/** A table the probe watches (resolved before the run). */
export interface ProbedTable {
  name: string;
  oid: number;
}

/** What the probe saw on one table. */
export interface TableBlocking {
  /** Longest continuous time writes (ROW EXCLUSIVE) were refused, ms. */
  maxWriteBlockedMs: number;
  /** Longest continuous time reads (ACCESS SHARE) were refused, ms. */
  maxReadBlockedMs: number;
  /** Strongest lock another session (the migration) held on the table, as seen in pg_locks. */
  strongestMode?: string;
  /** Every lock mode seen held by other sessions. */
  modesSeen: string[];
  attempts: number;
  /** An error that stopped probing this table (not a lock refusal). */
  error?: string;
}

interface Episode {
  since: number;
}

const LOCK_NOT_AVAILABLE = '55P03';
const UNDEFINED_TABLE = '42P01';

/** One attempt: can a write (then a read) lock be taken right now? */
async function tryLock(
  db: DbClient,
  table: string,
  mode: 'ROW EXCLUSIVE' | 'ACCESS SHARE',
): Promise<'ok' | 'refused' | 'missing'> {
  try {
    await db.query(`BEGIN; LOCK TABLE ONLY ${quoteDotted(table)} IN ${mode} MODE NOWAIT; ROLLBACK`);
    return 'ok';
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    const code = (err as { code?: string }).code;
    if (code === LOCK_NOT_AVAILABLE) return 'refused';
    if (code === UNDEFINED_TABLE) return 'missing';
    throw err;
  }
}

/** A running probe; `stop()` ends it and returns what it saw per table. */
export interface RunningProbe {
  /** Stop; a block still open is closed at `endedAt` (performance.now() when the run ended). */
  stop(endedAt?: number): Promise<Record<string, TableBlocking>>;
}

/**
 * Start probing `tables` on `probe` (its own session), sampling pg_locks on `observer`.
 * `ownPids` are the probe's and observer's sessions, whose locks are not the migration's.
 */
export function startProbe(
  probe: DbClient,
  observer: DbClient,
  tables: ProbedTable[],
  intervalMs: number,
  ownPids: number[],
): RunningProbe {
  const seen: Record<string, TableBlocking> = {};
  const write: Record<string, Episode | undefined> = {};
  const read: Record<string, Episode | undefined> = {};
  const active = new Set(tables.map((t) => t.name));
  for (const t of tables) seen[t.name] = { maxWriteBlockedMs: 0, maxReadBlockedMs: 0, modesSeen: [], attempts: 0 };
  const byOid = new Map(tables.map((t) => [t.oid, t.name]));
  let stopping = false;

  const close = (
    episodes: Record<string, Episode | undefined>,
    name: string,
    now: number,
    key: 'maxWriteBlockedMs' | 'maxReadBlockedMs',
  ) => {
    const e = episodes[name];
    if (!e) return;
    seen[name]![key] = Math.max(seen[name]![key], now - e.since);
    episodes[name] = undefined;
  };

  const probeTable = async (name: string) => {
    const s = seen[name]!;
    s.attempts++;
    const started = performance.now();
    const w = await tryLock(probe, name, 'ROW EXCLUSIVE');
    // Granted, or the table is gone (dropped by the migration): whatever blocked it has ended.
    if (w !== 'refused') {
      close(write, name, started, 'maxWriteBlockedMs');
      close(read, name, started, 'maxReadBlockedMs');
      return;
    }
    write[name] ??= { since: started };
    const r = await tryLock(probe, name, 'ACCESS SHARE');
    if (r === 'refused') read[name] ??= { since: started };
    else close(read, name, started, 'maxReadBlockedMs');
  };

  const sampleLocks = async () => {
    const { rows } = await observer.query<{ oid: number; mode: string }>(
      `SELECT l.relation::oid::int AS oid, l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.granted AND l.relation = ANY($1::oid[])
          AND NOT (l.pid = ANY($2::int[])) AND a.backend_type = 'client backend'`,
      [[...byOid.keys()], ownPids],
    );
    for (const r of rows) {
      const name = byOid.get(Number(r.oid));
      if (!name) continue;
      const s = seen[name]!;
      if (!s.modesSeen.includes(r.mode)) s.modesSeen.push(r.mode);
      const strongest = strongerMode(s.strongestMode, r.mode);
      if (strongest) s.strongestMode = strongest;
    }
  };

  const loop = (async () => {
    while (!stopping) {
      const tick = performance.now();
      const probing = (async () => {
        for (const name of [...active]) {
          try {
            await probeTable(name);
          } catch (err) {
            seen[name]!.error = (err as Error).message;
            active.delete(name);
          }
        }
      })();
      await Promise.all([probing, sampleLocks().catch(() => undefined)]);
      const wait = intervalMs - (performance.now() - tick);
      if (wait > 0 && !stopping) await sleep(wait);
    }
  })();

  return {
    async stop(endedAt?: number) {
      stopping = true;
      await loop;
      // A block still open when the run ended lasted until the run ended (its commit released it).
      const now = endedAt ?? performance.now();
      for (const name of Object.keys(seen)) {
        close(write, name, now, 'maxWriteBlockedMs');
        close(read, name, now, 'maxReadBlockedMs');
        seen[name]!.maxWriteBlockedMs = Math.round(seen[name]!.maxWriteBlockedMs);
        seen[name]!.maxReadBlockedMs = Math.round(seen[name]!.maxReadBlockedMs);
      }
      return seen;
    },
  };
}
