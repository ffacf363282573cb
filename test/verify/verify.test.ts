import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTablesFromSql,
  assertCommandsExist,
  compareSnapshots,
  diffFingerprints,
  findInvalidIndexes,
  findOrphanedRows,
  listAssertionFiles,
  loadAssertionFile,
  renderSchemaDiff,
  runAssertions,
  runUserCommands,
  takeFingerprint,
  takeSnapshot,
  type TouchedTables,
  verifyAfterApply,
} from '../../src/verify/index.js';
import { startEngineDatabases, type TestDatabases } from './engine-db.js';

let fixture: TestDatabases;
let dbCount = 0;

async function freshDb(setup: string): Promise<pg.Client> {
  const uri = await fixture.createDatabase(`verify_${++dbCount}`);
  const client = new pg.Client({ connectionString: uri });
  client.on('error', () => undefined); // the cluster stops at the end of the file
  await client.connect();
  if (setup) await client.query(setup);
  return client;
}

const TASKS = `
  CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
  CREATE TABLE tasks (id int PRIMARY KEY, owner_id int REFERENCES users(id) ON DELETE CASCADE, title text NOT NULL, tags text DEFAULT '');
  CREATE TABLE audit (id serial PRIMARY KEY, note text);
  INSERT INTO users SELECT g, 'u' || g || '@x' FROM generate_series(1, 20) g;
  INSERT INTO tasks SELECT g, 1 + g % 20, 'task ' || g, 'a,b' FROM generate_series(1, 500) g;
  INSERT INTO audit (note) VALUES ('x'), ('y');
`;

beforeAll(async () => {
  fixture = await startEngineDatabases();
});
afterAll(async () => {
  await fixture?.stop();
});

describe('integrity snapshot', () => {
  it('is independent of physical row order and sees a one-value change', async () => {
    const db = await freshDb(TASKS);
    const before = await takeSnapshot(db);
    expect(before.tables['public.tasks']).toMatchObject({ rows: 500 });
    // Rewrite the table in another physical order: same content, same checksum.
    await db.query(
      `CREATE TABLE tmp AS SELECT * FROM tasks ORDER BY id DESC; DELETE FROM tasks; INSERT INTO tasks SELECT * FROM tmp; DROP TABLE tmp`,
    );
    const reordered = await takeSnapshot(db);
    expect(compareSnapshots(before, reordered).identical).toBe(true);
    await db.query(`UPDATE tasks SET title = 'changed' WHERE id = 250`);
    const after = await takeSnapshot(db);
    const cmp = compareSnapshots(before, after);
    expect(cmp.identical).toBe(false);
    expect(cmp.changed.map((d) => d.table)).toEqual(['public.tasks']);
    await db.end();
  });

  it('skips the neon_migrate history schema', async () => {
    const db = await freshDb(
      `CREATE SCHEMA neon_migrate; CREATE TABLE neon_migrate.runs (id int); CREATE TABLE t (id int)`,
    );
    expect(Object.keys((await takeSnapshot(db)).tables)).toEqual(['public.t']);
    await db.end();
  });
});

describe('catalog fingerprint', () => {
  it('ignores column order but not types, and diffs readably', async () => {
    const db = await freshDb(TASKS);
    const base = await takeFingerprint(db);
    await db.query(
      `ALTER TABLE tasks DROP COLUMN title; ALTER TABLE tasks ADD COLUMN title text NOT NULL DEFAULT ''; ALTER TABLE tasks ALTER COLUMN title DROP DEFAULT`,
    );
    expect((await takeFingerprint(db)).hash).toBe(base.hash);
    await db.query(
      `ALTER TABLE tasks ALTER COLUMN tags DROP DEFAULT, ALTER COLUMN tags TYPE text[] USING string_to_array(tags, ','); CREATE INDEX tasks_title_idx ON tasks (title)`,
    );
    const changed = await takeFingerprint(db);
    const diff = diffFingerprints(base, changed);
    expect(diff.identical).toBe(false);
    const text = renderSchemaDiff(diff);
    expect(text).toContain("- column public.tasks.tags: text default ''::text");
    expect(text).toContain('+ column public.tasks.tags: text[]');
    expect(text).toContain('+ index public.tasks_title_idx');
    expect(changed.tables['public.users']).toBe(base.tables['public.users']);
    expect(changed.tables['public.tasks']).not.toBe(base.tables['public.tasks']);
    await db.end();
  });
});

describe('structural checks', () => {
  it('finds orphaned rows behind a NOT VALID foreign key and invalid indexes', async () => {
    const db = await freshDb(TASKS);
    expect(await findOrphanedRows(db)).toEqual([]);
    await db.query(`CREATE TABLE notes (id int, task_id int); INSERT INTO notes VALUES (1, 1), (2, 9999), (3, NULL);
      ALTER TABLE notes ADD CONSTRAINT notes_task_fk FOREIGN KEY (task_id) REFERENCES tasks(id) NOT VALID`);
    expect(await findOrphanedRows(db)).toEqual([
      { constraint: 'notes_task_fk', table: 'public.notes', references: 'public.tasks', orphans: 1 },
    ]);
    expect(await findInvalidIndexes(db)).toEqual([]);
    await db.query(`INSERT INTO audit (id, note) VALUES (100, 'dup'), (101, 'dup')`);
    await expect(db.query(`CREATE UNIQUE INDEX CONCURRENTLY audit_note_uq ON audit (note)`)).rejects.toThrow();
    expect(await findInvalidIndexes(db)).toEqual([{ index: 'public.audit_note_uq', table: 'public.audit' }]);
    await db.end();
  });
});

