/**
 * Batched backfills on a real local engine: kill -9 mid-backfill then resume (every row filled
 * exactly once), a concurrent writer (its rows filled, or caught by the contract guard), the guard
 * refusing while rows remain, progress off a terminal, ctx.backfill, and the refusals of bad specs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backfillForContext } from '../../src/backfill/entry.js';
import { BackfillIncompleteError, contractGuard } from '../../src/backfill/guard.js';
import { runBackfill } from '../../src/backfill/run.js';
import { backfillSpecFromSql } from '../../src/backfill/spec.js';
import { readBackfills } from '../../src/backfill/store.js';
import { connect, type DbClient } from '../../src/db/connect.js';
import { MigrationFileError } from '../../src/errors.js';
import { parseSqlFile } from '../../src/migrations/sql.js';
import type { Migration } from '../../src/migrations/types.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { ITEMS_BACKFILL, ITEMS_CONTRACT, itemsDdl } from './fixtures.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let engine: TestEngine;
const open: { db: DbClient[]; branch: string }[] = [];
beforeAll(async () => {
  engine = await openTestEngine();
});
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const db of o.db) await db.close();
    await engine.platform.stopComputes(o.branch);
  }
});
afterAll(async () => {
  await engine?.close();
});

async function fresh(branch: string, rows: number) {
  const uri = await engine.branch(branch);
  const db = await connect(uri);
  open.push({ db: [db], branch });
  await db.query(itemsDdl(rows));
  return {
    uri,
    db,
    extra: async () => {
      const other = await connect(uri);
      open.at(-1)!.db.push(other);
      return other;
    },
  };
}

async function migration(version: string, file: string, text: string): Promise<Migration> {
  const up = await parseSqlFile(file, text);
  return {
    version,
    name: file.replace(/\.up\.sql$/, ''),
    kind: 'sql',
    checksum: version,
    upFile: file,
    up,
    reversible: false,
  };
}

const count = async (db: DbClient, where: string) =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM items WHERE ${where}`)).rows[0]!.n);

/** Run the child backfill process; resolves with its exit (code, signal) and stdout. */
function child(uri: string, batch: number, pauseMs: number) {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/backfill/child.ts', uri, String(batch), String(pauseMs)],
    { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => proc.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { proc, done };
}

describe('runBackfill', () => {
  it('killed with -9 mid-backfill, resumes at the next batch: every row filled exactly once', async () => {
    const N = 20_000;
    const t = await fresh('bf_kill', N);
    const run = child(t.uri, 500, 40);
    // Wait until some batches committed, then kill the process without any chance to clean up.
    for (let i = 0; i < 600; i++) {
      const rows = await readBackfills(t.db).catch(() => []);
      if ((rows[0]?.rowsDone ?? 0) >= 3000) break;
      await sleep(50);
    }
    run.proc.kill('SIGKILL');
    const exit = await run.done;
    expect(exit.signal).toBe('SIGKILL');
    await sleep(300); // the server notices the dropped session and rolls back its open batch

    const [stopped] = await readBackfills(t.db);
    const filled = await count(t.db, 'v IS NOT NULL');
    expect(stopped!.finishedAt).toBeNull();
    expect(filled).toBeGreaterThan(0);
    expect(filled).toBeLessThan(N);
    // The progress row committed with each batch: it matches the table exactly.
    expect(stopped!.rowsDone).toBe(filled);
    expect(Number(stopped!.lastKey)).toBe(
      Number((await t.db.query<{ k: number }>(`SELECT max(id) AS k FROM items WHERE v IS NOT NULL`)).rows[0]!.k),
    );

    const spec = await backfillSpecFromSql('items_backfill.up.sql', '2', ITEMS_BACKFILL(500));
    const result = await runBackfill(t.db, spec);
    expect(result).toMatchObject({
      resumed: true,
      resumedAfterKey: stopped!.lastKey,
      rows: N - filled,
      rowsTotal: N,
      remaining: 0,
    });
    expect(await count(t.db, 'v IS NULL OR v <> id * 3')).toBe(0);
    expect(await count(t.db, 'updates <> 1')).toBe(0);
    const [finished] = await readBackfills(t.db);
    expect(finished).toMatchObject({ rowsDone: N });
    expect(finished!.finishedAt).not.toBeNull();
  });

  it('a concurrent writer: each row it inserts is filled by the backfill or counted by the contract guard', async () => {
    const t = await fresh('bf_writer', 10_000);
    const writerDb = await t.extra();
    await t.db.query(`CREATE TABLE written (id integer PRIMARY KEY)`);
    let writing = true;
    const writer = (async () => {
      // Odd keys spread over the whole key space: behind the walk, ahead of it, and past its end.
      for (let i = 0; writing && i < 5000; i++) {
        const id = 2 * ((i * 7919) % 10_500) + 1;
        await writerDb.query(
          `WITH w AS (INSERT INTO items (id) VALUES (${id}) ON CONFLICT DO NOTHING RETURNING id) INSERT INTO written SELECT id FROM w`,
        );
        if (i % 20 === 0) await sleep(1);
      }
    })();
    const spec = await backfillSpecFromSql('items_backfill.up.sql', '2', ITEMS_BACKFILL(250, 5));
    const result = await runBackfill(t.db, spec);
    writing = false;
    await writer;
    const written = await count(t.db, 'id IN (SELECT id FROM written)');
    const writtenFilled = await count(t.db, 'v IS NOT NULL AND id IN (SELECT id FROM written)');
    expect(written).toBeGreaterThan(0);
    expect(await count(t.db, 'updates > 1')).toBe(0);
    const contract = await migration('3', '3_contract.up.sql', ITEMS_CONTRACT);
    const unfilled = await count(t.db, 'v IS NULL');
    // Rows written after the sweep are the only ones left, and the guard counts exactly those.
    expect(unfilled).toBe(written - writtenFilled);
    if (unfilled === 0) {
      expect(await contractGuard(t.db, contract, [])).toEqual([
        { backfill: '2', table: 'items', reason: 'detected', remaining: 0 },
      ]);
    } else {
      await expect(contractGuard(t.db, contract, [])).rejects.toMatchObject({
        code: 'BACKFILL_INCOMPLETE',
        checks: [{ remaining: unfilled }],
      });
    }
    expect(result.rowsTotal).toBeGreaterThanOrEqual(10_000);
  });

  it('rows inserted behind the walk while it runs are filled by the sweep, each once', async () => {
    const t = await fresh('bf_sweep', 2000);
    const writerDb = await t.extra();
    let inserted = false;
    let behind: Promise<unknown> = Promise.resolve();
    const spec = await backfillSpecFromSql('items_backfill.up.sql', '2', ITEMS_BACKFILL(200, 10));
    const result = await runBackfill(t.db, spec, {
      maxBatchSize: 200,
      onProgress: (p) => {
        // Once the walk is past key 1000, add 50 odd keys below it: only the sweep can reach them.
        if (!inserted && p.phase === 'ranges' && p.rowsDone >= 600) {
          inserted = true;
          behind = writerDb.query(`INSERT INTO items (id) SELECT 2 * g + 1 FROM generate_series(0, 49) AS g`);
        }
      },
    });
    await behind;
    expect(inserted).toBe(true);
    expect(result.sweepBatches).toBeGreaterThan(0);
    expect(result.remaining).toBe(0);
    expect(await count(t.db, 'v IS NULL OR v <> id * 3')).toBe(0);
    expect(await count(t.db, 'updates <> 1')).toBe(0);
    expect(result.rowsTotal).toBe(2050);
  });

  it('the contract guard refuses while rows remain (exit 2, count reported, nothing touched), then lets it run', async () => {
    const t = await fresh('bf_guard', 3000);
    const backfill = await migration('2', '2_items_backfill.up.sql', ITEMS_BACKFILL(1000));
    const detected = await migration('3', '3_contract.up.sql', ITEMS_CONTRACT);
    const declared = await migration(
      '4',
      '4_contract.up.sql',
      `-- neon-migrate:after-backfill 2\nALTER TABLE items ADD CONSTRAINT v_set CHECK (v IS NOT NULL);\n`,
    );
    for (const m of [detected, declared]) {
      const err = await contractGuard(t.db, m, [backfill]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackfillIncompleteError);
      expect(err).toMatchObject({ exitCode: 2, code: 'BACKFILL_INCOMPLETE' });
      expect((err as Error).message).toMatch(/3000 row\(s\) of items not yet filled by backfill 2/);
    }
    // Nothing was touched: the column is still nullable and no row changed.
    const nullable = await t.db.query<{ is_nullable: string }>(
      `SELECT is_nullable FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'v'`,
    );
    expect(nullable.rows[0]!.is_nullable).toBe('YES');
    expect(await count(t.db, 'updates > 0')).toBe(0);
    // A contract on a column no backfill sets is not held back.
    expect(
      await contractGuard(
        t.db,
        await migration('5', '5_other.up.sql', 'ALTER TABLE items ALTER COLUMN updates SET NOT NULL;'),
        [backfill],
      ),
    ).toEqual([]);

    await runBackfill(t.db, await backfillSpecFromSql(backfill.upFile, '2', (backfill.up as { text: string }).text));
    expect(await contractGuard(t.db, detected, [backfill])).toEqual([
      { backfill: '2', table: 'items', reason: 'detected', remaining: 0 },
    ]);
    expect(await contractGuard(t.db, declared, [backfill])).toEqual([
      { backfill: '2', table: 'items', reason: 'declared', remaining: 0 },
    ]);
    await expect(
      contractGuard(t.db, await migration('6', '6_x.up.sql', '-- neon-migrate:after-backfill 99\nSELECT 1;'), [
        backfill,
      ]),
    ).rejects.toMatchObject({ code: 'BACKFILL_UNKNOWN' });
  });

  it('off a terminal, prints a progress line every interval and the final figures', async () => {
    const t = await fresh('bf_lines', 4000);
    const exit = await child(t.uri, 200, 20).done;
    expect(exit.code, exit.err).toBe(0);
    const lines = exit.out.trim().split('\n');
    const progress = lines.filter((l) =>
      /^backfill items: \d+\/4000 rows \(\d+%\), \d+ rows\/s, ETA \S+, batch 200/.test(l),
    );
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatch(/^backfill items: 4000\/4000 rows \(100%\)/);
    expect(lines.at(-2)).toMatch(
      /^backfill items: 4000 rows in 20 batches \(0 sweep\) in \S+, \d+ rows\/s, slowest batch [\d.]+ms, longest lock wait [\d.]+ms, 0 retries$/,
    );
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      table: 'items',
      rows: 4000,
      batches: 20,
      remaining: 0,
      resumed: false,
    });
    // No terminal escape codes off a terminal.
    expect(exit.out).not.toMatch(/\u001b\[/);
  });

  it('a batch that cannot get its row locks gives way under lock_timeout and retries until the app lets go', async () => {
    const t = await fresh('bf_locked', 2000);
    const app = await t.extra();
    await app.query(`BEGIN; SELECT id FROM items WHERE id = 10 FOR UPDATE`);
    const spec = await backfillSpecFromSql('items_backfill.up.sql', '2', ITEMS_BACKFILL(500));
    const lines: string[] = [];
    const running = runBackfill(t.db, spec, { lockTimeoutMs: 50, log: (l) => lines.push(l) });
    // Hold the lock until the backfill has given way at least twice.
    for (let i = 0; i < 400 && lines.filter((l) => l.includes('gave way (55P03)')).length < 2; i++) await sleep(25);
    await app.query('COMMIT');
    const result = await running;
    expect(result.retries).toBeGreaterThanOrEqual(2);
    expect(result.longestLockWaitMs).toBeGreaterThan(0);
    expect(lines[0]).toMatch(
      /items_backfill\.up\.sql: batch after key \(start\) gave way \(55P03\), retry 1 in \d+ ms/,
    );
    expect(await count(t.db, 'v IS NULL OR updates <> 1')).toBe(0);
  });

  it('ctx.backfill runs in a no-transaction TypeScript migration, and refuses inside a transaction', async () => {
    const t = await fresh('bf_ctx', 1500);
    const results: number[] = [];
    const inTx = backfillForContext({ db: t.db, version: '7', file: '7_fill.ts', noTransaction: false });
    await expect(inTx({ table: 'items', key: 'id', set: 'v = 1', where: 'v IS NULL' })).rejects.toMatchObject({
      code: 'BACKFILL_IN_TRANSACTION',
      exitCode: 2,
    });
    const fill = backfillForContext({
      db: t.db,
      version: '7',
      file: '7_fill.ts',
      noTransaction: true,
      onResult: (r) => results.push(r.rows),
    });
    const r = await fill({ table: 'items', key: 'id', set: { v: 'id * 3' }, where: 'v IS NULL', batchSize: 400 });
    expect(r).toMatchObject({ id: '7:items', rows: 1500, remaining: 0 });
    expect(results).toEqual([1500]);
    expect(await count(t.db, 'v <> id * 3 OR updates <> 1')).toBe(0);
    // A session inside a transaction block is refused before anything runs.
    await t.db.query('BEGIN');
    await expect(
      fill({ table: 'items', key: 'id', set: 'v = 0', where: 'v IS NULL', name: 'again' }),
    ).rejects.toMatchObject({ code: 'BACKFILL_IN_TRANSACTION' });
    await t.db.query('ROLLBACK');
  });
});

