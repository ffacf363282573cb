/**
 * The example project's migrations with their backfills batched, applied the way the native
 * executor is to apply them (a backfill file through runBackfillMigration, the contract guard
 * before each migration, ctx.backfill in TypeScript migrations), on a small seed; then the
 * example's own assertions in scripts/ must hold.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillForContext, isBackfillMigration, runBackfillMigration } from '../../src/backfill/entry.js';
import { contractGuard } from '../../src/backfill/guard.js';
import type { BackfillResult } from '../../src/backfill/run.js';
import { connect, type DbClient } from '../../src/db/connect.js';
import { loadMigrations } from '../../src/migrations/load.js';
import { isSqlScript, type Migration } from '../../src/migrations/types.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let engine: TestEngine;
let db: DbClient;
beforeAll(async () => {
  engine = await openTestEngine();
  db = await connect(await engine.branch('example'));
});
afterAll(async () => {
  await db?.close();
  await engine?.close();
});

/** Apply one migration as the native executor would once it calls src/backfill. */
async function apply(m: Migration, all: Migration[], results: BackfillResult[]): Promise<void> {
  await contractGuard(db, m, all);
  if (isBackfillMigration(m)) {
    results.push(await runBackfillMigration(db, m, { runId: 'example' }));
    return;
  }
  if (isSqlScript(m.up)) {
    await db.query(['BEGIN', ...m.up.statements.map((s) => s.sql), 'COMMIT'].join(';\n'));
    return;
  }
  const ctx = { client: db, log: () => undefined, branch: 'example' };
  const backfill = backfillForContext({
    db,
    version: m.version,
    file: m.upFile,
    noTransaction: m.up.noTransaction,
    onResult: (r) => results.push(r),
  });
  await db.query('BEGIN');
  await m.up.up({ ...ctx, backfill });
  await db.query('COMMIT');
}

describe('example project', () => {
  it('runs its priority and subtask_count backfills in batches and passes its assertions; the contracts are guarded', async () => {
    const all = await loadMigrations(repo, 'migrations');
    const backfills = all.filter(isBackfillMigration).map((m) => m.name);
    expect(backfills).toEqual(['20260203T103000_backfill_subtask_count', '20260302T113000_priorities_backfill']);
    // A backfill file is a no-transaction migration.
    expect(all.filter(isBackfillMigration).every((m) => m.up.noTransaction)).toBe(true);

    const [first, second, ...pending] = all;
    for (const m of [first!, second!]) await apply(m, all, []);
    await db.query(`SELECT set_config('neon_migrate.seed_tasks', '6000', false)`);
    await db.query(readFileSync(path.join(repo, 'scripts/seed/demo-data.sql'), 'utf8'));

    const results: BackfillResult[] = [];
    for (const m of pending) {
      if (m.name === '20260203T104500_subtask_count_required') {
        // Uncount a few tasks: the contract is refused with the count, and nothing is touched.
        await db.query(`UPDATE tasks SET subtask_count = NULL WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT 7)`);
        await expect(apply(m, all, results)).rejects.toMatchObject({
          code: 'BACKFILL_INCOMPLETE',
          exitCode: 2,
          message: expect.stringMatching(/7 row\(s\) of tasks not yet filled by backfill 20260203103000/),
        });
        const again = await runBackfillMigration(
          db,
          all.find((x) => x.name === '20260203T103000_backfill_subtask_count')!,
        );
        expect(again).toMatchObject({ rows: 7, resumed: false });
      }
      await apply(m, all, results);
    }
    expect(results.map((r) => [r.table, r.rows, r.remaining])).toEqual([
      ['tasks', 6000, 0],
      ['tasks', 6000, 0],
    ]);
    expect(results.every((r) => r.batches >= 2)).toBe(true);

    for (const file of ['subtask-counts.sql', 'priorities.sql']) {
      const res = await db.query<Record<string, unknown>>(readFileSync(path.join(repo, 'scripts', file), 'utf8'));
      expect(
        res.rows.every((r) => Object.values(r).length === 1 && Object.values(r)[0] === true),
        file,
      ).toBe(true);
    }
    const nullable = await db.query<{ c: string; n: string }>(
      `SELECT column_name AS c, is_nullable AS n FROM information_schema.columns WHERE table_name = 'tasks' AND column_name IN ('subtask_count', 'priority_id') ORDER BY 1`,
    );
    expect(nullable.rows).toEqual([
      { c: 'priority_id', n: 'NO' },
      { c: 'subtask_count', n: 'NO' },
    ]);
  });
});