describe('SQL assertions', () => {
  it('passes on no rows or true, fails otherwise, honours the after directive, and cannot write', async () => {
    const db = await freshDb(TASKS);
    const dir = mkdtempSync(path.join(tmpdir(), 'nm-assert-'));
    mkdirSync(path.join(dir, 'scripts'));
    writeFileSync(
      path.join(dir, 'scripts', 'a.sql'),
      `-- every task has an owner
SELECT id FROM tasks WHERE owner_id IS NULL;
-- 500 tasks
SELECT count(*) = 500 FROM tasks;
-- there are 3 audit rows (false)
SELECT count(*) = 3 FROM audit;
-- writes are refused
INSERT INTO audit (note) VALUES ('nope') RETURNING true;
`,
    );
    writeFileSync(
      path.join(dir, 'scripts', 'b.sql'),
      `-- neon-migrate:after 2026-01-02T000000\nSELECT id FROM missing_table;\n`,
    );
    writeFileSync(path.join(dir, 'scripts', 'seed.sql'), `SELECT 1`);
    const files = listAssertionFiles(dir, 'scripts', [], ['scripts/seed.sql']);
    expect(files).toEqual(['scripts/a.sql', 'scripts/b.sql']);
    const loaded = await Promise.all(files.map((f) => loadAssertionFile(dir, f)));
    const results = await runAssertions(db, loaded, ['20260101000000']);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['every task has an owner', true],
      ['500 tasks', true],
      ['there are 3 audit rows (false)', false],
      ['writes are refused', false],
    ]);
    expect(results[3]!.detail).toMatch(/read-only/);
    expect((await db.query(`SELECT count(*)::int AS n FROM audit`)).rows[0]!.n).toBe(2);
    const gated = await runAssertions(db, loaded, ['20260102000000']);
    expect(gated.at(-1)).toMatchObject({ file: 'scripts/b.sql', passed: false });
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('user commands', () => {
  it('refuses a command that does not exist before running anything', () => {
    expect(() => assertCommandsExist(['definitely-not-a-command-xyz --flag'], '/tmp')).toThrow(
      /command not found: "definitely-not-a-command-xyz"/,
    );
    expect(() => assertCommandsExist(['node -e 1', 'FOO=1 true', './nope.sh'], '/tmp')).toThrow(/nope\.sh/);
    assertCommandsExist(['node -e 1', 'FOO=1 echo hi'], '/tmp');
  });

  it('runs with DATABASE_URL set and redacts the password in output', async () => {
    const url = 'postgresql://app:s3cret@127.0.0.1:5432/db';
    const results = await runUserCommands(
      [`test "$DATABASE_URL" = "${url}" && echo "$DATABASE_URL"`, 'exit 3'],
      url,
      '/tmp',
    );
    expect(results[0]).toMatchObject({ passed: true, exitCode: 0 });
    expect(results[0]!.outputTail).toContain('app:****@');
    expect(results[0]!.outputTail).not.toContain('s3cret');
    expect(results[1]).toMatchObject({ passed: false, exitCode: 3 });
  });
});

describe('verifyAfterApply', () => {
  it('fails when a table no migration touched changes, and follows cascading foreign keys', async () => {
    const db = await freshDb(TASKS);
    const before = await takeSnapshot(db);
    const fingerprintBefore = await takeFingerprint(db);
    const migration = `ALTER TABLE tasks ADD COLUMN done boolean NOT NULL DEFAULT false; DELETE FROM users WHERE id = 1;`;
    const touched: TouchedTables = { names: new Set() };
    await addTablesFromSql(touched, 'm1', migration);
    expect([...touched.names].sort()).toEqual(['tasks', 'users']);
    await db.query(migration);
    // A sneaky side effect on a table the migration does not name:
    await db.query(`UPDATE audit SET note = 'tampered' WHERE note = 'x'`);
    const input = {
      db,
      before,
      fingerprintBefore,
      assertionFiles: [],
      appliedVersions: [],
      commands: [],
      databaseUrl: '',
      cwd: '/tmp',
    };
    const result = await verifyAfterApply({ ...input, touched });
    expect(result.passed).toBe(false);
    expect(result.untouchedChanged.map((d) => d.table)).toEqual(['public.audit']);
    expect(result.failures[0]).toMatch(/table public.audit changed .* but no migration touched it/);

    // Only `users` named: tasks changes through ON DELETE CASCADE and counts as touched.
    const onlyUsers: TouchedTables = { names: new Set(['users', 'audit']) };
    const db2 = await freshDb(TASKS);
    const before2 = await takeSnapshot(db2);
    const fp2 = await takeFingerprint(db2);
    await db2.query(`DELETE FROM users WHERE id = 1`);
    const ok = await verifyAfterApply({
      ...input,
      db: db2,
      before: before2,
      fingerprintBefore: fp2,
      touched: onlyUsers,
    });
    expect(ok.failures).toEqual([]);
    expect(ok.passed).toBe(true);
    await db.end();
    await db2.end();
  });
});