describe('backfill specs', () => {
  const bad: [string, RegExp][] = [
    ['UPDATE items SET v = 1;', /needs a WHERE <not yet done> predicate/],
    ['UPDATE items SET v = 1 WHERE v IS NULL; DELETE FROM items;', /exactly one UPDATE/],
    ['UPDATE items SET v = 1 WHERE v IS NULL RETURNING id;', /cannot have RETURNING/],
    ['UPDATE other SET v = 1 WHERE v IS NULL;', /declares table=items but the UPDATE targets other/],
    ['UPDATE items SET v = 1 WHERE v IS NULL AND;', /syntax error/],
  ];
  it.each(bad)('refuses %s with a one-line MigrationFileError (exit 2)', async (sql, message) => {
    const err = await backfillSpecFromSql(
      'x.up.sql',
      '1',
      `-- neon-migrate:backfill table=items key=id\n${sql}\n`,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFileError);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as Error).message).toMatch(message);
  });

  it('splits at the top-level WHERE only, whatever comments and subqueries hold', async () => {
    const spec = await backfillSpecFromSql(
      'x.up.sql',
      '1',
      `-- neon-migrate:backfill table=tasks key=id batch=50
-- WHERE in a comment
UPDATE tasks AS t SET n = (SELECT count(*) FROM s WHERE s.t = t.id AND s.note <> 'where')
  FROM owners o
 WHERE o.id = t.owner AND t.n IS NULL -- trailing comment
;`,
    );
    expect(spec).toMatchObject({ table: 'tasks', key: 'id', batchSize: 50, columns: ['n'] });
    expect(spec.shape.whereText.trim()).toBe('o.id = t.owner AND t.n IS NULL -- trailing comment');
    expect(spec.shape.fromText?.trim()).toBe('owners o');
  });
});
