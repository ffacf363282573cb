import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/migrations/run.js';
import { readApplied, listRuns } from '../../src/migrations/history.js';
import { startPgFixture, type PgFixture } from '../support/pg-fixture.js';
import { scratchProject } from '../support/project.js';

let pg: PgFixture;
beforeAll(async () => {
  pg = await startPgFixture();
});
afterAll(async () => {
  await pg?.stop();
});

async function tables(uri: string): Promise<string[]> {
  const db = await connect(uri);
  try {
    const r = await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    return r.rows.map((x) => x.t);
  } finally {
    await db.close();
  }
}

describe('migrate up/down', () => {
  it('applies pending migrations in version order behind a checkpoint and records the run', async () => {
    const uri = await pg.createDatabase('run_basic');
    const p = scratchProject({
      '2_b.up.sql': 'CREATE TABLE b (id int REFERENCES a(id));',
      '2_b.down.sql': 'DROP TABLE b;',
      '1_a.up.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
      '1_a.down.sql': 'DROP TABLE a;',
    });
    const platform = pg.platform();
    const report = await migrate({ projectDir: p.dir, settings: p.settings, platform }, { direction: 'up', branch: 'run_basic' });
    expect(report.outcome).toBe('succeeded');
    expect(report.results.map((r) => [r.name, r.status])).toEqual([['1_a', 'applied'], ['2_b', 'applied']]);
    expect(report.checkpoint).toMatch(/^checkpoint\/run_basic\/\d{8}T\d{6}Z$/);
    expect(platform.branches).toContain(report.checkpoint);
    expect(await tables(uri)).toEqual(['a', 'b']);
    const db = await connect(uri);
    expect((await readApplied(db)).map((a) => a.version)).toEqual(['1', '2']);
    const [run] = await listRuns(db);
    expect(run).toMatchObject({ id: report.runId, command: 'up', status: 'succeeded', checkpoint: report.checkpoint });
    await db.close();

    const down = await migrate({ projectDir: p.dir, settings: p.settings, platform }, { direction: 'down', branch: 'run_basic' });
    expect(down.results.map((r) => [r.name, r.status])).toEqual([['2_b', 'reverted']]);
    expect(await tables(uri)).toEqual(['a']);
  });
});
