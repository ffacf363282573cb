/** Workload query latency on the local engine: dropping an index a query needs regresses its p95. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLatency, loadWorkloadQueries, timeQueries } from '../../src/analysis/latency.js';
import { connect } from '../../src/db/connect.js';
import { environmentSchema } from '../../src/config/schema.js';
import { compareSnapshots, takeSnapshot } from '../../src/verify/snapshot.js';
import { startEngineDatabases, type TestDatabases } from '../verify/engine-db.js';

let fixture: TestDatabases;

beforeAll(async () => {
  fixture = await startEngineDatabases();
});
afterAll(async () => {
  await fixture?.stop();
});

describe('workload query latency', () => {
  it('reports the p95 regression of a query whose index was dropped, and never changes data', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'nm-latency-'));
    writeFileSync(path.join(project, 'by-title.sql'), 'SELECT id FROM tasks WHERE title = $1;\n');
    writeFileSync(path.join(project, 'count.sql'), 'SELECT count(*) FROM users');
    writeFileSync(path.join(project, 'touch.sql'), 'UPDATE users SET email = email || $1');
    const env = environmentSchema.parse({
      branch: 'dev',
      checks: {
        queries: [
          { file: 'by-title.sql', params: ['task 777'], runs: 15 },
          'count.sql',
          { file: 'touch.sql', params: ['!'], runs: 3 },
        ],
      },
    });
    const queries = loadWorkloadQueries(project, env.checks.queries);
    expect(queries.map((q) => [q.name, q.runs])).toEqual([
      ['by-title.sql', 15],
      ['count.sql', 20],
      ['touch.sql', 3],
    ]);

    const db = await connect(await fixture.createDatabase('latency_1'));
    await db.query(`
      CREATE TABLE tasks (id bigint PRIMARY KEY, title text);
      INSERT INTO tasks SELECT g, 'task ' || g FROM generate_series(1, 200000) g;
      CREATE INDEX tasks_title ON tasks (title);
      CREATE TABLE users (id int, email text); INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 10) g;
      ANALYZE;`);
    const snapshot = await takeSnapshot(db);
    const before = await timeQueries(db, queries);
    await db.query('DROP INDEX tasks_title');
    const after = await timeQueries(db, queries);
    const changes = compareLatency(before, after, 10);
    const byTitle = changes.find((c) => c.name === 'by-title.sql')!;
    // An index lookup becomes a scan of 200k rows (server time): far beyond any timer noise.
    if (process.env.SHOW_MEASUREMENTS) console.log(JSON.stringify(changes));
    expect(byTitle.regressed).toBe(true);
    expect(changes.find((c) => c.name === 'count.sql')?.regressed).toBe(false);
    // The UPDATE workload ran in rolled-back transactions.
    expect(compareSnapshots(snapshot, await takeSnapshot(db)).identical).toBe(true);
    await db.close();
  });

  it('reports an unreadable query file as a config problem', () => {
    expect(() => loadWorkloadQueries(tmpdir(), ['nope.sql'], 'environments/dev.json')).toThrow(/checks\.queries\.0/);
  });
});
