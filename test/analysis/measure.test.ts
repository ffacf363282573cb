/**
 * The measuring probe on the local engine: real migrations on a 100k-row table, real locks. Each
 * risky migration holds its transaction open for a moment before COMMIT (as the rest of a real
 * migration would), so the probe's 20 ms sampling sees the lock without any timing assertion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBudgets } from '../../src/analysis/budgets.js';
import { measureRun, type RunMeasurement, tablesToProbe } from '../../src/analysis/measure.js';
import { connect, type DbClient } from '../../src/db/connect.js';
import { compareSnapshots, takeSnapshot } from '../../src/verify/snapshot.js';
import { startEngineDatabases, type TestDatabases } from '../verify/engine-db.js';

let fixture: TestDatabases;
let n = 0;

const TASKS = `
  CREATE TABLE tasks (id bigint PRIMARY KEY, title text, done boolean);
  INSERT INTO tasks SELECT g, 'task ' || g, g % 3 = 0 FROM generate_series(1, 100000) g;
  CREATE TABLE users (id bigint PRIMARY KEY, email text);
  INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 100) g;
  ANALYZE;
`;

/** A fresh database with the fixture tables; returns its URI and a migration session. */
async function freshDb(): Promise<{ uri: string; session: DbClient }> {
  const uri = await fixture.createDatabase(`measure_${++n}`);
  const session = await connect(uri);
  await session.query(TASKS);
  return { uri, session };
}

/** Apply `sql` as one migration transaction that stays open `holdMs` before COMMIT. */
function migration(session: DbClient, sql: string, holdMs = 400): () => Promise<void> {
  return async () => {
    await session.query(`BEGIN; ${sql}; SELECT pg_sleep(${holdMs / 1000}); COMMIT`);
  };
}

const table = (m: RunMeasurement, name: string) => m.tables.find((t) => t.table === name)!;

beforeAll(async () => {
  fixture = await startEngineDatabases();
});
afterAll(async () => {
  await fixture?.stop();
});

