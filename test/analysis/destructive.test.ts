/** Destructive changes judged against a real branch: rows at risk counted, type changes classified. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destructiveVerdict } from '../../src/analysis/approvals.js';
import { classifyTypeChanges, findDestructiveChanges } from '../../src/analysis/destructive.js';
import { countRowsAtRisk } from '../../src/analysis/rows-at-risk.js';
import { connect } from '../../src/db/connect.js';
import { startEngineDatabases, type TestDatabases } from '../verify/engine-db.js';

let fixture: TestDatabases;

beforeAll(async () => {
  fixture = await startEngineDatabases();
});
afterAll(async () => {
  await fixture?.stop();
});

describe('destructive changes on a branch', () => {
  it('counts the rows each change would lose and classifies type changes', async () => {
    const uri = await fixture.createDatabase('destructive_1');
    const db = await connect(uri);
    await db.query(`
      CREATE TABLE tasks (id int PRIMARY KEY, title text, legacy text, priority int, note varchar(50));
      INSERT INTO tasks SELECT g, 't' || g, CASE WHEN g % 4 = 0 THEN 'x' END, g, 'n' FROM generate_series(1, 1000) g;
      CREATE TABLE sessions (id int);
      INSERT INTO sessions SELECT generate_series(1, 37);
      CREATE SCHEMA scratch;
      CREATE TABLE scratch.a (id int); INSERT INTO scratch.a SELECT generate_series(1, 5);
      CREATE TABLE scratch.b (id int); INSERT INTO scratch.b SELECT generate_series(1, 6);`);
    const sql = [
      'ALTER TABLE tasks DROP COLUMN legacy;',
      'ALTER TABLE tasks ALTER COLUMN title TYPE varchar(20);',
      'ALTER TABLE tasks ALTER COLUMN priority TYPE bigint;',
      'ALTER TABLE tasks ALTER COLUMN note TYPE text;',
      'DELETE FROM sessions;',
      'DROP SCHEMA scratch CASCADE;',
      'DROP TABLE IF EXISTS never_there;',
    ].join('\n');
    const found = await findDestructiveChanges([{ file: 'migrations/0007_cleanup.sql', text: sql, version: '0007' }]);
    const counted = await countRowsAtRisk(db, await classifyTypeChanges(db, found));
    const byTarget = Object.fromEntries(counted.map((c) => [c.target, c]));
    // 250 of 1000 rows have a legacy value: those values are lost.
    expect(byTarget['tasks.legacy']).toMatchObject({ kind: 'drop-column', rowsAtRisk: 250, line: 1 });
    expect(byTarget['tasks.title']).toMatchObject({
      fromType: 'text',
      rowsAtRisk: 1000,
      detail: expect.stringMatching(/longer values/),
    });
    expect(byTarget['tasks.title']?.lossless).toBeUndefined();
    expect(byTarget['tasks.priority']).toMatchObject({ fromType: 'integer', lossless: true, rowsAtRisk: 0 });
    expect(byTarget['tasks.note']).toMatchObject({ fromType: 'character varying(50)', lossless: true });
    expect(byTarget['sessions']).toMatchObject({ kind: 'delete-without-where', rowsAtRisk: 37 });
    expect(byTarget['scratch']).toMatchObject({ kind: 'drop-schema', rowsAtRisk: 11, cascade: true });
    expect(byTarget['never_there']).toMatchObject({ rowsAtRisk: null });

    const verdict = destructiveVerdict(counted, {});
    expect(verdict.lossless.map((c) => c.target).sort()).toEqual(['tasks.note', 'tasks.priority']);
    expect(verdict.unapproved.map((c) => c.target)).toEqual([
      'tasks.legacy',
      'tasks.title',
      'sessions',
      'scratch',
      'never_there',
    ]);
    expect(destructiveVerdict(counted, { flagVersions: ['0007'] }).unapproved).toEqual([]);
    await db.close();
  });
});