describe('measureRun', () => {
  it('CREATE INDEX without CONCURRENTLY blocks writes (ShareLock), not reads; CONCURRENTLY blocks neither', async () => {
    const { uri, session } = await freshDb();
    const { measurement: m } = await measureRun(
      uri,
      ['tasks', 'users'],
      migration(session, 'CREATE INDEX tasks_title ON tasks (title)'),
      {
        statsSession: session,
      },
    );
    const t = table(m, 'tasks');
    if (process.env.SHOW_MEASUREMENTS) console.log(JSON.stringify(m));
    expect(t.maxWriteBlockedMs).toBeGreaterThan(0);
    expect(t.maxReadBlockedMs).toBe(0);
    expect(t.strongestMode).toBe('ShareLock');
    expect(t.rewritten).toBe(false);
    expect(table(m, 'users')).toMatchObject({ maxWriteBlockedMs: 0, maxReadBlockedMs: 0, modesSeen: [] });
    const violations = checkBudgets(
      [{ version: '0002', statements: ['CREATE INDEX tasks_title ON tasks (title)'], measurement: m }],
      {
        maxBlockedMs: 0,
      },
    );
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      table: 'tasks',
      budget: 'maxBlockedMs',
      safer: expect.stringMatching(/CONCURRENTLY/),
    });
    expect(violations[0]!.message).toMatch(/blocked writes on tasks for \d+ ms \(ShareLock\)/);

    const safe = await measureRun(uri, ['tasks'], async () => {
      await session.query('CREATE INDEX CONCURRENTLY tasks_title_2 ON tasks (title)');
    });
    expect(table(safe.measurement, 'tasks')).toMatchObject({ maxWriteBlockedMs: 0, maxReadBlockedMs: 0 });
    expect(checkBudgets([{ version: '0003', measurement: safe.measurement }], { maxBlockedMs: 0 })).toEqual([]);
    await session.close();
  });

  it('SET NOT NULL holds ACCESS EXCLUSIVE (reads blocked); VALIDATE of a NOT VALID check blocks nothing', async () => {
    const { uri, session } = await freshDb();
    const { measurement: m } = await measureRun(
      uri,
      ['tasks'],
      migration(session, 'ALTER TABLE tasks ALTER COLUMN title SET NOT NULL'),
    );
    const t = table(m, 'tasks');
    expect(t.strongestMode).toBe('AccessExclusiveLock');
    expect(t.maxReadBlockedMs).toBeGreaterThan(0);
    expect(t.maxWriteBlockedMs).toBeGreaterThan(0);
    expect(t.rewritten).toBe(false);
    const [v] = checkBudgets(
      [{ version: '0004', statements: ['ALTER TABLE tasks ALTER COLUMN title SET NOT NULL'], measurement: m }],
      { maxBlockedMs: 0 },
    );
    expect(v?.safer).toMatch(/NOT VALID/);

    await session.query(
      `ALTER TABLE tasks ALTER COLUMN title DROP NOT NULL; ALTER TABLE tasks ADD CONSTRAINT title_nn CHECK (title IS NOT NULL) NOT VALID`,
    );
    const safe = await measureRun(uri, ['tasks'], migration(session, 'ALTER TABLE tasks VALIDATE CONSTRAINT title_nn'));
    expect(table(safe.measurement, 'tasks')).toMatchObject({
      maxWriteBlockedMs: 0,
      maxReadBlockedMs: 0,
      strongestMode: 'ShareUpdateExclusiveLock',
    });
    await session.close();
  });

  it('sees a rewrite: ADD COLUMN with a volatile default rewrites, DEFAULT now() does not', async () => {
    const { uri, session } = await freshDb();
    const volatile = await measureRun(
      uri,
      ['tasks'],
      migration(session, 'ALTER TABLE tasks ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()', 0),
      {
        statsSession: session,
      },
    );
    const t = table(volatile.measurement, 'tasks');
    expect(t.rewritten).toBe(true);
    expect(t.sizeBefore).toBeGreaterThan(1024 * 1024);
    expect(t.sizeAfter).toBeGreaterThan(t.sizeBefore!);
    expect(volatile.measurement.walBytes).toBeGreaterThan(t.sizeBefore!);
    const [v] = checkBudgets([{ version: '0005', measurement: volatile.measurement }], { maxRewriteMB: 1 });
    expect(v).toMatchObject({ budget: 'maxRewriteMB', table: 'tasks', limit: 1 });

    // now() is STABLE: Postgres (11+) stores the value once in the catalog and rewrites nothing.
    const stable = await measureRun(
      uri,
      ['tasks'],
      migration(session, 'ALTER TABLE tasks ADD COLUMN created_at timestamptz DEFAULT now()', 0),
    );
    expect(table(stable.measurement, 'tasks').rewritten).toBe(false);
    expect(checkBudgets([{ version: '0006', measurement: stable.measurement }], { maxRewriteMB: 1 })).toEqual([]);
    await session.close();
  });

  it('counts row changes per table from pg_stat_user_tables, and created/dropped tables', async () => {
    const { uri, session } = await freshDb();
    const sql = `UPDATE tasks SET done = true WHERE id <= 1000; DELETE FROM users WHERE id > 90; CREATE TABLE tags (id int); INSERT INTO tags SELECT generate_series(1, 7)`;
    expect(await tablesToProbe(session, 'm.sql', sql)).toEqual(['tags', 'tasks', 'users']);
    expect(await tablesToProbe(session, 'opaque.ts')).toEqual(['public.tasks', 'public.users']);
    await session.query('CREATE VIEW open_tasks AS SELECT * FROM tasks WHERE NOT done');
    const tables = ['tasks', 'users', 'tags', 'open_tasks', 'never_there'];
    const { measurement: m } = await measureRun(uri, tables, migration(session, sql, 0), { statsSession: session });
    // Views and names that never existed are not measured.
    expect(m.tables.map((t) => t.table)).toEqual(['tasks', 'users', 'tags']);
    expect(table(m, 'tasks')).toMatchObject({ rowsUpdated: 1000, rowsInserted: 0, rowsDeleted: 0 });
    expect(table(m, 'users')).toMatchObject({ rowsDeleted: 10 });
    expect(table(m, 'tags')).toMatchObject({ created: true, rowsInserted: 7 });
    const dropped = await measureRun(uri, ['users'], async () => {
      // A session that disconnects flushes its statistics as it exits.
      const other = await connect(uri);
      await other.query('DROP TABLE users');
      await other.close();
    });
    expect(table(dropped.measurement, 'users')).toMatchObject({ dropped: true, sizeAfter: null });
    await session.close();
  });

  it('attaches what it saw to the error of a failed run', async () => {
    const { uri, session } = await freshDb();
    const failing = async () => {
      await session.query(`BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(0.3)`);
      try {
        await session.query(`SELECT 1 / 0`);
      } finally {
        await session.query('ROLLBACK');
      }
    };
    const err = await measureRun(uri, ['users', 'tasks'], failing).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '22012' });
    const m = (err as { measurement: RunMeasurement }).measurement;
    expect(table(m, 'users')).toMatchObject({ strongestMode: 'AccessExclusiveLock', rewritten: false, rowsUpdated: 0 });
    expect(table(m, 'users').maxReadBlockedMs).toBeGreaterThan(0);
    expect(table(m, 'tasks')).toMatchObject({ maxWriteBlockedMs: 0, maxReadBlockedMs: 0 });
    await session.close();
  });

  it('changes no data: the integrity snapshot is the same after probing, even with a statement trigger', async () => {
    const { uri, session } = await freshDb();
    // A statement-level trigger fires even for an UPDATE of zero rows; the probe's LOCK TABLE never fires it.
    await session.query(`
      CREATE TABLE audit (n serial, what text);
      CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit (what) VALUES (TG_OP); RETURN NULL; END $$;
      CREATE TRIGGER tasks_note AFTER UPDATE OR INSERT OR DELETE ON tasks FOR EACH STATEMENT EXECUTE FUNCTION note();`);
    const before = await takeSnapshot(session);
    // A third session watches whether the probe ever waits in the lock queue (it must not: NOWAIT).
    const watcher = await connect(uri);
    let watching = true;
    const probeWaits: number[] = [];
    const watch = (async () => {
      while (watching) {
        const { rows } = await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'neon-migrate probe' AND wait_event_type = 'Lock'`,
        );
        probeWaits.push(rows[0]!.n);
      }
    })();
    const { measurement: m } = await measureRun(uri, ['tasks', 'users', 'audit'], async () => {
      await session.query(`BEGIN; LOCK TABLE tasks IN SHARE MODE; SELECT pg_sleep(0.3); COMMIT; SELECT pg_sleep(0.2)`);
    });
    watching = false;
    await watch;
    await watcher.close();
    expect(probeWaits.length).toBeGreaterThan(5);
    expect(probeWaits.every((n) => n === 0)).toBe(true);
    expect(table(m, 'tasks').attempts).toBeGreaterThan(1);
    expect(table(m, 'tasks').maxWriteBlockedMs).toBeGreaterThan(0);
    const after = await takeSnapshot(session);
    expect(compareSnapshots(before, after).identical).toBe(true);
    expect(after.tables['public.audit']).toMatchObject({ rows: 0 });
    await session.close();
  });
});
